"""The alert rules on hand-made frames: each fires past its boundary and not at it."""

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from models.alerts.config import AlertConfig
from models.alerts.rules import (
    daily_mean_conditions,
    evaluate_readings,
    flag_conditions,
    gap_conditions,
    limit_conditions,
    quality_conditions,
    recovery_conditions,
)
from models.configuration import Configuration
from models.errors import ConfigError
from models.reading import empty_readings
from tests.alerts.conftest import T0, readings

RULES = AlertConfig()


def fired(conditions: pd.DataFrame, rule: str) -> list[bool]:
    """The firing column of one rule's rows, in time order."""
    return conditions.loc[conditions["rule"] == rule, "firing"].tolist()


class TestExceedance:
    def test_plant_hourly_value_over_its_class_limit(self, county: Configuration) -> None:
        # GB 18918 表1 第1项: COD 1A limit 50 mg/L; a value equal to the limit meets it.
        result = limit_conditions(readings([50.0, 50.1]), county, RULES)
        rows = result.loc[result["rule"] == "exceedance"]
        assert rows["firing"].tolist() == [False, True]
        assert rows["limit"].tolist() == [50.0, 50.0]
        assert rows["multiple"].iloc[1] == pytest.approx(0.002)

    def test_severity_from_the_exceedance_multiple(self, county: Configuration) -> None:
        result = limit_conditions(readings([99.9, 100.0]), county, RULES)
        rows = result.loc[result["rule"] == "exceedance"]
        assert rows["severity"].tolist() == ["warning", "critical"]  # multiple 0.998 vs 1.0
        strict = AlertConfig.from_mapping({"exceedance": {"critical_multiple": 0.5}})
        rows = limit_conditions(readings([74.9, 75.0]), county, strict)
        assert rows.loc[rows["rule"] == "exceedance", "severity"].tolist() == ["warning", "critical"]

    def test_daily_mean_is_its_own_rule(self, county: Configuration) -> None:
        result = limit_conditions(readings([50.1], statistic="day_avg", step="1D"), county, RULES)
        assert fired(result, "daily_exceedance") == [True]
        assert fired(result, "exceedance") == []

    def test_section_against_its_zone_target_class(self, county: Configuration) -> None:
        # GB 3838 表1 NH3-N class III limit 1.0 mg/L (zone target III).
        result = limit_conditions(readings([1.0, 1.01], site="qs-01", parameter="w21003", step="4h"), county, RULES)
        assert fired(result, "exceedance") == [False, True]

    def test_lower_bound_and_range_items(self, county: Configuration) -> None:
        # DO class III: ≥ 5 mg/L; pH 6–9. Neither has an exceedance multiple (环办〔2011〕22号).
        do = limit_conditions(readings([5.0, 4.9], site="qs-01", parameter="w01009", step="4h"), county, RULES)
        rows = do.loc[do["rule"] == "exceedance"]
        assert rows["firing"].tolist() == [False, True]
        assert rows["detail"].iloc[1] == "lower" and rows["limit"].iloc[1] == 5.0
        assert rows["severity"].iloc[1] == "warning" and pd.isna(rows["multiple"].iloc[1])
        ph = limit_conditions(readings([9.0, 9.1, 5.9], site="qs-01", parameter="w01001", step="4h"), county, RULES)
        rows = ph.loc[ph["rule"] == "exceedance"]
        assert rows["firing"].tolist() == [False, True, True]
        assert rows["limit"].tolist() == [9.0, 9.0, 6.0]

    def test_flagged_data_is_not_judged(self, county: Configuration) -> None:
        result = limit_conditions(readings([80.0, 80.0], flags=["D", "M"]), county, RULES)
        assert result.empty

    def test_unknown_sites_and_items_without_limits_give_nothing(self, county: Configuration) -> None:
        assert limit_conditions(readings([80.0], site="nowhere"), county, RULES).empty
        assert limit_conditions(readings([3.0], parameter="w01010"), county, RULES).empty  # temperature

    def test_switched_off(self, county: Configuration) -> None:
        rules = AlertConfig.from_mapping({"exceedance": {"enabled": False}, "early_warning": {"enabled": False}})
        assert limit_conditions(readings([80.0]), county, rules).empty


class TestEarlyWarning:
    def test_fires_above_the_share_of_the_limit(self, county: Configuration) -> None:
        result = limit_conditions(readings([40.0, 40.1, 50.0, 50.1]), county, RULES)
        # 80 % of 50 is 40: 40 clears, 40.1 and 50 warn, 50.1 is an exceedance (no early-warning row).
        assert fired(result, "early_warning") == [False, True, True]

    def test_share_is_configurable(self, county: Configuration) -> None:
        rules = AlertConfig.from_mapping({"early_warning": {"share": 0.9}})
        assert fired(limit_conditions(readings([45.0, 45.1]), county, rules), "early_warning") == [False, True]


