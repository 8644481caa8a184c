"""Compliance rates, hand-worked: numerators, denominators and the sites that pull them down."""

from pathlib import Path

import pandas as pd
import pytest

from models.configuration import Configuration
from models.errors import ConfigError
from models.reading import empty_readings
from tests.rates_from_frames import rates_from_frames
from tests.reading_builders import hourly, monthly_days, samples

DECIMALS = {"w21003": 2, "w21011": 3, "w01019": 1, "w01010": 1}


def rates(county: Configuration, readings: pd.DataFrame) -> dict[str, dict]:
    return rates_from_frames(county, readings, DECIMALS)


def test_a_zone_section_failing_one_month_in_twelve(county: Configuration) -> None:
    # s-town (zone target III): NH3-N 0.5 every month but July, 1.6 (class V, 0.6 times over 1.0).
    values = [0.5] * 12
    values[6] = 1.6
    readings = pd.concat(
        [
            samples("s-town", "w21003", monthly_days(2026), values),
            samples("s-upstream", "w21003", monthly_days(2026), [0.3] * 12),
        ]
    )
    result = rates(county, readings)
    # Year mean 0.59 (III) meets the target: both sections meet, the one zone meets.
    sections = result["functional_zone_sections"]
    assert (sections["numerator"], sections["denominator"], sections["rate"]) == (2, 2, 100.0)
    assert result["functional_zones"]["rate"] == 100.0
    # By frequency: 23 of 24 monthly values meet.
    frequency = result["functional_zone_frequency"]
    assert (frequency["numerator"], frequency["denominator"], frequency["rate"]) == (23, 24, 95.83)
    assert frequency["failing"] == [
        {
            "site": "s-town",
            "name": "清河城区断面",
            "items": [{"code": "w21003", "name": "氨氮", "times": 1, "exceedance_multiple": 0.6}],
        }
    ]


def test_a_zone_fails_when_one_of_its_sections_fails_the_year(county: Configuration) -> None:
    readings = pd.concat(
        [
            samples("s-town", "w21003", monthly_days(2026), [1.2] * 12),
            samples("s-upstream", "w21003", monthly_days(2026), [0.3] * 12),
            samples("l-east", "w21003", monthly_days(2026), [0.3] * 12),
        ]
    )
    result = rates(county, readings)
    assert (result["functional_zone_sections"]["numerator"], result["functional_zone_sections"]["denominator"]) == (
        2,
        3,
    )
    zones = result["functional_zones"]
    assert (zones["numerator"], zones["denominator"], zones["rate"]) == (1, 2, 50.0)
    assert zones["failing"][0]["site"] == "s-town" and zones["failing"][0]["zone"] == "z-river-town"
    assert zones["failing"][0]["items"][0]["exceedance_multiple"] == 0.2


def test_drinking_water_sources_are_weighted_by_withdrawal_volume(county: Configuration) -> None:
    # src-east draws 3 000 000 m3/a, src-west 1 000 000 m3/a. In March src-west's TP (0.25, river
    # limit III 0.2) fails; every other month both meet class III.
    days = monthly_days(2026)[:3]
    readings = pd.concat(
        [
            samples("src-east", "w21011", days, [0.03, 0.03, 0.03]),
            samples("src-west", "w21011", days, [0.1, 0.1, 0.25]),
        ]
    )
    march = rates(county, readings.loc[readings["time"] >= pd.Timestamp("2026-03-01", tz="UTC")])
    sources = march["drinking_water_sources"]
    assert (sources["numerator"], sources["denominator"], sources["rate"]) == (250_000, 333_333.33, 75.0)
    assert sources["failing"][0]["site"] == "src-west"
    quarter = rates(county, readings)["drinking_water_sources"]
    # 9 of 12 source-months' volume: (3 * 250 000 + 2 * 83 333.33) / 1 000 000 = 91.67 %
    assert quarter["rate"] == 91.67
    assert quarter["unit"] == "m3"


def test_outgoing_sections_by_frequency(county: Configuration) -> None:
    readings = samples("s-outgoing", "w21011", monthly_days(2026)[:4], [0.1, 0.3, 0.1, 0.1])
    outgoing = rates(county, readings)["outgoing_sections"]
    assert (outgoing["numerator"], outgoing["denominator"], outgoing["rate"]) == (3, 4, 75.0)
    assert outgoing["failing"][0]["items"][0] == {
        "code": "w21011",
        "name": "总磷",
        "times": 1,
        "exceedance_multiple": 0.5,
    }


