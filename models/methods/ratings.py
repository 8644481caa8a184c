"""River, basin and county ratings by the 2011 method, with class shares and colours.

Method: 地表水环境质量评价办法（试行）(环办〔2011〕22号), river/basin evaluation (standards digest
§3.3-§3.5):

* A section's rating follows its class: I-II 优, III 良好, IV 轻度污染, V 中度污染, 劣V 重度污染.
* A river (basin, county) with **fewer than 5 sections**: each item is averaged over all its
  sections and the average judged as one section (single-factor); its rating is that section's.
* **5 sections or more** (the method reads "5个（含5个）以上"; one web copy says "大于5个" —
  we follow ≥ 5, digest §3.4 [B]): the section class-proportion method, with P(I-III) the share
  of sections in classes I-III and P(劣V) the share worse than V:

      优        P(I-III) ≥ 90 %
      良好      75 % ≤ P(I-III) < 90 %
      轻度污染  P(I-III) < 75 % and P(劣V) < 20 %
      中度污染  P(I-III) < 75 % and 20 % ≤ P(劣V) < 40 %
      重度污染  P(I-III) < 75 % and P(劣V) ≥ 40 %

* Main pollutants of a river: the items exceeding class III ranked by their section exceedance
  rate (share of the sections where the item exceeds class III, among the sections that monitor
  it), top three; equal rates rank by item code. With fewer than 5
  sections the method names them per section instead: we give those of the averaged section.
* "无劣Ⅴ类水体": yes when no section is worse than V, else no with the sections that break it.
* A lake or reservoir with several points (§3.6): each item averaged over its points and judged as
  one point, whatever the number of points; its trophic state from the same averages.
* Change between two periods (trend section, [A]): the rating unchanged is 无明显变化, one level
  apart 有所好转 / 有所变差, two or more 明显好转 / 明显恶化. Beside it the class proportions'
  ΔG − ΔD (ΔG: change of the I-III share, ΔD: change of the 劣V share, percentage points), better
  when positive. The method's bands for the size of ΔG − ΔD are recalled, not read (digest §3.8
  [C]), so no verdict is drawn from its size.

Colours (digest §3.3 [B]): I-II blue, III green, IV yellow, V orange, 劣V red. The hex codes are
this project's choice for drawing those colour names alike in pages and reports.
"""

from dataclasses import dataclass, field
from typing import Any, Final, Literal

import numpy as np
import pandas as pd

from models.standards.classification import CLASS_III, MAX_MAIN_POLLUTANTS

Rating = Literal["excellent", "good", "slightly polluted", "moderately polluted", "heavily polluted"]
RATING_ZH: Final[dict[str, str]] = {
    "excellent": "优",
    "good": "良好",
    "slightly polluted": "轻度污染",
    "moderately polluted": "中度污染",
    "heavily polluted": "重度污染",
}
RATINGS: Final[tuple[Rating, ...]] = (
    "excellent",
    "good",
    "slightly polluted",
    "moderately polluted",
    "heavily polluted",
)
CLASS_NAMES: Final[tuple[str, ...]] = ("I", "II", "III", "IV", "V", "劣V")
WORSE_THAN_V: Final = 5  # class index of 劣V in GB 3838
MIN_SECTIONS_FOR_PROPORTION: Final = 5

# Colour of each class and rating (name, hex) for pages, reports and JSON alike.
CLASS_COLOURS: Final[dict[str, dict[str, str]]] = {
    "I": {"name": "blue", "hex": "#1e6fd9"},
    "II": {"name": "blue", "hex": "#1e6fd9"},
    "III": {"name": "green", "hex": "#2e9e44"},
    "IV": {"name": "yellow", "hex": "#f2c200"},
    "V": {"name": "orange", "hex": "#f28500"},
    "劣V": {"name": "red", "hex": "#d7191c"},
}
RATING_COLOURS: Final[dict[str, dict[str, str]]] = {
    "excellent": CLASS_COLOURS["I"],
    "good": CLASS_COLOURS["III"],
    "slightly polluted": CLASS_COLOURS["IV"],
    "moderately polluted": CLASS_COLOURS["V"],
    "heavily polluted": CLASS_COLOURS["劣V"],
}

Method = Literal["single section", "mean of sections", "class proportion", "single point", "mean of points"]
Level = Literal["river", "lake", "basin", "county"]
Change = Literal["no obvious change", "better", "worse", "obviously better", "obviously worse"]
CHANGE_ZH: Final[dict[str, str]] = {
    "no obvious change": "无明显变化",
    "better": "有所好转",
    "worse": "有所变差",
    "obviously better": "明显好转",
    "obviously worse": "明显恶化",
}


def rating_of_class(class_index: int) -> Rating | None:
    """The rating of one section's class index (0 = I … 5 = 劣V); None when not judged."""
    if class_index < 0:
        return None
    return RATINGS[max(0, min(class_index, WORSE_THAN_V) - 1)]


def rating_change(now: Rating | None, base: Rating | None) -> Change | None:
    """How a rating moved from the base period to now (None when either is missing)."""
    if now is None or base is None:
        return None
    steps = RATINGS.index(base) - RATINGS.index(now)  # levels gained: positive is better now
    if steps == 0:
        return "no obvious change"
    if abs(steps) == 1:
        return "better" if steps > 0 else "worse"
    return "obviously better" if steps > 0 else "obviously worse"


