"""Lake and reservoir trophic state: the comprehensive trophic level index TLI(Σ).

Method: 湖泊（水库）富营养化评价方法及分级技术规定 (中国环境监测总站, 2001), taken over by
地表水环境质量评价办法（试行）(环办〔2011〕22号) for lakes and reservoirs (standards digest §3.7):

    TLI(Σ) = Σ Wj · TLI(j),   Wj = rij² / Σ rij²   (chlorophyll a is the reference parameter)

    TLI(chl) = 10 (2.5   + 1.086 ln chl)     chl in mg/m³ (= µg/L)
    TLI(TP)  = 10 (9.436 + 1.624 ln TP)      TP  in mg/L
    TLI(TN)  = 10 (5.453 + 1.694 ln TN)      TN  in mg/L
    TLI(SD)  = 10 (5.118 − 1.94  ln SD)      SD  in m
    TLI(CODMn) = 10 (0.109 + 2.661 ln CODMn) CODMn in mg/L

    rij: chl 1, TP 0.84, TN 0.82, SD −0.83, CODMn 0.83 (the weights use rij², so the sign of SD's
    correlation does not matter).

Bands: TLI < 30 贫营养; 30 ≤ TLI ≤ 50 中营养; TLI > 50 富营养, split 50 < TLI ≤ 60 轻度富营养,
60 < TLI ≤ 70 中度富营养, TLI > 70 重度富营养 (digest §3.7: band edges [B]).

Fewer parameters: the 规定 writes Wj = rij² / Σ(j=1..m) rij² with m "the number of parameters
evaluated" (read in a public copy of the 规定, m.jinchutou.com/shtml/view-556588818.html, which
also gives the formulas, rij and units above), so with fewer than five measured in the period
the weights are normalised over those measured. The result lists the parameters used and those
missing, and says `reweighted`, so a reader sees the index rests on fewer.

The catalogue stores chlorophyll a in mg/L (config/parameters.yaml): it is converted to mg/m³
(× 1000) here. Zero or negative values have no logarithm and are left out as missing.
"""

from typing import Final, Literal

import numpy as np
import pandas as pd

TrophicState = Literal["oligotrophic", "mesotrophic", "light eutrophic", "middle eutrophic", "hyper eutrophic"]
STATE_ZH: Final[dict[str, str]] = {
    "oligotrophic": "贫营养",
    "mesotrophic": "中营养",
    "light eutrophic": "轻度富营养",
    "middle eutrophic": "中度富营养",
    "hyper eutrophic": "重度富营养",
}

CHLOROPHYLL_A: Final = "x-chlorophyll-a"
TOTAL_PHOSPHORUS: Final = "w21011"
TOTAL_NITROGEN: Final = "w21001"
TRANSPARENCY: Final = "x-transparency"
PERMANGANATE: Final = "w01019"

# code: (rij with chl a, a, b, factor to the formula's unit) for TLI(j) = 10 (a + b ln(x · factor))
PARAMETERS: Final[dict[str, tuple[float, float, float, float]]] = {
    CHLOROPHYLL_A: (1.0, 2.5, 1.086, 1000.0),  # catalogue mg/L -> mg/m³
    TOTAL_PHOSPHORUS: (0.84, 9.436, 1.624, 1.0),
    TOTAL_NITROGEN: (0.82, 5.453, 1.694, 1.0),
    TRANSPARENCY: (-0.83, 5.118, -1.94, 1.0),
    PERMANGANATE: (0.83, 0.109, 2.661, 1.0),
}
CODES: Final[tuple[str, ...]] = tuple(PARAMETERS)


def partial_indices(codes: np.ndarray, values: np.ndarray) -> np.ndarray:
    """TLI(j) of each value (NaN for codes that are not trophic parameters or values ≤ 0)."""
    codes = np.asarray(codes, dtype=object)
    values = np.asarray(values, dtype=float)
    out = np.full(len(values), np.nan)
    for code, (_, a, b, factor) in PARAMETERS.items():
        rows = (codes == code) & (values > 0)
        out[rows] = 10.0 * (a + b * np.log(values[rows] * factor))
    return out


def trophic_state(tli: np.ndarray) -> np.ndarray:
    """The band of each TLI(Σ) (None where NaN)."""
    tli = np.asarray(tli, dtype=float)
    states = np.select(
        [tli < 30, tli <= 50, tli <= 60, tli <= 70, tli > 70],
        ["oligotrophic", "mesotrophic", "light eutrophic", "middle eutrophic", "hyper eutrophic"],
        default="",
    ).astype(object)
    states[np.isnan(tli)] = None
    return states


def trophic_index(values: pd.DataFrame, *, by: tuple[str, ...] = ("site",)) -> pd.DataFrame:
    """TLI(Σ) per group of `by` from period values (columns: *by, parameter, value).

    Returns one row per group that has at least one trophic parameter: *by, ``tli`` (rounded to
    2 decimals), ``state``, ``state_zh``, ``parameters`` (codes used, method order), ``missing``
    (codes of the five not available) and ``reweighted`` (fewer than five used).
    """
    keys = list(by)
    columns = [*keys, "tli", "state", "state_zh", "parameters", "missing", "reweighted"]
    rows = values.loc[values["parameter"].isin(CODES), [*keys, "parameter", "value"]]
    partial = partial_indices(rows["parameter"].to_numpy(), rows["value"].to_numpy())
    rows = rows.assign(partial=partial).loc[~np.isnan(partial)]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    r2 = {code: spec[0] ** 2 for code, spec in PARAMETERS.items()}
    rows = rows.assign(r2=rows["parameter"].map(r2).to_numpy(float))
    rows = rows.assign(weighted=rows["r2"] * rows["partial"])
    grouped = rows.groupby(keys, sort=True, observed=True)
    result = grouped.agg(weighted=("weighted", "sum"), r2=("r2", "sum")).reset_index()
    tli = result["weighted"].to_numpy() / result["r2"].to_numpy()
    used = grouped["parameter"].agg(lambda codes: [c for c in CODES if c in set(codes)]).reset_index(drop=True)
    result["tli"] = np.round(tli, 2)
    result["state"] = trophic_state(tli)
    result["state_zh"] = [STATE_ZH[s] for s in result["state"]]
    result["parameters"] = used.to_list()
    result["missing"] = [[c for c in CODES if c not in u] for u in result["parameters"]]
    result["reweighted"] = [len(u) < len(CODES) for u in result["parameters"]]
    return result[columns]
