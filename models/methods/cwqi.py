"""The city water-quality index CWQI and its change ΔCWQI, for ranking.

Method: 城市地表水环境质量排名技术规定（试行）(环办监测〔2017〕51号). The text of the 规定 itself
could not be read here; what follows is its formula as restated by a structured public
implementation of the 2017 规定 (github sm1lewc/Silence.SurfaceWater, CWQICalculatorV2017) and
by provincial ranking notices that use it (e.g. the Ningxia quarterly ranking notice: CWQI
ranked ascending, smaller is better; ΔCWQI negative = better). Reviewer: check against the 规定.

* Items: the 21 items of GB 3838-2002 Table 1 that the 2011 method evaluates (all of Table 1
  except water temperature, total nitrogen and fecal coliform).
* Index of one item, against its class III limit Cs (GB 3838-2002 Table 1; lakes and
  reservoirs take the lake TP limit 0.05 mg/L):
    ordinary items   CWQI(i) = C(i) / Cs(i)
    dissolved oxygen CWQI(DO) = Cs(DO) / C(DO)            (Cs = 5 mg/L, a lower limit)
    pH               CWQI(pH) = (7 − pH) / (7 − 6)  for pH ≤ 7
                     CWQI(pH) = (pH − 7) / (9 − 7)  for pH > 7
* A section's CWQI = Σ CWQI(i) over its items.
* A river's (lake's) CWQI = arithmetic mean of its sections' (points') CWQI.
* The city's CWQI combines rivers and lakes weighted by their numbers of sections and points,
  i.e. the mean over all sections and points. This weighting is recalled, not read ([C]):
  `county_cwqi` takes the weights as an argument so a bureau can follow its province.
* ΔCWQI = (CWQI now − CWQI base) / CWQI base × 100 %.
* Read in the Ministry's release of the 规定 (中国环境报, 2017-06-16): cities rank by CWQI lowest
  first and by ΔCWQI lowest (most improved) first; a city whose every section is class II or
  better and meets its target both in the base year and now is left out of the ΔCWQI ranking
  (service/ratings_view.py, `cwqi_change_ranked`); a city whose upstream incoming section fails
  its target has the upstream influence deducted first, under the 水十条 assessment rules. That
  deduction is not implemented: its rules are not in the release.

Values below the detection limit enter as ½ DL (环办监测函〔2020〕82号 point 7), as in every
other mean of this project. Items a section lacks are left out of its sum; ``n_items`` says
how many it rests on, since sums over different item sets do not compare.
"""

from collections.abc import Mapping
from typing import Final

import numpy as np
import pandas as pd

from models.standards.classification import CLASS_III
from models.standards.limits import LimitTable

PH: Final = "w01001"
DISSOLVED_OXYGEN: Final = "w01009"
PH_NEUTRAL: Final = 7.0
PH_LOW, PH_HIGH = 6.0, 9.0  # GB 3838-2002 表1 第2项, 6-9 for every class
CWQI_ITEMS: Final[tuple[str, ...]] = (
    "w01001", "w01009", "w01019", "w01018", "w01017", "w21003", "w21011", "w20122", "w20123", "w21017",
    "w20128", "w20119", "w20111", "w20115", "w20117", "w20120", "w21016", "w23002", "w22001", "w19002",
    "w21019",
)  # fmt: skip


def class_iii_limits(table: LimitTable) -> dict[str, float]:
    """Class III limit Cs of each CWQI item in `table` (lower limit for DO)."""
    limits: dict[str, float] = {}
    for row, code in enumerate(table.codes):
        if code not in CWQI_ITEMS or code == PH:
            continue
        bound = table.bound[row]
        limits[str(code)] = float(table.low[row, CLASS_III] if bound == "lower" else table.high[row, CLASS_III])
    return limits


def item_indices(codes: np.ndarray, values: np.ndarray, limits: np.ndarray) -> np.ndarray:
    """CWQI(i) of each value given its class III limit (NaN for codes that are not CWQI items)."""
    codes = np.asarray(codes, dtype=object)
    values = np.asarray(values, dtype=float)
    limits = np.asarray(limits, dtype=float)
    is_item = np.isin(codes, CWQI_ITEMS)
    with np.errstate(divide="ignore", invalid="ignore"):
        ordinary = values / limits
        oxygen = limits / values
        ph = np.where(values <= PH_NEUTRAL, (PH_NEUTRAL - values) / (PH_NEUTRAL - PH_LOW),
                      (values - PH_NEUTRAL) / (PH_HIGH - PH_NEUTRAL))  # fmt: skip
    index = np.where(codes == PH, ph, np.where(codes == DISSOLVED_OXYGEN, oxygen, ordinary))
    return np.where(is_item, index, np.nan)


def section_cwqi(values: pd.DataFrame, limits: Mapping[str, Mapping[str, float]]) -> pd.DataFrame:
    """CWQI of each site from its period values.

    `values`: site, parameter, value, non_detect, water_body (river | lake). `limits`: per water
    body, the class III limit of each item (`class_iii_limits`). Returns site, cwqi, n_items,
    items ({code: CWQI(i)} rounded to 4 decimals), sorted by site.
    """
    rows = values.loc[values["parameter"].isin(CWQI_ITEMS)].reset_index(drop=True)
    if rows.empty:
        return pd.DataFrame(columns=["site", "cwqi", "n_items", "items"])
    cs = np.array(
        [
            limits.get(str(body), {}).get(str(code), np.nan)
            for body, code in zip(rows["water_body"], rows["parameter"], strict=True)
        ],
        dtype=float,
    )
    value = rows["value"].to_numpy(float)
    value = np.where(rows["non_detect"].to_numpy(bool), value / 2.0, value)
    index = item_indices(rows["parameter"].to_numpy(), value, cs)
    rows = rows.assign(index=index).loc[np.isfinite(index)]
    grouped = rows.groupby("site", sort=True)
    result = grouped.agg(cwqi=("index", "sum"), n_items=("index", "size")).reset_index()
    result["items"] = [
        {str(c): round(float(i), 4) for c, i in zip(g["parameter"], g["index"], strict=True)} for _, g in grouped
    ]
    return result


def mean_cwqi(site_cwqi: pd.Series) -> float | None:
    """A river's or lake's CWQI: the mean of its sections' (points') CWQI."""
    values = site_cwqi.dropna().to_numpy(float)
    return float(values.mean()) if len(values) else None


def county_cwqi(parts: Mapping[str, tuple[float | None, float]]) -> float | None:
    """The county's CWQI from {part: (CWQI of the part, weight)}, e.g. rivers and lakes with
    their numbers of sections and points as weights (see the module note on the weighting)."""
    known = [(value, weight) for value, weight in parts.values() if value is not None and weight > 0]
    total = sum(weight for _, weight in known)
    return sum(value * weight for value, weight in known) / total if total else None


def cwqi_change_percent(now: float | None, base: float | None) -> float | None:
    """ΔCWQI in percent: (now − base) / base × 100; None without both or with base 0."""
    if now is None or base is None or base == 0:
        return None
    return (now - base) / base * 100.0
