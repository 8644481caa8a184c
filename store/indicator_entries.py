"""Hand-entered indicator values (green coverage, public satisfaction …) kept in the StateDB.

Entries are never overwritten: a correction is a new entry, and the newest entry of an
indicator and period is its value. Each entry records its evidence, who entered it and when.
"""

import datetime as dt

from models.rates.indicators import ManualValue
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
        if not evidence.strip():
            raise ValueError(f"indicator {indicator!r}: a hand-entered value needs its evidence (document, source)")
        if not entered_by.strip():
            raise ValueError(f"indicator {indicator!r}: say who enters the value")
        if entered_at.tzinfo is None:
            raise ValueError("entered_at must carry a time zone")
        stamp = entered_at.astimezone(dt.UTC).isoformat(timespec="seconds")
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
