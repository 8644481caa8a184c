"""Indicator values entered by hand (for indicators no monitoring data can compute)."""

import datetime as dt
from typing import Any

from store.state import StateDB

_SCHEMA = """
CREATE TABLE IF NOT EXISTS indicator_values (
    indicator TEXT NOT NULL,
    period TEXT NOT NULL,
    value REAL NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    entered_by TEXT NOT NULL,
    entered_at TEXT NOT NULL,
    PRIMARY KEY (indicator, period)
);
"""


class IndicatorValues:
    """Hand-entered indicator values; a new value for the same indicator and period replaces the old."""

    def __init__(self, state: StateDB) -> None:
        self._state = state
        state.ensure_schema(_SCHEMA)

    def put(self, *, indicator: str, period: str, value: float, note: str, entered_by: str) -> dict[str, Any]:
        """Store one value and return it."""
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        self._state.execute(
            "INSERT OR REPLACE INTO indicator_values VALUES (?, ?, ?, ?, ?, ?)",
            (indicator, period, value, note, entered_by, now),
        )
        return self.list(indicator=indicator, period=period)[0]

    def list(self, *, indicator: str | None = None, period: str | None = None) -> list[dict[str, Any]]:
        """Values, by indicator and period."""
        rows = self._state.execute(
            "SELECT * FROM indicator_values WHERE (:i IS NULL OR indicator = :i) AND (:p IS NULL OR period = :p)"
            " ORDER BY indicator, period",
            {"i": indicator, "p": period},
        )
        return [dict(row) for row in rows]
