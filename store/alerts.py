"""Alerts in the state database: one active alert per (site, parameter, rule), and its history.

An alert is *active* while open or acknowledged; a unique index on the key among active alerts
makes a second one impossible whatever the callers do. Times are stored as ISO 8601 UTC text
with microseconds, so text order is time order.
"""

from __future__ import annotations

import builtins
import datetime as dt
import sqlite3
from dataclasses import asdict, dataclass
from typing import Any, Final, Literal, get_args

from store.state import StateDB

AlertStatus = Literal["open", "acknowledged", "resolved"]
ALERT_STATUSES: Final[tuple[str, ...]] = get_args(AlertStatus)
AlertKey = tuple[str, str, str]  # site, parameter, rule

SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS alerts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site TEXT NOT NULL,
    parameter TEXT NOT NULL,
    rule TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'acknowledged', 'resolved')),
    severity TEXT NOT NULL CHECK (severity IN ('warning', 'critical')),
    statistic TEXT NOT NULL DEFAULT '',
    opened_at TEXT NOT NULL,  -- time of the first firing reading
    raised_at TEXT NOT NULL,  -- when the service raised it (escalation counts from here)
    last_seen TEXT NOT NULL,
    count INTEGER NOT NULL,
    value REAL,
    "limit" REAL,
    multiple REAL,
    reference REAL,
    flag TEXT NOT NULL DEFAULT 'N',
    detail TEXT NOT NULL DEFAULT '',
    message TEXT NOT NULL,
    acknowledged_by TEXT,
    acknowledged_at TEXT,
    note TEXT,
    resolved_at TEXT,
    resolved_by TEXT,
    escalation_level INTEGER NOT NULL DEFAULT 0,
    escalated_at TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS alerts_one_active ON alerts (site, parameter, rule) WHERE status != 'resolved';
CREATE INDEX IF NOT EXISTS alerts_by_status ON alerts (status, site);
CREATE TABLE IF NOT EXISTS alert_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    alert_id INTEGER NOT NULL REFERENCES alerts (id),
    event TEXT NOT NULL,
    at TEXT NOT NULL,
    by TEXT,
    note TEXT
);
CREATE INDEX IF NOT EXISTS alert_events_by_alert ON alert_events (alert_id);
"""


class UnknownAlertError(KeyError):
    """No alert has this id."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class AlertStateError(ValueError):
    """The alert's status does not allow the change asked for (e.g. acknowledging a resolved alert)."""


