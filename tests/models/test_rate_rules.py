"""Each rate judged by its own rule, worked out by hand from the cited clause (not from the code).

Every test builds a small county of its own, so the expected numbers rest on nothing else.
"""

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from models.configuration import Configuration
from tests.rates_from_frames import rates_from_frames
from tests.reading_builders import hourly, samples

DECIMALS = {"w21003": 2, "w21011": 3, "w20115": 5, "w20125": 2, "w01012": 0, "w01018": 1}
MONTHS = [f"2026-{m:02d}-10" for m in range(1, 13)]


def county(tmp_path: Path, sites: list[dict[str, Any]], zones: list[dict[str, Any]] | None = None) -> Configuration:
    (tmp_path / "sites.yaml").write_text(yaml.safe_dump({"sites": sites}, allow_unicode=True), encoding="utf-8")
    (tmp_path / "zones.yaml").write_text(yaml.safe_dump({"zones": zones or []}, allow_unicode=True), encoding="utf-8")
    return Configuration.load(tmp_path)


def rates(config: Configuration, *frames: pd.DataFrame) -> dict[str, dict[str, Any]]:
    return rates_from_frames(config, pd.concat(frames, ignore_index=True), DECIMALS)


def section(site_id: str, zone: str, **extra: Any) -> dict[str, Any]:
    return {"id": site_id, "name": site_id, "kind": "section", "standard": "GB3838-2002", "zone": zone, **extra}


def source(site_id: str, yearly_m3: float, **extra: Any) -> dict[str, Any]:
    return {
        "id": site_id,
        "name": site_id,
        "kind": "source",
        "standard": "GB3838-2002",
        "withdrawal_m3_per_year": yearly_m3,
        **extra,
    }


def test_a_source_is_a_site_of_its_zone_and_each_rate_uses_its_own_yardstick(tmp_path: Path) -> None:
    """A drinking-water source lies in a functional zone and counts in the zone rates against the zone's
    target; the drinking-water rate judges it against class III (standards digest §6.3).

    src-a (zone z-src, target II) has NH3-N 0.8 every month: above II (0.5), within III (1.0), so it
    is class III: it fails its zone and meets the source rate. s-a (zone z-river, target III) has
    NH3-N 0.5 (class II) and meets. Zones: 1 of 2 (50.00 %); zone sites: 1 of 2; sources: 12 of 12
    months meet III, 1.2e6 of 1.2e6 m³ (100.00 %).
    """
    config = county(
        tmp_path,
        [section("s-a", "z-river"), source("src-a", 1_200_000, zone="z-src")],
        [{"id": "z-river", "name": "河段", "target": "III"}, {"id": "z-src", "name": "水源区", "target": "II"}],
    )
    result = rates(config, samples("s-a", "w21003", MONTHS, [0.5] * 12), samples("src-a", "w21003", MONTHS, [0.8] * 12))
    zones = result["functional_zones"]
    assert (zones["numerator"], zones["denominator"], zones["rate"]) == (1, 2, 50.0)
    assert [entry["zone"] for entry in zones["failing"]] == ["z-src"]
    sites = result["functional_zone_sections"]
    assert (sites["numerator"], sites["denominator"]) == (1, 2)
    drinking = result["drinking_water_sources"]
    assert (drinking["numerator"], drinking["denominator"], drinking["rate"]) == (1_200_000, 1_200_000, 100.0)


def test_the_drinking_water_rate_is_volume_weighted_and_judges_table_2_at_sources(tmp_path: Path) -> None:
    """Digest §6.3: compliant volume ÷ volume drawn; a source meets only if every item meets class III
    including GB 3838-2002 Table 2 (iron 0.3 mg/L).

    src-big draws 4.8e6 m³ a year (400,000 a month), NH3-N 0.8 (III): meets every month.
    src-small draws 1.2e6 (100,000 a month), iron 0.5 > 0.3 every month: fails every month.
    Rate = 4,800,000 / 6,000,000 = 80.00 %. The same iron at a river section is not judged.
    """
    config = county(
        tmp_path,
        [source("src-big", 4_800_000), source("src-small", 1_200_000), section("s-a", "z-river")],
        [{"id": "z-river", "name": "河段", "target": "III"}],
    )
    result = rates(
        config,
        samples("src-big", "w21003", MONTHS, [0.8] * 12),
        samples("src-small", "w21003", MONTHS, [0.3] * 12),
        samples("src-small", "w20125", MONTHS, [0.5] * 12),
        samples("s-a", "w21003", MONTHS, [0.5] * 12),
        samples("s-a", "w20125", MONTHS, [0.5] * 12),
    )
    drinking = result["drinking_water_sources"]
    assert (drinking["numerator"], drinking["denominator"], drinking["rate"]) == (4_800_000, 6_000_000, 80.0)
    assert drinking["failing"] == [
        {
            "site": "src-small",
            "name": "src-small",
            "items": [{"code": "w20125", "name": "铁", "times": 12, "exceedance_multiple": 0.667}],  # (0.5-0.3)/0.3
        }
    ]
    assert result["functional_zone_sections"]["rate"] == 100.0  # s-a: iron reported, not judged


