"""The demo county's configuration: one plant, four river sections, two drinking-water sources."""

from typing import Any, Final

PLANT_MN: Final[str] = "88888880000001"
PLANT_PASSWORD: Final[str] = "123456"
SECTION_MN: Final[str] = "88888880000002"  # the outgoing section's automatic station
SECTION_PASSWORD: Final[str] = "123456"

REPORT: Final[dict[str, str]] = {  # config/report.yaml: who issues and signs the monthly report
    "issuing_unit": "清溪县生态环境监测站",
    "county": "清溪县",
    "prepared_by": "陈晓",
    "reviewed_by": "林建国",
    "approved_by": "周明",
}

ZONES: Final[list[dict[str, Any]]] = [
    {"id": "qx-upper", "name": "清溪上游保留区", "target": "II"},
    {"id": "qx-town", "name": "清溪城区景观娱乐用水区", "target": "IV"},
    {"id": "qx-lower", "name": "清溪下游农业用水区", "target": "III"},
    {"id": "tx-trib", "name": "桃溪饮用水源二级保护区", "target": "III"},
    {"id": "qs-reservoir", "name": "青山水库饮用水源一级保护区", "target": "II", "water_body": "lake"},
]

SITES: Final[list[dict[str, Any]]] = [
    {
        "id": "wwtp-chengdong",
        "location": [118.335, 29.712],
        "name": "城东污水处理厂",
        "kind": "plant",
        "standard": "GB18918-2002",
        "target": "1A",
        "built": "2009-06-30",
        "logger": {"mn": PLANT_MN, "password": PLANT_PASSWORD},
        "expected_interval_minutes": 60,
    },
    {
        "id": "qx-rujing",
        "location": [118.205, 29.79],
        "name": "清溪入境断面",
        "kind": "section",
        "standard": "GB3838-2002",
        "zone": "qx-upper",
        "boundary": "incoming",
        "river": "清溪",
        "basin": "清溪流域",
        "expected_interval_minutes": 240,
    },
    {
        "id": "qx-chengqu",
        "location": [118.3, 29.722],
        "name": "清溪城区断面",
        "kind": "section",
        "standard": "GB3838-2002",
        "zone": "qx-town",
        "river": "清溪",
        "basin": "清溪流域",
        "expected_interval_minutes": 240,
    },
    {
        "id": "tx-huiru",
        "location": [118.352, 29.688],
        "name": "桃溪汇入口断面",
        "kind": "section",
        "standard": "GB3838-2002",
        "zone": "tx-trib",
        "river": "桃溪",
        "basin": "清溪流域",
        "expected_interval_minutes": 240,
    },
    {
        "id": "qx-chujing",
        "location": [118.44, 29.65],
        "name": "清溪出境断面",
        "kind": "section",
        "standard": "GB3838-2002",
        "zone": "qx-lower",
        "boundary": "outgoing",
        "river": "清溪",
        "basin": "清溪流域",
        "logger": {"mn": SECTION_MN, "password": SECTION_PASSWORD},
        "expected_interval_minutes": 240,
    },
    {
        "id": "src-qingshan",
        "location": [118.24, 29.83],
        "name": "青山水库水源地",
        "kind": "source",
        "standard": "GB3838-2002",
        "zone": "qs-reservoir",
        "water_body": "lake",
        "basin": "清溪流域",
        "withdrawal_m3_per_year": 14_600_000,
    },
    {
        "id": "src-taoxi",
        "location": [118.33, 29.62],
        "name": "桃溪水源地",
        "kind": "source",
        "standard": "GB3838-2002",
        "zone": "tx-trib",
        "river": "桃溪",
        "basin": "清溪流域",
        "withdrawal_m3_per_year": 5_475_000,
    },
]

# The demo county's outline and rivers for the map of sites (map.geojson; invented, like the county).
MAP: Final[dict[str, Any]] = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"name": "清溪县"},
            "geometry": {
                "type": "Polygon",
                "coordinates": [
                    [[118.15, 29.80], [118.22, 29.87], [118.33, 29.86], [118.43, 29.79], [118.50, 29.66],
                     [118.44, 29.59], [118.31, 29.58], [118.20, 29.64], [118.15, 29.80]]
                ],
            },
        },
        {
            "type": "Feature",
            "properties": {"name": "清溪"},
            "geometry": {
                "type": "LineString",
                "coordinates": [[118.16, 29.81], [118.205, 29.79], [118.26, 29.75], [118.30, 29.722],
                                [118.352, 29.688], [118.40, 29.67], [118.44, 29.65], [118.49, 29.63]],
            },
        },
        {
            "type": "Feature",
            "properties": {"name": "桃溪"},
            "geometry": {
                "type": "LineString",
                "coordinates": [[118.29, 29.60], [118.33, 29.62], [118.345, 29.66], [118.352, 29.688]],
            },
        },
    ],
}  # fmt: skip
