"""Hand-entered indicator values (green coverage, public satisfaction …) and statuses (qualitative
indicators such as 环境监测能力建设达标, and basic conditions) kept in the StateDB.

Entries are never overwritten: a correction is a new entry, and the newest entry of an
indicator and period is its value. Each entry records its evidence, who entered it and when;
a status also records the date of its evidence.
"""

import datetime as dt
from typing import get_args

from models.rates.indicators import ManualStatus, ManualValue
from models.rates.scoring import EnteredStatus
from store.state import StateDB

SCHEMA = """
CREATE TABLE IF NOT EXISTS indicator_entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    indicator TEXT NOT NULL,
    period TEXT NOT NULL,
    value REAL NOT NULL,
    evidence TEXT NOT NULL,
    entered_by TEXT NOT NULL,
    entered_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS indicator_entries_period ON indicator_entries (period, indicator);
CREATE TABLE IF NOT EXISTS indicator_status_entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    indicator TEXT NOT NULL,
    period TEXT NOT NULL,
    status TEXT NOT NULL,
    evidence TEXT NOT NULL,
    dated TEXT NOT NULL,
    entered_by TEXT NOT NULL,
    entered_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS indicator_status_entries_period ON indicator_status_entries (period, indicator);
"""


class IndicatorEntries:
    """The indicator_entries table of a StateDB."""

    def __init__(self, state: StateDB) -> None:
        self.state = state
        state.ensure_schema(SCHEMA)

    def enter(
        self,
        indicator: str,
        period: str,
        value: float,
        *,
        evidence: str,
        entered_by: str,
        entered_at: dt.datetime,
    ) -> ManualValue:
        """Record a value; evidence and the person entering it are required."""
        stamp = _entry_stamp(indicator, "value", evidence=evidence, entered_by=entered_by, entered_at=entered_at)
        self.state.execute(
            "INSERT INTO indicator_entries (indicator, period, value, evidence, entered_by, entered_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (indicator, period, float(value), evidence, entered_by, stamp),
        )
        return ManualValue(value=float(value), evidence=evidence, entered_by=entered_by, entered_at=stamp)

    def for_period(self, period: str) -> dict[str, ManualValue]:
        """The newest entry of each indicator for `period`."""
        rows = self.state.execute(
            "SELECT indicator, value, evidence, entered_by, entered_at FROM indicator_entries"
            " WHERE period = ? ORDER BY id",
            (period,),
        )
        return {
            row["indicator"]: ManualValue(row["value"], row["evidence"], row["entered_by"], row["entered_at"])
            for row in rows
        }

    def history(self, indicator: str, period: str) -> list[ManualValue]:
        """Every entry of one indicator and period, oldest first."""
        rows = self.state.execute(
            "SELECT value, evidence, entered_by, entered_at FROM indicator_entries"
            " WHERE indicator = ? AND period = ? ORDER BY id",
            (indicator, period),
        )
        return [ManualValue(r["value"], r["evidence"], r["entered_by"], r["entered_at"]) for r in rows]

    def enter_status(
        self,
        indicator: str,
        period: str,
        status: str,
        *,
        evidence: str,
        dated: dt.date,
        entered_by: str,
        entered_at: dt.datetime,
    ) -> ManualStatus:
        """Record a status (达标 / 基本达标 / 不达标) with its evidence and the date of that evidence."""
        allowed = get_args(EnteredStatus)
        if status not in allowed:
            raise ValueError(f"indicator {indicator!r}: status {status!r} is not one of {', '.join(allowed)}")
        stamp = _entry_stamp(indicator, "status", evidence=evidence, entered_by=entered_by, entered_at=entered_at)
        self.state.execute(
            "INSERT INTO indicator_status_entries (indicator, period, status, evidence, dated, entered_by, entered_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (indicator, period, status, evidence, dated.isoformat(), entered_by, stamp),
        )
        return ManualStatus(status, evidence, dated.isoformat(), entered_by, stamp)  # type: ignore[arg-type]

    def statuses_for(self, period: str) -> dict[str, ManualStatus]:
        """The newest status of each indicator or condition for `period`."""
        rows = self.state.execute(
            "SELECT indicator, status, evidence, dated, entered_by, entered_at FROM indicator_status_entries"
            " WHERE period = ? ORDER BY id",
            (period,),
        )
        return {
            row["indicator"]: ManualStatus(
                row["status"], row["evidence"], row["dated"], row["entered_by"], row["entered_at"]
            )
            for row in rows
        }


def _entry_stamp(indicator: str, what: str, *, evidence: str, entered_by: str, entered_at: dt.datetime) -> str:
    """Check what every hand entry needs (evidence, who, a zoned time) and give its UTC time stamp."""
    if not evidence.strip():
        raise ValueError(f"indicator {indicator!r}: a hand-entered {what} needs its evidence (document, source)")
    if not entered_by.strip():
        raise ValueError(f"indicator {indicator!r}: say who enters the {what}")
    if entered_at.tzinfo is None:
        raise ValueError("entered_at must carry a time zone")
    return entered_at.astimezone(dt.UTC).isoformat(timespec="seconds")
