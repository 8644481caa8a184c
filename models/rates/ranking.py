"""The city's ranking of its counties from their scorecards (and CWQI where they publish it).

Rules (documented in README, "A city's ranking"):

* Counties that answered for the period are ranked by total points, highest first. Ties are broken
  by more indicators 达标, then fewer 不达标; counties still equal share a rank (1, 2, 2, 4) and are
  listed by id.
* A county whose basic conditions veto the title keeps its place by points and is flagged.
* A county that did not answer is never dropped: it is listed after the ranked counties, without a
  rank, with the time of its last good answer and, when one is kept for this period, the points of
  that answer (shown, not ranked: a stale answer must not outrank a fresh one).
* CWQI (城市水质指数) ranks separately, lowest first (a lower index is cleaner water), over the
  counties that published one for the period; the others are listed as not publishing it.
"""

from dataclasses import dataclass
from typing import Any

STATUS_KEYS = ("达标", "基本达标", "不达标", "无数据")
TIE_BREAKS = "总分高者在前; 同分者达标项多者在前, 再同者不达标项少者在前; 仍相同者并列 (按编号列出)"


@dataclass(frozen=True)
class CountyResult:
    """What a county answered for the period (card None: it did not answer)."""

    id: str
    name: str
    url: str
    card: dict[str, Any] | None
    cwqi: float | None = None
    error: str | None = None
    last_answered_at: str | None = None  # its last good answer, any period
    kept: dict[str, Any] | None = None  # the last good scorecard of this period, when it did not answer now
    kept_at: str | None = None


def ranking(results: list[CountyResult], *, period: str) -> dict[str, Any]:
    """The ranking table of the period (JSON-ready)."""
    answered = [r for r in results if r.card is not None]
    answered.sort(key=lambda r: (*_merit(r.card or {}), r.id))
    rows: list[dict[str, Any]] = []
    previous: tuple[float, ...] | None = None
    for position, result in enumerate(answered, start=1):
        merit = _merit(result.card or {})
        rank = rows[-1]["rank"] if merit == previous else position
        previous = merit
        rows.append(_row(result, rank))
    rows.extend(_row(r, None) for r in sorted(results, key=lambda r: r.id) if r.card is None)
    published = sorted((r for r in answered if r.cwqi is not None), key=lambda r: (r.cwqi, r.id))
    cwqi_rows: list[dict[str, Any]] = []
    for position, result in enumerate(published, start=1):
        tied = cwqi_rows and cwqi_rows[-1]["cwqi"] == result.cwqi
        cwqi_rows.append(
            {"rank": cwqi_rows[-1]["rank"] if tied else position, "county": result.id, "name": result.name,
             "cwqi": result.cwqi}
        )  # fmt: skip
    return {
        "period": period,
        "ranked_by": "points",
        "tie_breaks": TIE_BREAKS,
        "counties": rows,
        "cwqi": {
            "ranked_by": "cwqi, lowest first",
            "counties": cwqi_rows,
            "not_published": sorted(r.id for r in answered if r.cwqi is None),
        },
        "answered": len(answered),
        "not_answering": sorted(r.id for r in results if r.card is None),
    }


def _merit(card: dict[str, Any]) -> tuple[float, ...]:
    counts = card.get("counts", {})
    return (-float(card.get("points", 0.0)), -int(counts.get("达标", 0)), int(counts.get("不达标", 0)))


def _row(result: CountyResult, rank: int | None) -> dict[str, Any]:
    card = result.card if result.card is not None else result.kept
    counts = (card or {}).get("counts", {})
    return {
        "rank": rank,
        "county": result.id,
        "name": result.name,
        "url": result.url,
        "answered": result.card is not None,
        "points": None if card is None else card.get("points"),
        "max_points": None if card is None else card.get("max_points"),
        "counts": {k: counts.get(k) for k in STATUS_KEYS} if card is not None else None,
        "summary": None if card is None else card.get("summary"),
        "scheme": None if card is None else (card.get("scheme") or {}).get("kind", "points"),
        "title_vetoed": None if card is None else (card.get("title") or {}).get("vetoed", False),
        "cwqi": result.cwqi,
        "error": result.error,
        "last_answered_at": result.last_answered_at,
        "stale": result.card is None and result.kept is not None,
        "stale_answered_at": result.kept_at if result.card is None else None,
    }