def test_monthly_withdrawal_volumes_weigh_their_months(tmp_path: Path) -> None:
    """A month weighs the water drawn in it where the bureau has the figure, else 1/12 of the year.

    January 300,000 m³ (NH3-N 1.2 > III 1.0: fails), February 100,000 (0.5: meets), March: no monthly
    figure, 1,200,000 / 12 = 100,000 (0.5: meets). Rate = 200,000 / 500,000 = 40.00 %.
    """
    config = county(
        tmp_path, [source("src-a", 1_200_000, withdrawal_m3_by_month={"2026-01": 300_000, "2026-02": 100_000})]
    )
    result = rates(config, samples("src-a", "w21003", MONTHS[:3], [1.2, 0.5, 0.5]))
    drinking = result["drinking_water_sources"]
    assert (drinking["numerator"], drinking["denominator"], drinking["rate"]) == (200_000, 500_000, 40.0)
    assert drinking["parts"][0]["volume_basis"] == "monthly+yearly/12"


def test_by_frequency_counts_each_sampling_event(tmp_path: Path) -> None:
    """达标率（按监测频次）: each manual sample and each valid day of automatic data is one event.

    s-out (outgoing, target III): automatic NH3-N 0.5 (II) for 3 days of March, 24 valid hours each:
    3 events, all meet. Manual samples on 5 and 20 March: NH3-N 0.8 (meets) and 1.3 (> 1.0, fails).
    5 events, 4 meet: 80.00 %. (The month's value, automatic data being preferred for NH3-N, is 0.5:
    counting months would give 1 of 1.)
    """
    config = county(
        tmp_path,
        [section("s-out", "z-river", boundary="outgoing")],
        [{"id": "z-river", "name": "河段", "target": "III"}],
    )
    result = rates(
        config,
        *(hourly("s-out", "w21003", day, [0.5] * 24) for day in ["2026-03-01", "2026-03-02", "2026-03-03"]),
        samples("s-out", "w21003", ["2026-03-05", "2026-03-20"], [0.8, 1.3]),
    )
    for rate_id in ("outgoing_sections", "functional_zone_frequency"):
        rate = result[rate_id]
        assert (rate["numerator"], rate["denominator"], rate["rate"]) == (4, 5, 80.0)
    assert result["functional_zone_sections"]["rate"] == 100.0


def test_a_non_detect_is_judged_by_its_limit_alone_and_at_half_of_it_in_a_mean(tmp_path: Path) -> None:
    """环办监测函〔2020〕82号 point 7 for means; bulletins' practice for single samples.

    s-a (zone target I): Cd 0.002L in January and in February. Each sample alone: 0.002 is above the
    class I limit 0.001 and within class II (0.005): class II, fails the class I target (0 of 2 events).
    The period mean takes each at ½ DL: (0.001 + 0.001) / 2 = 0.001 <= 0.001: class I, meets (1 of 1).
    """
    config = county(tmp_path, [section("s-a", "z-src")], [{"id": "z-src", "name": "源头水", "target": "I"}])
    result = rates(config, samples("s-a", "w20115", MONTHS[:2], [0.002, 0.002], non_detect=[True, True]))
    frequency = result["functional_zone_frequency"]
    assert (frequency["numerator"], frequency["denominator"]) == (0, 2)
    sites = result["functional_zone_sections"]
    assert (sites["numerator"], sites["denominator"]) == (1, 1)


def plant(site_id: str, klass: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": site_id,
        "name": site_id,
        "kind": "plant",
        "standard": "GB18918-2002",
        "target": klass,
        "built": "2010-05-01",
        **extra,
    }


