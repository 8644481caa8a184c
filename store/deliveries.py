"""The webhook outbox: alert events waiting for, or done with, delivery, and a log of every attempt.

An event is written here before any attempt is made, so a restart loses nothing: pending rows
are picked up again. The body is stored as sent, so every retry carries the same bytes and the
same signature.
"""

from __future__ import annotations

import builtins
import datetime as dt
from dataclasses import dataclass
from typing import Any, Final, Literal

from store.alerts import to_text
from store.state import StateDB

DeliveryStatus = Literal["pending", "delivered", "failed"]

SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS alert_deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    webhook TEXT NOT NULL,
    alert_id INTEGER NOT NULL,
    event TEXT NOT NULL,
    body BLOB NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    next_attempt_at TEXT NOT NULL,
    delivered_at TEXT,
    last_error TEXT
);
CREATE INDEX IF NOT EXISTS alert_deliveries_due ON alert_deliveries (status, next_attempt_at);
CREATE TABLE IF NOT EXISTS alert_delivery_attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id INTEGER NOT NULL REFERENCES alert_deliveries (id),
    attempt INTEGER NOT NULL,
    at TEXT NOT NULL,
    status_code INTEGER,
    error TEXT
);
"""


@dataclass(frozen=True)
class PendingDelivery:
    """A delivery to attempt."""

    id: int
    webhook: str
    alert_id: int
    event: str
    body: bytes
    attempts: int


class DeliveryLog:
    """The outbox table and its attempt log."""

    def __init__(self, state: StateDB) -> None:
        self.state = state
        state.ensure_schema(SCHEMA)

    def add(self, *, webhook: str, alert_id: int, event: str, body: bytes, at: dt.datetime) -> int:
        """Queue one event for one webhook; returns the delivery id."""
        rows = self.state.execute(
            "INSERT INTO alert_deliveries (webhook, alert_id, event, body, status, created_at, next_attempt_at) "
            "VALUES (?, ?, ?, ?, 'pending', ?, ?) RETURNING id",
            (webhook, alert_id, event, body, to_text(at), to_text(at)),
        )
        return int(rows[0][0])

    def due(self, now: dt.datetime) -> list[PendingDelivery]:
        """The oldest pending delivery of each webhook, when its next attempt is due.

        One at a time per webhook keeps a receiver's events in the order they happened: a
        "resolved" never overtakes the "opened" that is still being retried.
        """
        rows = self.state.execute(
            "SELECT id, webhook, alert_id, event, body, attempts FROM alert_deliveries AS d "
            "WHERE status = 'pending' AND next_attempt_at <= ? AND id = "
            "(SELECT min(id) FROM alert_deliveries WHERE webhook = d.webhook AND status = 'pending') ORDER BY id",
            (to_text(now),),
        )
        return [PendingDelivery(**{k: row[k] for k in row.keys()}) for row in rows]

    def next_due(self) -> dt.datetime | None:
        """When the earliest pending delivery is due, if any is pending."""
        rows = self.state.execute("SELECT min(next_attempt_at) FROM alert_deliveries WHERE status = 'pending'")
        return dt.datetime.fromisoformat(rows[0][0]) if rows and rows[0][0] else None

    def pending_count(self) -> int:
        """Deliveries not yet delivered nor given up."""
        return int(self.state.execute("SELECT count(*) FROM alert_deliveries WHERE status = 'pending'")[0][0])

    def record(
        self,
        delivery: PendingDelivery,
        *,
        at: dt.datetime,
        status_code: int | None,
        error: str | None,
        retry_at: dt.datetime | None,
    ) -> DeliveryStatus:
        """Log one attempt; delivered when `error` is None, else pending until `retry_at` or failed."""
        attempt = delivery.attempts + 1
        self.state.execute(
            "INSERT INTO alert_delivery_attempts (delivery_id, attempt, at, status_code, error) VALUES (?, ?, ?, ?, ?)",
            (delivery.id, attempt, to_text(at), status_code, error),
        )
        status: DeliveryStatus
        if error is None:
            status = "delivered"
        else:
            status = "pending" if retry_at is not None else "failed"
        self.state.execute(
            "UPDATE alert_deliveries SET status = ?, attempts = ?, last_error = ?, delivered_at = ?, "
            "next_attempt_at = coalesce(?, next_attempt_at) WHERE id = ?",
            (
                status,
                attempt,
                error,
                to_text(at) if error is None else None,
                to_text(retry_at) if retry_at is not None else None,
                delivery.id,
            ),
        )
        return status

    def list(self, *, alert_id: int | None = None, limit: int = 100, offset: int = 0) -> list[dict[str, Any]]:
        """Deliveries newest first, without their bodies."""
        where = "WHERE alert_id = ?" if alert_id is not None else ""
        parameters: tuple[object, ...] = (alert_id,) if alert_id is not None else ()
        rows = self.state.execute(
            "SELECT id, webhook, alert_id, event, status, attempts, created_at, delivered_at, last_error "
            f"FROM alert_deliveries {where} ORDER BY id DESC LIMIT ? OFFSET ?",
            (*parameters, limit, offset),
        )
        return [dict(row) for row in rows]

    def attempts(self, delivery_id: int) -> builtins.list[dict[str, Any]]:
        """Every attempt of one delivery, oldest first."""
        rows = self.state.execute(
            "SELECT attempt, at, status_code, error FROM alert_delivery_attempts WHERE delivery_id = ? ORDER BY id",
            (delivery_id,),
        )
        return [dict(row) for row in rows]
