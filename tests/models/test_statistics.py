"""Period values: daily validity, ½ DL non-detects, pH through [H+], rounding, auto vs manual."""

import numpy as np
import pandas as pd
import pytest

from models.configuration import Configuration
from models.period.statistics import daily_means, monthly_values, period_values, round_to_decimals
from models.reading import empty_readings
from tests.reading_builders import hourly, samples

DECIMALS = {"w21003": 2, "w21011": 3, "w01001": 2, "w01019": 1, "w20122": 3}


def test_a_day_with_17_valid_hours_is_invalid_and_18_is_valid() -> None:
    # 24 hours, 7 of them flagged (maintenance M, calibration C, fault D): 17 valid hours.
    flags = ["N"] * 17 + ["M", "M", "C", "D", "D", "D", "T"]
    day1 = hourly("p-city", "w21003", "2026-07-01", [2.0] * 17 + [50.0] * 7, flags=flags)
    day2 = hourly("p-city", "w21003", "2026-07-02", [3.0] * 18)
    daily = daily_means(pd.concat([day1, day2]))
    assert daily["n_values"].tolist() == [17, 18]
    assert daily["valid"].tolist() == [False, True]
    # flagged values never enter the mean
    assert daily["value"].tolist() == [2.0, 3.0]


def test_the_minimum_of_valid_hours_is_configurable() -> None:
    daily = daily_means(hourly("p-city", "w21003", "2026-07-01", [1.0] * 12), min_valid_hours=12)
    assert daily["valid"].tolist() == [True]
    with pytest.raises(ValueError, match="between 1 and 24"):
        daily_means(empty_readings(), min_valid_hours=0)


def test_days_are_local_calendar_days() -> None:
    # 00:00-23:00 Asia/Shanghai is 16:00 UTC the day before to 15:00 UTC.
    daily = daily_means(hourly("p-city", "w01018", "2026-07-01", [10.0] * 24))
    assert len(daily) == 1
    assert daily["day"].iloc[0] == pd.Timestamp("2026-06-30 16:00", tz="UTC")


def test_ph_is_averaged_through_hydrogen_ion_concentration() -> None:
    daily = daily_means(hourly("p-city", "w01001", "2026-07-01", [6.0] * 12 + [8.0] * 12))
    expected = -np.log10((1e-6 + 1e-8) / 2)  # 6.30, not the arithmetic 7.0
    assert daily["value"].iloc[0] == pytest.approx(expected)


def test_non_detects_enter_means_at_half_the_detection_limit() -> None:
    frame = samples("s-town", "w21003", ["2026-03-05", "2026-03-20"], [0.025, 0.5], non_detect=[True, False])
    monthly = monthly_values(daily_means(empty_readings()), frame, decimals=DECIMALS)
    assert monthly["value"].tolist() == [0.26]  # (0.0125 + 0.5) / 2 = 0.25625 -> 0.26
    assert not monthly["non_detect"].iloc[0]


def test_a_mean_of_only_non_detects_is_half_their_detection_limit_and_a_value() -> None:
    """环办监测函〔2020〕82号 point 7: non-detects take part in means as ½ DL; the mean is judged as a value."""
    frame = samples("s-town", "w20122", ["2026-03-05", "2026-03-20"], [0.05, 0.05], non_detect=[True, True])
    monthly = monthly_values(daily_means(empty_readings()), frame, decimals=DECIMALS)
    assert monthly["value"].tolist() == [0.025]  # (0.025 + 0.025) / 2, Cu kept to 3 decimals
    assert monthly["non_detect"].tolist() == [False]


def test_a_lone_non_detect_stays_a_non_detect_at_its_limit() -> None:
    """One sample in the month is the month's value: judged as a single sample, by its detection limit."""
    frame = samples("s-town", "w20122", ["2026-03-05"], [0.05], non_detect=[True])
    monthly = monthly_values(daily_means(empty_readings()), frame, decimals=DECIMALS)
    assert monthly["value"].tolist() == [0.05]
    assert monthly["non_detect"].tolist() == [True]


def test_rounding_is_half_to_even_on_the_catalogue_digits() -> None:
    codes = pd.Series(["w21003", "w21003", "w21003", "w01010x"])
    rounded = round_to_decimals(codes, np.array([0.125, 0.135, 0.145, 1.23456]), {"w21003": 2})
    assert rounded.tolist() == [0.12, 0.14, 0.14, 1.23456]


def test_automatic_data_are_preferred_for_nh3n_and_manual_samples_for_other_items() -> None:
    auto = pd.concat(
        [
            hourly("s-town", "w21003", "2026-03-01", [0.4] * 6),
            hourly("s-town", "w20122", "2026-03-01", [0.9] * 6),
        ]
    )
    manual = pd.concat(
        [
            samples("s-town", "w21003", ["2026-03-10"], [1.2]),
            samples("s-town", "w20122", ["2026-03-10"], [0.02]),
        ]
    )
    monthly = monthly_values(daily_means(auto, min_valid_hours=1), manual, decimals=DECIMALS)
    chosen = monthly.set_index("parameter")
    assert chosen.loc["w21003", "value"] == 0.4 and chosen.loc["w21003", "basis"] == "auto"
    assert chosen.loc["w20122", "value"] == 0.02 and chosen.loc["w20122", "basis"] == "manual"
    # manual samples count as the month's value when there are no automatic data
    only_manual = monthly_values(daily_means(empty_readings()), manual, decimals=DECIMALS)
    assert only_manual.set_index("parameter").loc["w21003", "value"] == 1.2


def test_period_values_say_how_many_months_and_values_they_rest_on(county: Configuration) -> None:
    days = [f"2026-{m:02d}-10" for m in (1, 2, 3)]
    frame = pd.concat(
        [samples("s-town", "w21003", days, [0.5, 0.6, 0.71]), samples("s-town", "w21003", ["2026-01-20"], [0.7])]
    )
    monthly = monthly_values(daily_means(empty_readings()), frame, decimals=DECIMALS)
    assert monthly["value"].tolist() == [0.6, 0.6, 0.71]
    period = period_values(monthly, decimals=DECIMALS)
    row = period.iloc[0]
    assert (row["value"], row["n_months"], row["n_values"]) == (0.64, 3, 4)
