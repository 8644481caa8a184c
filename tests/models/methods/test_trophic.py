"""TLI(Σ) worked by hand (湖泊（水库）富营养化评价方法及分级技术规定; 环办〔2011〕22号; digest §3.7)."""

import numpy as np
import pandas as pd
import pytest

from models.methods.trophic import trophic_index, trophic_state


def _values(**by_code: float) -> pd.DataFrame:
    return pd.DataFrame({"site": "hk-01", "parameter": list(by_code), "value": list(by_code.values())})


FIVE = {"x-chlorophyll-a": 0.010, "w21011": 0.05, "w21001": 1.0, "x-transparency": 1.0, "w01019": 4.0}


def test_tli_of_five_values_worked_by_hand() -> None:
    """chl a 0.010 mg/L = 10 mg/m³, TP 0.05, TN 1.0, SD 1.0 m, CODMn 4 mg/L.

    TLI(chl)   = 10 (2.5 + 1.086 ln 10)     = 10 (2.5 + 1.086 × 2.302585)  = 50.00607
    TLI(TP)    = 10 (9.436 + 1.624 ln 0.05) = 10 (9.436 − 1.624 × 2.995732) = 45.70931
    TLI(TN)    = 10 (5.453 + 1.694 ln 1)    = 54.53
    TLI(SD)    = 10 (5.118 − 1.94 ln 1)     = 51.18
    TLI(CODMn) = 10 (0.109 + 2.661 ln 4)    = 10 (0.109 + 2.661 × 1.386294) = 37.97929
    Σ r² TLI = 50.00607 + 0.7056×45.70931 + 0.6724×54.53 + 0.6889×51.18 + 0.6889×37.97929
             = 50.00607 + 32.25249 + 36.66597 + 35.25790 + 26.16393 = 180.34636
    TLI(Σ) = 180.34636 / 3.7558 = 48.018 -> 中营养 (30 ≤ TLI ≤ 50)
    """
    result = trophic_index(_values(**FIVE)).iloc[0]
    assert result["tli"] == pytest.approx(48.02, abs=0.005)
    assert result["state"] == "mesotrophic" and result["state_zh"] == "中营养"
    assert result["parameters"] == ["x-chlorophyll-a", "w21011", "w21001", "x-transparency", "w01019"]
    assert result["missing"] == [] and not result["reweighted"]


def test_fewer_parameters_reweight_over_those_measured() -> None:
    """Without SD and CODMn the weights are r² / (1 + 0.7056 + 0.6724) = r² / 2.378:
    (50.00607 + 32.25249 + 36.66597) / 2.378 = 118.92453 / 2.378 = 50.0103 -> 轻度富营养 (> 50)."""
    values = _values(**{k: v for k, v in FIVE.items() if k in ("x-chlorophyll-a", "w21011", "w21001")})
    result = trophic_index(values).iloc[0]
    assert result["tli"] == pytest.approx(50.01, abs=0.005)
    assert result["state_zh"] == "轻度富营养"
    assert result["missing"] == ["x-transparency", "w01019"] and result["reweighted"]


def test_band_edges() -> None:
    """< 30 贫; 30 ≤ TLI ≤ 50 中; 50 < TLI ≤ 60 轻度; 60 < TLI ≤ 70 中度; > 70 重度."""
    states = trophic_state(np.array([29.99, 30.0, 50.0, 50.01, 60.0, 60.01, 70.0, 70.01, np.nan]))
    assert list(states) == [
        "oligotrophic", "mesotrophic", "mesotrophic", "light eutrophic", "light eutrophic",
        "middle eutrophic", "middle eutrophic", "hyper eutrophic", None,
    ]  # fmt: skip


def test_a_site_without_trophic_parameters_has_no_row_and_zero_is_missing() -> None:
    values = pd.concat([_values(w21003=0.5).assign(site="s-01"), _values(**{"x-chlorophyll-a": 0.0, "w21011": 0.05})])
    result = trophic_index(values)
    assert result["site"].tolist() == ["hk-01"]
    assert result.iloc[0]["parameters"] == ["w21011"]  # chl a 0 has no logarithm: missing