@dataclass(frozen=True)
class Alert:
    """One alert as stored."""

    id: int
    site: str
    parameter: str
    rule: str
    status: AlertStatus
    severity: str
    statistic: str
    opened_at: dt.datetime
    raised_at: dt.datetime
    last_seen: dt.datetime
    count: int
    value: float | None
    limit: float | None
    multiple: float | None
    reference: float | None
    flag: str
    detail: str
    message: str
    acknowledged_by: str | None
    acknowledged_at: dt.datetime | None
    note: str | None
    resolved_at: dt.datetime | None
    resolved_by: str | None
    escalation_level: int
    escalated_at: dt.datetime | None

    @property
    def key(self) -> AlertKey:
        """(site, parameter, rule): at most one active alert has it."""
        return (self.site, self.parameter, self.rule)

    @property
    def is_active(self) -> bool:
        """Open or acknowledged, not yet resolved."""
        return self.status != "resolved"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: times as ISO 8601 UTC strings."""
        return {k: v.isoformat() if isinstance(v, dt.datetime) else v for k, v in asdict(self).items()}


def to_text(moment: dt.datetime) -> str:
    """A time as stored: ISO 8601 in UTC with microseconds."""
    if moment.tzinfo is None:
        raise ValueError(f"time {moment!r} has no time zone; alert times must be aware (UTC)")
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def _time(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if text else None


def _alert(row: sqlite3.Row) -> Alert:
    data = dict(row)
    for name in ("opened_at", "raised_at", "last_seen", "acknowledged_at", "resolved_at", "escalated_at"):
        data[name] = _time(data[name])
    return Alert(**data)


class AlertStore:
    """Alerts and their event history in the service's StateDB."""

    def __init__(self, state: StateDB) -> None:
        self.state = state
        state.ensure_schema(SCHEMA)

    def get(self, alert_id: int) -> Alert:
        """The alert with this id; UnknownAlertError when none."""
        rows = self.state.execute("SELECT * FROM alerts WHERE id = ?", (alert_id,))
        if not rows:
            raise UnknownAlertError(f"no alert has id {alert_id}")
        return _alert(rows[0])

    def active(self) -> dict[AlertKey, Alert]:
        """Every open or acknowledged alert by key."""
        rows = self.state.execute("SELECT * FROM alerts WHERE status != 'resolved'")
        return {alert.key: alert for alert in map(_alert, rows)}

    def list(
        self, *, status: AlertStatus | Literal["active"] | None = None, site: str | None = None,
        limit: int = 100, offset: int = 0,
    ) -> list[Alert]:  # fmt: skip
        """Alerts newest first; `status` "active" means open or acknowledged."""
        where, parameters = self._filter(status, site)
        rows = self.state.execute(
            f"SELECT * FROM alerts {where} ORDER BY opened_at DESC, id DESC LIMIT ? OFFSET ?",
            (*parameters, limit, offset),
        )
        return [_alert(row) for row in rows]

    def count(self, *, status: AlertStatus | Literal["active"] | None = None, site: str | None = None) -> int:
        """How many alerts `list` would page through."""
        where, parameters = self._filter(status, site)
        return int(self.state.execute(f"SELECT count(*) FROM alerts {where}", parameters)[0][0])

    def _filter(self, status: str | None, site: str | None) -> tuple[str, tuple[object, ...]]:
        clauses: list[str] = []
        parameters: list[object] = []
        if status == "active":
            clauses.append("status != 'resolved'")
        elif status is not None:
            if status not in ALERT_STATUSES:
                raise ValueError(f"alert status {status!r} is not one of active, {', '.join(ALERT_STATUSES)}")
            clauses.append("status = ?")
            parameters.append(status)
        if site is not None:
            clauses.append("site = ?")
            parameters.append(site)
        return ("WHERE " + " AND ".join(clauses) if clauses else ""), tuple(parameters)

    def active_by_severity(self) -> dict[str, int]:
        """Open or acknowledged alerts per severity (for /metrics), zero-filled."""
        counts = {"warning": 0, "critical": 0}
        for row in self.state.execute(
            "SELECT severity, count(*) AS n FROM alerts WHERE status != 'resolved' GROUP BY severity"
        ):
            counts[row["severity"]] = int(row["n"])
        return counts

    def open(self, fields: dict[str, Any], *, count: int, at: dt.datetime, raised_at: dt.datetime) -> Alert:
        """Insert a new open alert first seen `at` (data time), raised now (`raised_at`, the clock)."""
        columns = ["site", "parameter", "rule", "severity", "statistic", "value", "limit", "multiple",
                   "reference", "flag", "detail", "message"]  # fmt: skip
        values = [fields[c] for c in columns]
        quoted = ", ".join(f'"{c}"' for c in columns)
        marks = ", ".join("?" for _ in columns)
        rows = self.state.execute(
            f"INSERT INTO alerts ({quoted}, status, opened_at, raised_at, last_seen, count) "
            f"VALUES ({marks}, 'open', ?, ?, ?, ?) RETURNING id",
            (*values, to_text(at), to_text(raised_at), to_text(fields["time"]), count),
        )
        alert_id = int(rows[0][0])
        self.add_event(alert_id, "opened", at=raised_at)
        return self.get(alert_id)

    def update(self, alert: Alert, fields: dict[str, Any], *, count: int, severity: str) -> Alert:
        """Record `count` more firings of an active alert; a newer firing's values replace the old."""
        columns = ("value", "limit", "multiple", "reference", "flag", "detail", "statistic", "message")
        newer = fields["time"] >= alert.last_seen  # late data counts but does not replace the newest values
        source = fields if newer else alert.to_dict()
        self.state.execute(
            'UPDATE alerts SET count = count + ?, severity = ?, last_seen = ?, value = ?, "limit" = ?, '
            "multiple = ?, reference = ?, flag = ?, detail = ?, statistic = ?, message = ? WHERE id = ?",
            (count, severity, to_text(max(alert.last_seen, fields["time"])), *(source[c] for c in columns), alert.id),
        )
        return self.get(alert.id)

    def acknowledge(self, alert_id: int, *, by: str, note: str | None, at: dt.datetime) -> Alert:
        """open → acknowledged, recording who and why."""
        alert = self.get(alert_id)
        if alert.status != "open":
            raise AlertStateError(f"alert {alert_id} is {alert.status}; only an open alert can be acknowledged")
        self.state.execute(
            "UPDATE alerts SET status = 'acknowledged', acknowledged_by = ?, acknowledged_at = ?, note = ? "
            "WHERE id = ? AND status = 'open'",
            (by, to_text(at), note, alert_id),
        )
        self.add_event(alert_id, "acknowledged", at=at, by=by, note=note)
        return self.get(alert_id)

    def resolve(self, alert_id: int, *, at: dt.datetime, by: str | None = None, note: str | None = None) -> Alert:
        """open or acknowledged → resolved; `by` None means the data recovered."""
        alert = self.get(alert_id)
        if alert.status == "resolved":
            raise AlertStateError(f"alert {alert_id} is already resolved")
        self.state.execute(
            "UPDATE alerts SET status = 'resolved', resolved_at = ?, resolved_by = ?, note = coalesce(?, note) "
            "WHERE id = ?",
            (to_text(at), by, note, alert_id),
        )
        self.add_event(alert_id, "resolved", at=at, by=by, note=note)
        return self.get(alert_id)

    def escalate(self, alert_id: int, *, level: int, at: dt.datetime) -> Alert | None:
        """Raise an active alert's escalation level; None when it is resolved or already that high."""
        rows = self.state.execute(
            "UPDATE alerts SET escalation_level = ?, escalated_at = ? "
            "WHERE id = ? AND escalation_level < ? AND status != 'resolved' RETURNING id",
            (level, to_text(at), alert_id, level),
        )
        if not rows:
            return None
        self.add_event(alert_id, "escalated", at=at, note=f"level {level}")
        return self.get(alert_id)

    def add_event(
        self, alert_id: int, event: str, *, at: dt.datetime, by: str | None = None, note: str | None = None
    ) -> None:
        """Append to an alert's history."""
        self.state.execute(
            "INSERT INTO alert_events (alert_id, event, at, by, note) VALUES (?, ?, ?, ?, ?)",
            (alert_id, event, to_text(at), by, note),
        )

    def events(self, alert_id: int) -> builtins.list[dict[str, Any]]:
        """An alert's history, oldest first."""
        rows = self.state.execute(
            "SELECT event, at, by, note FROM alert_events WHERE alert_id = ? ORDER BY id", (alert_id,)
        )
        return [dict(row) for row in rows]