def rating_by_proportion(good_percent: float, worse_than_v_percent: float) -> Rating:
    """The class-proportion rating from P(I-III) and P(劣V), both in percent."""
    if good_percent >= 90:
        return "excellent"
    if good_percent >= 75:
        return "good"
    if worse_than_v_percent < 20:
        return "slightly polluted"
    if worse_than_v_percent < 40:
        return "moderately polluted"
    return "heavily polluted"


def class_shares(class_index: np.ndarray) -> list[dict[str, Any]]:
    """Count and percent (2 decimals) of judged sections in each class I … 劣V, with colours."""
    judged = np.asarray(class_index, dtype=int)
    judged = judged[judged >= 0]
    counts = np.bincount(np.minimum(judged, WORSE_THAN_V), minlength=len(CLASS_NAMES))
    total = int(counts.sum())
    return [
        {
            "class": name,
            "sections": int(count),
            "percent": round(100.0 * count / total, 2) if total else None,
            "colour": CLASS_COLOURS[name],
        }
        for name, count in zip(CLASS_NAMES, counts, strict=True)
    ]


def exceedance_rates(items: pd.DataFrame) -> pd.DataFrame:
    """Per item, the share of the sections monitoring it where it exceeds class III (evaluated items).

    `items` holds one row per section and item with ``site``, ``parameter``, ``evaluated`` and
    ``multiple_iii`` (models.period.evaluation.judge_values). Returns parameter, sections,
    exceeding, rate (percent), sorted by rate (highest first), then code.
    """
    judged = items["evaluated"].to_numpy(bool)
    codes, names = pd.factorize(items["parameter"].to_numpy()[judged], sort=True)
    exceeds = np.nan_to_num(items["multiple_iii"].to_numpy(float)[judged], nan=0.0) > 0
    sections = np.bincount(codes, minlength=len(names))
    exceeding = np.bincount(codes, weights=exceeds, minlength=len(names)).astype(int)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.round(100.0 * exceeding / sections, 2)
    frame = pd.DataFrame({"parameter": names, "sections": sections, "exceeding": exceeding, "rate": rate})
    return frame.sort_values(["rate", "parameter"], ascending=[False, True], kind="stable").reset_index(drop=True)


@dataclass(frozen=True)
class GroupRating:
    """The rating of one river, lake, basin or the county."""

    level: Level
    name: str
    sites: list[str]
    method: Method
    rating: Rating | None
    class_index: int | None  # the averaged section's class (fewer than 5 sections)
    shares: list[dict[str, Any]]
    good_percent: float | None
    worse_than_v_percent: float | None
    main_pollutants: list[str]
    exceedance: pd.DataFrame
    worse_than_v_sites: list[str] = field(default_factory=list)

    @property
    def no_worse_than_v(self) -> bool:
        """无劣Ⅴ类水体: no section worse than class V."""
        return not self.worse_than_v_sites


def rate_group(
    level: Level,
    name: str,
    sections: pd.DataFrame,
    items: pd.DataFrame,
    *,
    averaged_class: int | None = None,
    averaged_pollutants: list[str] | None = None,
) -> GroupRating:
    """Rate one group from its sections' classes (`sections`: site, class_index) and their items
    (one row per section and item, exceedance_rates' shape).

    With fewer than 5 judged sections, and for a lake's points however many, the caller passes the
    class and main pollutants of the averaged values (`averaged_class`, `averaged_pollutants`), as
    the method asks.
    """
    classes = sections["class_index"].to_numpy(int)
    judged = classes >= 0
    n = int(judged.sum())
    shares = class_shares(classes)
    good = worst = None
    if n:
        good = round(100.0 * float((classes[judged] <= CLASS_III).sum()) / n, 2)
        worst = round(100.0 * float((classes[judged] >= WORSE_THAN_V).sum()) / n, 2)
    exceedance = exceedance_rates(items)
    method: Method
    if n >= MIN_SECTIONS_FOR_PROPORTION and level != "lake":
        method = "class proportion"
        assert good is not None and worst is not None
        rating: Rating | None = rating_by_proportion(good, worst)
        over = exceedance.loc[exceedance["rate"] > 0, "parameter"]
        pollutants = over.head(MAX_MAIN_POLLUTANTS).tolist()
        class_index = None
    else:
        if level == "lake":
            method = "single point" if n == 1 else "mean of points"
        else:
            method = "single section" if n == 1 else "mean of sections"
        class_index = averaged_class if n else None
        rating = rating_of_class(class_index) if class_index is not None else None
        pollutants = list(averaged_pollutants or [])
    breaking = sections.loc[classes >= WORSE_THAN_V, "site"].astype(str).tolist()
    return GroupRating(
        level=level,
        name=name,
        sites=sections["site"].astype(str).tolist(),
        method=method,
        rating=rating,
        class_index=class_index,
        shares=shares,
        good_percent=good,
        worse_than_v_percent=worst,
        main_pollutants=pollutants,
        exceedance=exceedance,
        worse_than_v_sites=breaking,
    )
