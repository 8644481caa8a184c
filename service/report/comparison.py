"""Comparison columns of the report: for a month the previous month and the same month of last year
(上年同期), for a year the year before (上年).

Each compared figure gets the earlier value and a trend: ``better``, ``worse`` or ``same`` (None
when either side has no value). A rate is better when higher; a water-quality class is better when
nearer class I (GB 3838-2002 classes I … 劣V).
"""

from typing import Any, Final, Literal

from models.methods.ratings import CLASS_NAMES

Trend = Literal["better", "worse", "same"]
EARLIER: Final[dict[str, str]] = {"previous": "上月", "last_year": "上年同期", "previous_year": "上年"}
ARROWS: Final[dict[str, str]] = {"better": "↑", "worse": "↓", "same": "＝"}
TREND_ZH: Final[dict[str, str]] = {"better": "好转", "worse": "变差", "same": "持平"}


def earlier_months(month: str) -> dict[str, str]:
    """The periods a report compares with: ``previous`` and ``last_year`` of `month` (YYYY-MM), or
    ``previous_year`` of a year (YYYY)."""
    if len(month) == 4:
        return {"previous_year": str(int(month) - 1)}
    year, number = (int(part) for part in month.split("-"))
    previous = f"{year - 1}-12" if number == 1 else f"{year}-{number - 1:02d}"
    return {"previous": previous, "last_year": f"{year - 1}-{number:02d}"}


def rate_trend(now: float | None, then: float | None) -> Trend | None:
    """A rate (percent) against an earlier one: higher is better."""
    if now is None or then is None:
        return None
    return "same" if now == then else "better" if now > then else "worse"


def class_trend(now: str | None, then: str | None) -> Trend | None:
    """A water-quality class against an earlier one: nearer class I is better."""
    if now not in CLASS_NAMES or then not in CLASS_NAMES:
        return None
    here, there = CLASS_NAMES.index(now), CLASS_NAMES.index(then)
    return "same" if here == there else "better" if here < there else "worse"


def compared(now: Any, earlier: dict[str, Any], *, kind: Literal["rate", "class"]) -> dict[str, dict[str, Any]]:
    """``{previous: {value, trend}, last_year: {value, trend}}`` of one figure."""
    judge = rate_trend if kind == "rate" else class_trend
    return {when: {"value": value, "trend": judge(now, value)} for when, value in earlier.items()}
