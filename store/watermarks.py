"""Watermarks of the pull sources: the newest time each source has delivered and stored.

A pull source asks its platform for data since its watermark, and the watermark moves only
after the data was written to the store, so a restart neither misses nor repeats data.
"""

import datetime as dt

import pandas as pd

from store.state import StateDB

_SCHEMA = """
CREATE TABLE IF NOT EXISTS watermarks (
    source TEXT PRIMARY KEY,
    time_utc TEXT NOT NULL,
    updated_utc TEXT NOT NULL
);
"""


class Watermarks:
    """Per-source watermarks in the state database."""

    def __init__(self, state: StateDB) -> None:
        self._state = state
        state.ensure_schema(_SCHEMA)

    def get(self, source: str) -> pd.Timestamp | None:
        """The watermark of `source` (UTC), or None before its first successful pull."""
        rows = self._state.execute("SELECT time_utc FROM watermarks WHERE source = ?", (source,))
        return pd.Timestamp(rows[0]["time_utc"]) if rows else None

    def advance(self, source: str, time: pd.Timestamp | dt.datetime) -> pd.Timestamp:
        """Move the watermark of `source` forward to `time` (never back); return the watermark."""
        stamp = pd.Timestamp(time)
        if stamp.tzinfo is None:
            raise ValueError(f"watermark {stamp} of {source!r} carries no time zone; give it in UTC")
        stamp = stamp.tz_convert("UTC")
        now = pd.Timestamp.now(tz="UTC").isoformat()
        self._state.execute(
            "INSERT INTO watermarks (source, time_utc, updated_utc) VALUES (?, ?, ?) "
            "ON CONFLICT(source) DO UPDATE SET time_utc = excluded.time_utc, updated_utc = excluded.updated_utc "
            "WHERE excluded.time_utc > watermarks.time_utc",
            (source, stamp.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), now),  # fixed width: text order is time order
        )
        current = self.get(source)
        assert current is not None
        return current

    def reset(self, source: str) -> None:
        """Forget the watermark of `source`: its next pull starts from its look-back window."""
        self._state.execute("DELETE FROM watermarks WHERE source = ?", (source,))

    def all(self) -> dict[str, pd.Timestamp]:
        """Every source's watermark."""
        return {row["source"]: pd.Timestamp(row["time_utc"]) for row in self._state.execute("SELECT * FROM watermarks")}