class TestGap:
    def last_seen(self, site: str, time: pd.Timestamp) -> pd.DataFrame:
        return pd.DataFrame({"site": [site], "parameter": ["w01018"], "time": [time]})

    def test_plant_gap_after_three_expected_intervals(self, county: Configuration) -> None:
        seen = self.last_seen("cd-wwtp", T0)
        at = (T0 + pd.Timedelta(minutes=180)).to_pydatetime()
        assert gap_conditions(seen, county, RULES, now=at).empty
        result = gap_conditions(seen, county, RULES, now=at + dt.timedelta(minutes=1))
        assert result["firing"].tolist() == [True]
        assert result[["value", "limit", "reference"]].iloc[0].tolist() == [181.0, 180.0, 60.0]

    def test_site_interval_and_multiple_from_config(self, county: Configuration) -> None:
        seen = self.last_seen("sk-src", T0)  # expected_interval_minutes: 1440
        rules = AlertConfig.from_mapping({"gap": {"multiple": 2}})
        assert gap_conditions(seen, county, rules, now=(T0 + pd.Timedelta(hours=48)).to_pydatetime()).empty
        later = (T0 + pd.Timedelta(hours=48, minutes=1)).to_pydatetime()
        assert len(gap_conditions(seen, county, rules, now=later)) == 1

    def test_data_ends_a_gap(self) -> None:
        result = recovery_conditions(readings([1.0, 2.0]), RULES)
        assert fired(result, "gap") == [False]


class TestConstant:
    def test_fires_on_the_nth_equal_value(self) -> None:
        result = quality_conditions(readings([12.0] * 5 + [12.0, 12.1]), empty_readings(), county_catalogue(), RULES)
        assert fired(result, "constant") == [False] * 5 + [True, False]

    def test_counts_history_before_the_batch(self) -> None:
        history = readings([12.0] * 3)
        batch = readings([12.0, 12.0, 12.0], start=T0 + pd.Timedelta(hours=3))
        result = quality_conditions(batch, history, county_catalogue(), RULES)
        assert fired(result, "constant") == [False, False, True]

    def test_non_detects_and_samples_are_not_stuck_analysers(self) -> None:
        samples = readings([0.5] * 8, statistic="sample", step="30D")
        assert fired(quality_conditions(samples, empty_readings(), county_catalogue(), RULES), "constant") == []


class TestImplausible:
    @pytest.mark.parametrize(
        ("parameter", "ok", "bad"),
        [("w01018", 0.0, -0.1), ("w01001", 14.0, 14.1), ("w01010", -5.0, -5.1), ("w20122", 0.0, -0.001)],
    )
    def test_outside_the_plausible_range(self, parameter: str, ok: float, bad: float) -> None:
        frame = readings([ok, bad], parameter=parameter)
        assert fired(quality_conditions(frame, empty_readings(), county_catalogue(), RULES), "implausible") == [
            False,
            True,
        ]


class TestSpike:
    def test_jump_against_the_recent_median(self) -> None:
        history = readings([10.0, 11.0, 10.0, 9.0, 10.0])
        # median 10: |v − 10| > 3 × 10 fires.
        for value, expected in ((40.0, False), (40.1, True)):
            batch = readings([value], start=T0 + pd.Timedelta(hours=5))
            result = quality_conditions(batch, history, county_catalogue(), RULES)
            assert fired(result, "spike") == [expected]

    def test_absolute_change_for_ph(self) -> None:
        history = readings([7.0, 7.0, 7.1], parameter="w01001")
        for value, expected in ((9.0, False), (9.01, True)):
            batch = readings([value], parameter="w01001", start=T0 + pd.Timedelta(hours=3))
            assert fired(quality_conditions(batch, history, county_catalogue(), RULES), "spike") == [expected]

    def test_needs_history(self) -> None:
        frame = readings([10.0, 10.0, 100.0])  # two values before the jump; min_history is 3
        assert fired(quality_conditions(frame, empty_readings(), county_catalogue(), RULES), "spike") == []


class TestFlags:
    def test_fault_flags_raise_and_normal_data_clears(self) -> None:
        result = flag_conditions(readings([1.0, 1.0, 1.0, 1.0], flags=["D", "M", "S", "N"]), RULES)
        assert result["firing"].tolist() == [True, True, False]
        assert result["severity"].tolist()[:2] == ["critical", "warning"]

    def test_configured_flags_only(self) -> None:
        rules = AlertConfig.from_mapping({"fault_flag": {"flags": {"D": "warning"}}})
        assert flag_conditions(readings([1.0, 1.0], flags=["M", "D"]), rules)["severity"].tolist() == ["warning"]


def test_pull_data_ends_a_source_error() -> None:
    result = recovery_conditions(readings([1.0], source="pull:provincial"), RULES)
    row = result.loc[result["rule"] == "source_error"].iloc[0]
    assert (row["site"], row["parameter"], row["firing"]) == ("provincial", "", False)


