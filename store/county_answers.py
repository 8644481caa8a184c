"""The last good answer of each county's wqmon, kept by a city-level wqmon (service/federation).

One row per county and period: the scorecard (and CWQI where published) of its last good answer
and when it came. A county that stops answering is shown with the time of its last good answer.
"""

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from store.state import StateDB

SCHEMA = """
CREATE TABLE IF NOT EXISTS county_answers (
    county TEXT NOT NULL,
    period TEXT NOT NULL,
    answered_at TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (county, period)
);
"""


@dataclass(frozen=True)
class CountyAnswer:
    """A county's last good answer for a period."""

    county: str
    period: str
    answered_at: str  # ISO 8601, UTC
    body: dict[str, Any]


class CountyAnswers:
    """The county_answers table of a StateDB."""

    def __init__(self, state: StateDB) -> None:
        self.state = state
        state.ensure_schema(SCHEMA)

    def keep(self, county: str, period: str, body: dict[str, Any], *, answered_at: dt.datetime) -> str:
        """Keep `body` as the county's last good answer for `period`; the time stamp kept."""
        if answered_at.tzinfo is None:
            raise ValueError("answered_at must carry a time zone")
        stamp = answered_at.astimezone(dt.UTC).isoformat(timespec="seconds")
        self.state.execute(
            "INSERT INTO county_answers (county, period, answered_at, body) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (county, period) DO UPDATE SET answered_at = excluded.answered_at, body = excluded.body",
            (county, period, stamp, json.dumps(body, ensure_ascii=False)),
        )
        return stamp

    def last(self, county: str, period: str) -> CountyAnswer | None:
        """The county's last good answer for `period`, if any."""
        rows = self.state.execute(
            "SELECT answered_at, body FROM county_answers WHERE county = ? AND period = ?", (county, period)
        )
        if not rows:
            return None
        return CountyAnswer(county, period, rows[0]["answered_at"], json.loads(rows[0]["body"]))

    def last_answered_at(self, county: str) -> str | None:
        """When the county last answered well, for any period."""
        rows = self.state.execute("SELECT max(answered_at) AS at FROM county_answers WHERE county = ?", (county,))
        return rows[0]["at"] if rows else None
