"""Spearman trend against the method's critical values."""

import numpy as np
import pytest
from scipy import stats

from models.period.trend import critical_value, spearman_trend


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