def test_plant_day_with_too_few_valid_hours_is_left_out(county: Configuration) -> None:
    # p-city is class 1A (NH3-N 5 mg/L above 12 °C, 8 mg/L at or below).
    readings = pd.concat(
        [
            hourly("p-city", "w21003", "2026-07-01", [4.0] * 24),  # meets
            hourly("p-city", "w21003", "2026-07-02", [6.0] * 24),  # fails: 0.2 times over 5
            hourly("p-city", "w21003", "2026-07-03", [9.0] * 17),  # 17 valid hours: not a valid day
            hourly("p-city", "w21003", "2026-07-04", [6.0] * 24),  # 6 > 5 but the water is cold:
            hourly("p-city", "w01010", "2026-07-04", [11.0] * 24),  # limit 8, meets
        ]
    )
    plant = rates(county, readings)["plant_outflow"]
    assert (plant["numerator"], plant["denominator"], plant["rate"]) == (2, 3, 66.67)
    assert plant["parts"] == [
        {"site": "p-city", "name": "城区污水处理厂", "numerator": 2, "denominator": 3, "rate": 66.67, "invalid_days": 1}
    ]
    assert plant["failing"] == [
        {
            "site": "p-city",
            "name": "城区污水处理厂",
            "items": [
                {
                    "code": "w21003",
                    "name": "氨氮",
                    "failing_days": 1,
                    "max_exceedance_multiple": 0.2,
                    "days": ["2026-07-02"],
                }
            ],
        }
    ]


def test_plants_are_judged_by_their_own_class_and_build_date(county: Configuration) -> None:
    # TP 0.8: p-city (1A, built 2010: limit 0.5) fails; p-old (1B, built 2004: limit 1.5) meets.
    readings = pd.concat(
        [hourly("p-city", "w21011", "2026-07-01", [0.8] * 24), hourly("p-old", "w21011", "2026-07-01", [0.8] * 24)]
    )
    plant = rates(county, readings)["plant_outflow"]
    assert [(p["site"], p["numerator"], p["denominator"]) for p in plant["parts"]] == [
        ("p-city", 0, 1),
        ("p-old", 1, 1),
    ]
    assert (plant["numerator"], plant["denominator"], plant["rate"]) == (1, 2, 50.0)


def test_nothing_judged_gives_no_rate_rather_than_zero(county: Configuration) -> None:
    result = rates(county, empty_readings())
    assert all(rate["rate"] is None and rate["denominator"] == 0 for rate in result.values())


def test_sites_without_data_are_listed_as_not_judged(county: Configuration) -> None:
    result = rates(county, samples("s-town", "w21003", monthly_days(2026)[:1], [0.5]))
    assert result["functional_zone_sections"]["not_judged"] == ["l-east", "s-outgoing", "s-upstream"]
    assert result["drinking_water_sources"]["not_judged"] == ["src-east", "src-west"]
    assert result["plant_outflow"]["not_judged"] == ["p-city", "p-old"]


def test_a_source_lists_its_configured_items_that_were_never_measured(county: Configuration) -> None:
    readings = samples("src-east", "w21011", monthly_days(2026)[:2], [0.03, 0.03])
    parts = rates(county, readings)["drinking_water_sources"]["parts"]
    assert parts == [
        {
            "site": "src-east",
            "name": "东湖水库水源地",
            "yardstick": "GB3838-2002 III",
            "volume_m3": 500000.0,
            "compliant_volume_m3": 500000.0,
            "months": 2,
            "compliant_months": 2,
            "volume_basis": "yearly/12",
            "unmeasured_items": ["w01001", "w01009", "w01019", "w21003"],
        }
    ]


def test_a_monitored_item_outside_the_catalogue_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "sites.yaml").write_text(
        "sites:\n  - {id: src-x, name: X, kind: source, standard: GB3838-2002, target: III,\n"
        "     withdrawal_m3_per_year: 1, items: [总磷, 铀]}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="sites.yaml: site 'src-x': item '铀' is not in the parameter catalogue"):
        Configuration.load(tmp_path)
