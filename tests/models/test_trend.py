"""Spearman trend against the method's critical values."""

import numpy as np
import pytest
from scipy import stats

from models.period.trend import critical_value, seasonal_kendall, spearman_trend


def test_rising_nh3n_over_six_periods_is_significantly_worse() -> None:
    values = np.array([0.5, 0.6, 0.55, 0.8, 0.9, 1.1])
    trend = spearman_trend(values, parameter="w21003")
    # d = ranks(values) - ranks(order) = (0,1,-1,0,0,0): rs = 1 - 6*2/(6*35) = 0.943 >= 0.829
    assert trend.rs == pytest.approx(1 - 6 * 2 / (6 * 35))
    assert trend.critical_value == 0.829
    assert trend.verdict == "significantly worse"


def test_rising_dissolved_oxygen_is_better() -> None:
    assert spearman_trend(np.arange(8.0), parameter="w01009").verdict == "significantly better"


def test_below_the_critical_value_is_no_significant_change() -> None:
    values = np.array([1.0, 3.0, 2.0, 5.0, 4.0, 0.5, 6.0])
    rs = stats.spearmanr(np.arange(7), values).statistic
    assert abs(rs) < 0.714
    assert spearman_trend(values, parameter="w21011").verdict == "no significant change"


def test_critical_values_and_the_minimum_of_five_periods() -> None:
    assert critical_value(5) == 0.9 and critical_value(10, alpha=0.01) == 0.746
    assert critical_value(11) == 0.564  # between rows: the stricter row below
    with pytest.raises(ValueError, match="at least 5 periods"):
        spearman_trend(np.array([1.0, 2.0, 3.0, 4.0]), parameter="w21003")


def test_seasonal_kendall_by_hand() -> None:
    """Hirsch et al. 1982. Two seasons (January, July) over 2020-2023:
    Jan 1, 2, 4, 3: signs + + + + + − -> S = 4; July 5, 5, 6, 8: 0 + + + + + -> S = 5; S = 9.
    Var: Jan n = 4, no ties: 4·3·13/18 = 156/18; July one tie of 2: (156 − 2·1·9)/18 = 138/18;
    Var = 294/18 = 16.3333. Z = (9 − 1)/√16.3333 = 1.9795; p = 2(1 − Φ(1.9795)) = 0.0478 < 0.05.
    Sen's slope: Jan slopes 1, 1.5, 2/3, 2, 0.5, −1; July 0, 0.5, 1, 1, 1.5, 2; median of the
    twelve = (1 + 1)/2 = 1.0 per year. NH3-N rising: significantly worse."""
    years = np.array([2020, 2021, 2022, 2023] * 2)
    months = np.array([1] * 4 + [7] * 4)
    values = np.array([1, 2, 4, 3, 5, 5, 6, 8], dtype=float)
    test = seasonal_kendall(years, months, values, parameter="w21003")
    assert (test.s, test.seasons, test.n) == (9, 2, 8)
    assert test.variance == pytest.approx(294 / 18)
    assert test.z == pytest.approx(8 / np.sqrt(294 / 18))
    assert test.p == pytest.approx(0.0478, abs=0.0005)
    assert test.slope_per_year == pytest.approx(1.0)
    assert test.verdict == "significantly worse"
    assert seasonal_kendall(years, months, values, parameter="w01009").verdict == "significantly better"


def test_seasonal_kendall_needs_a_season_seen_twice() -> None:
    with pytest.raises(ValueError, match="two years"):
        seasonal_kendall(np.array([2020, 2020]), np.array([1, 2]), np.array([1.0, 2.0]), parameter="w21003")