def test_a_plants_lab_results_are_daily_values(tmp_path: Path) -> None:
    """GB 18918-2002 §4.1.4: SS is analysed in the laboratory from the daily composite; each result is
    the daily value of its day and is judged like the online daily means.

    p-a (1A): online COD 30 (limit 50) on 1 and 2 July, 24 valid hours each. Lab SS 12 on 1 July
    (limit 10: fails, (12-10)/10 = 0.2 times) and 8 on 2 July (meets). Days: 1 of 2 compliant (50.00 %),
    SS failing on 2026-07-01.
    """
    config = county(tmp_path, [plant("p-a", "1A")])
    result = rates(
        config,
        hourly("p-a", "w01018", "2026-07-01", [30.0] * 24),
        hourly("p-a", "w01018", "2026-07-02", [30.0] * 24),
        samples("p-a", "w01012", ["2026-07-01", "2026-07-02"], [12.0, 8.0]),
    )
    outflow = result["plant_outflow"]
    assert (outflow["numerator"], outflow["denominator"], outflow["rate"]) == (1, 2, 50.0)
    assert outflow["failing"][0]["items"] == [
        {
            "code": "w01012",
            "name": "悬浮物",
            "failing_days": 1,
            "max_exceedance_multiple": 0.2,
            "days": ["2026-07-01"],
        }
    ]


@pytest.mark.parametrize(
    ("klass", "tn", "nh3n", "compliant_days"),
    [
        # Class 2: TN "—", NH3-N 25 (>12 °C): TN 35 is not judged, NH3-N 20 meets: the day meets.
        ("2", 35.0, 20.0, 1),
        # Class 3: NH3-N, TN and fecal coliform all "—": only COD 100 (<= 120) is judged.
        ("3", 60.0, 40.0, 1),
        # Class 1B: TN 20, TN 35 fails the day.
        ("1B", 35.0, 5.0, 0),
    ],
)
def test_a_class_without_a_limit_never_fails_the_day(
    tmp_path: Path, klass: str, tn: float, nh3n: float, compliant_days: int
) -> None:
    """GB 18918-2002 表1: "—" means the class sets no limit for the item."""
    config = county(tmp_path, [plant("p-a", klass)])
    cod = 100.0 if klass == "3" else 20.0
    result = rates(
        config,
        hourly("p-a", "w21001", "2026-07-01", [tn] * 24),
        hourly("p-a", "w21003", "2026-07-01", [nh3n] * 24),
        hourly("p-a", "w01018", "2026-07-01", [cod] * 24),
    )
    outflow = result["plant_outflow"]
    assert (outflow["numerator"], outflow["denominator"]) == (compliant_days, 1)


def test_every_site_in_scope_that_is_not_judged_says_why(tmp_path: Path) -> None:
    """No site leaves a rate's denominator silently."""
    config = county(
        tmp_path,
        [section("s-a", "z-river"), source("src-a", 1_200_000), plant("p-a", "1A")],
        [{"id": "z-river", "name": "河段", "target": "III"}],
    )
    result = rates(config, samples("s-a", "w21003", MONTHS[:1], [0.5]))
    assert result["drinking_water_sources"]["not_judged_reasons"] == [
        {"site": "src-a", "name": "src-a", "reason": "no_data", "text": "本时段无监测数据"}
    ]
    assert result["plant_outflow"]["not_judged"] == ["p-a"]
    assert result["functional_zone_sections"]["not_judged"] == []


def test_a_valid_online_mean_is_the_days_value_and_a_lab_result_stands_in_on_an_invalid_day(tmp_path: Path) -> None:
    """One value per item and day, never a mean of copies: the valid online daily mean where there is
    one, the lab result of a day whose online mean is invalid (fewer than 18 valid hours).

    1 July: online COD 30 for 24 hours (valid) and lab COD 60: 30 counts, meets 50. 2 July: online COD
    30 for 5 hours (invalid) and lab COD 60: 60 counts, fails, (60 - 50) / 50 = 0.2 times. 1 of 2 days.
    """
    config = county(tmp_path, [plant("p-a", "1A")])
    result = rates(
        config,
        hourly("p-a", "w01018", "2026-07-01", [30.0] * 24),
        hourly("p-a", "w01018", "2026-07-02", [30.0] * 5),
        samples("p-a", "w01018", ["2026-07-01", "2026-07-02"], [60.0, 60.0]),
    )
    outflow = result["plant_outflow"]
    assert (outflow["numerator"], outflow["denominator"]) == (1, 2)
    assert outflow["failing"][0]["items"][0]["days"] == ["2026-07-02"]
    assert outflow["failing"][0]["items"][0]["max_exceedance_multiple"] == 0.2