def test_evaluate_readings_is_in_time_order(county: Configuration) -> None:
    result = evaluate_readings(readings([30.0] * 7 + [62.0, -1.0]), empty_readings(), county, RULES)
    assert result["time"].is_monotonic_increasing
    assert set(result.loc[result["firing"], "rule"]) == {"constant", "exceedance", "implausible"}


class TestConfig:
    def test_shipped_file_is_the_defaults(self) -> None:
        assert AlertConfig.load() == AlertConfig()

    def test_errors_name_the_file_and_field(self, tmp_path: Path) -> None:
        (tmp_path / "alerts.yaml").write_text("constant:\n  repeats: 1\n", encoding="utf-8")
        with pytest.raises(ConfigError, match=r"alerts.yaml: constant.repeats: .*greater than or equal to 2"):
            AlertConfig.load(tmp_path)

    def test_unknown_keys_are_refused(self) -> None:
        with pytest.raises(ConfigError, match="gap.multipel"):
            AlertConfig.from_mapping({"gap": {"multipel": 2}})

    def test_webhook_secret_env_must_be_a_variable_name(self) -> None:
        with pytest.raises(ConfigError, match=r"webhooks.0.secret_env"):
            AlertConfig.from_mapping({"webhooks": [{"name": "a", "url": "http://x", "secret_env": "no spaces"}]})


def county_catalogue():  # type: ignore[no-untyped-def]
    return Configuration.load().catalogue


class TestDailyMeanOfHours:
    LOCAL_MIDNIGHT = pd.Timestamp("2026-05-31 16:00", tz="UTC")  # 2026-06-01 00:00 Asia/Shanghai

    def test_judged_once_the_day_has_enough_hours(self, county: Configuration) -> None:
        hours = readings([60.0] * 18, start=self.LOCAL_MIDNIGHT)
        early = daily_mean_conditions(hours.head(17), empty_readings(), county, RULES)
        assert early.empty  # 17 hours < daily_min_hours 18
        result = daily_mean_conditions(hours.tail(1), hours.head(17), county, RULES)
        row = result.iloc[0]
        assert (row["rule"], row["statistic"], row["value"], row["firing"]) == (
            "daily_exceedance",
            "day_avg",
            60.0,
            True,
        )
        assert row["time"] == hours["time"].iloc[-1]

    def test_mean_not_single_hours(self, county: Configuration) -> None:
        # 17 hours at 48 and one at 80: hourly exceedance, daily mean 49.8 meets the 1A limit 50.
        hours = readings([48.0] * 17 + [80.0], start=self.LOCAL_MIDNIGHT)
        result = evaluate_readings(hours.tail(1), hours.head(17), county, RULES)
        assert fired(result, "exceedance") == [True]
        assert fired(result, "daily_exceedance") == [False]

    def test_local_days_and_flags(self, county: Configuration) -> None:
        # The 18 hours straddle local midnight: neither local day has 18 valid hours.
        straddling = readings([60.0] * 18, start=self.LOCAL_MIDNIGHT - pd.Timedelta(hours=9))
        assert daily_mean_conditions(straddling, empty_readings(), county, RULES).empty
        flagged = readings([60.0] * 18, start=self.LOCAL_MIDNIGHT, flags=["N"] * 17 + ["D"])
        assert daily_mean_conditions(flagged, empty_readings(), county, RULES).empty

    def test_sections_and_switch(self, county: Configuration) -> None:
        section = readings([2.0] * 24, site="qs-01", parameter="w21003", start=self.LOCAL_MIDNIGHT)
        assert daily_mean_conditions(section, empty_readings(), county, RULES).empty
        off = AlertConfig.from_mapping({"exceedance": {"daily_from_hours": False}})
        hours = readings([60.0] * 18, start=self.LOCAL_MIDNIGHT)
        assert daily_mean_conditions(hours, empty_readings(), county, off).empty


def test_reference_items_are_not_judged(county: Configuration) -> None:
    # GB 3838 TN is a reference item of the 2011 method: 3 mg/L (class V) raises nothing.
    assert limit_conditions(readings([3.0], site="qs-01", parameter="w21001", step="4h"), county, RULES).empty


def test_must_not_be_detected(county: Configuration) -> None:
    from models.alerts.messages import render_message

    result = limit_conditions(readings([0.00002], parameter="w20113"), county, RULES)  # alkyl mercury, detected
    (row,) = result.loc[result["rule"] == "exceedance"].to_dict("records")
    assert row["firing"] and row["severity"] == "warning"
    assert render_message(row, county).endswith("检出，一级A标准要求不得检出")


def test_previous_median_matches_pandas_rolling() -> None:
    from models.alerts.rules import _previous_median

    rng = np.random.default_rng(3)
    series = np.sort(rng.integers(0, 6, 300))
    values = rng.normal(10, 3, 300).round(1)
    expected = (
        pd.Series(values).groupby(series).transform(lambda s: s.shift(1).rolling(5, min_periods=3).median()).to_numpy()
    )
    np.testing.assert_allclose(_previous_median(values, series, window=5, min_count=3), expected, equal_nan=True)
