"""Delivery of alert events to webhooks: signed JSON, retried with backoff, from a background thread.

`enqueue` only writes the outbox (store/deliveries.py), so raising an alert never waits for the
network. A worker thread posts what is due; each attempt is logged. Each attempt is signed with
the webhook's secret over its timestamp, its delivery id and the body, so a receiver can reject a
replayed or altered request:

    X-Wqmon-Timestamp: <Unix seconds of the attempt>
    X-Wqmon-Delivery: <delivery id, the same on every retry of one event>
    X-Wqmon-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<delivery id>." followed by the body>

A receiver recomputes the HMAC, compares in constant time, refuses a timestamp more than a few
minutes from its clock, and ignores a delivery id it has already handled.
"""

import datetime as dt
import hashlib
import hmac
import json
import logging
import os
import threading
import time
from collections.abc import Callable, Mapping
from typing import Final

import httpx

from models.alerts.config import SEVERITIES, Delivery, Event, Webhook
from models.errors import ConfigError
from store.alerts import Alert
from store.deliveries import DeliveryLog, PendingDelivery
from store.state import StateDB

SIGNATURE_HEADER: Final = "X-Wqmon-Signature"
TIMESTAMP_HEADER: Final = "X-Wqmon-Timestamp"
DELIVERY_HEADER: Final = "X-Wqmon-Delivery"
log = logging.getLogger(__name__)


def sign(body: bytes, secret: str, *, timestamp: int, delivery: str) -> str:
    """The signature header value: "sha256=" + hex HMAC-SHA256 of "<timestamp>.<delivery>." + `body`."""
    signed = f"{timestamp}.{delivery}.".encode() + body
    return "sha256=" + hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()


def utc_now() -> dt.datetime:
    """The current time in UTC."""
    return dt.datetime.now(dt.UTC)


class WebhookDispatcher:
    """Queue alert events for the configured webhooks and deliver them in the background."""

    def __init__(
        self,
        state: StateDB,
        webhooks: tuple[Webhook, ...],
        delivery: Delivery,
        *,
        environ: Mapping[str, str] | None = None,
        clock: Callable[[], dt.datetime] = utc_now,
    ) -> None:
        environ = os.environ if environ is None else environ
        self.webhooks = {w.name: w for w in webhooks}
        self._secrets: dict[str, str] = {}
        for webhook in webhooks:
            secret = environ.get(webhook.secret_env)
            if not secret:
                raise ConfigError(
                    f"alerts.yaml: webhook '{webhook.name}': environment variable {webhook.secret_env} "
                    "is not set; it must hold the webhook's signing secret"
                )
            self._secrets[webhook.name] = secret
        self.delivery = delivery
        self.log = DeliveryLog(state)
        self._clock = clock
        self._client = httpx.Client(follow_redirects=False)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._idle = threading.Condition()
        self._thread: threading.Thread | None = None

    def enqueue(self, event: Event, alert: Alert, *, payload: Mapping[str, object]) -> list[int]:
        """Queue `payload` for every webhook that takes `event` at the alert's severity."""
        ids = []
        rank = SEVERITIES.index(alert.severity) if alert.severity in SEVERITIES else 0
        for webhook in self.webhooks.values():
            if event not in webhook.events or rank < SEVERITIES.index(webhook.min_severity):
                continue
            body = json.dumps(payload, ensure_ascii=False, sort_keys=True, allow_nan=False).encode("utf-8")
            ids.append(self.log.add(webhook=webhook.name, alert_id=alert.id, event=event, body=body, at=self._clock()))
        if ids:
            self._wake.set()
        return ids

    def deliver_due(self) -> int:
        """Attempt every delivery that is due now, each webhook's in order; returns how many were attempted."""
        attempted = 0
        while due := self.log.due(self._clock()):
            for item in due:
                self._attempt(item)
            attempted += len(due)
        return attempted

    def _attempt(self, item: PendingDelivery) -> None:
        webhook = self.webhooks.get(item.webhook)
        now = self._clock()
        if webhook is None:  # removed from the configuration since it was queued
            self.log.record(item, at=now, status_code=None, error="webhook no longer configured", retry_at=None)
            return
        timestamp, delivery = int(now.timestamp()), str(item.id)
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            SIGNATURE_HEADER: sign(item.body, self._secrets[webhook.name], timestamp=timestamp, delivery=delivery),
            TIMESTAMP_HEADER: str(timestamp),
            DELIVERY_HEADER: delivery,
            "X-Wqmon-Event": item.event,
        }
        status_code: int | None = None
        error: str | None = None
        try:
            response = self._client.post(str(webhook.url), content=item.body, headers=headers,
                                         timeout=webhook.timeout_seconds)  # fmt: skip
            status_code = response.status_code
            if not 200 <= status_code < 300:
                error = f"HTTP {status_code}"
        except httpx.HTTPError as failure:
            error = f"{type(failure).__name__}: {failure}"
        retry_at = None
        if error is not None and item.attempts + 1 < self.delivery.attempts:
            wait = self.delivery.backoff_seconds * self.delivery.backoff_factor**item.attempts
            retry_at = self._clock() + dt.timedelta(seconds=wait)
        status = self.log.record(item, at=now, status_code=status_code, error=error, retry_at=retry_at)
        if status == "failed":
            log.warning("webhook %s: gave up on delivery %d after %d attempts: %s",
                        webhook.name, item.id, item.attempts + 1, error)  # fmt: skip

    def start(self) -> None:
        """Start the background worker (idempotent)."""
        if self._thread is None or not self._thread.is_alive():
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="wqmon-webhooks", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                self.deliver_due()
            except Exception:  # never let one bad row stop delivery for good
                log.exception("webhook delivery pass failed")
            next_due = self.log.next_due()
            with self._idle:
                self._idle.notify_all()
            wait = 1.0 if next_due is None else (next_due - self._clock()).total_seconds()
            self._wake.wait(timeout=min(max(wait, 0.0), 1.0))

    def drain(self, timeout: float) -> bool:
        """Wait until nothing is pending (delivered or given up), at most `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while self.log.pending_count() and time.monotonic() < deadline:
            self._wake.set()
            with self._idle:
                self._idle.wait(timeout=0.05)
        return self.log.pending_count() == 0

    def close(self) -> None:
        """Stop the worker; pending deliveries stay in the outbox for the next start."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._client.close()
