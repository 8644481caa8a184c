"""Webhook delivery to real HTTP receivers on 127.0.0.1: signed bodies, retries, the delivery log."""

import hashlib
import hmac
import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pandas as pd
import pytest

from models.alerts.config import AlertConfig
from models.configuration import Configuration
from models.errors import ConfigError
from service.alerting import AlertEngine
from service.webhooks import SIGNATURE_HEADER, WebhookDispatcher
from store.base import Store
from store.state import StateDB
from tests.alerts.conftest import T0, ingest, readings

SECRET = "s3cret-密钥"
ENV = {"WQMON_HOOK_SECRET": SECRET}


class Receiver:
    """An HTTP server in a thread that answers POSTs with the next status of `statuses` (then 200)."""

    def __init__(self, statuses: list[int] | None = None) -> None:
        self.statuses = list(statuses or [])
        self.requests: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "Receiver":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


def rules_for(url: str, **webhook: object) -> AlertConfig:
    return AlertConfig.from_mapping(
        {
            "webhooks": [{"name": "duty", "url": url, "secret_env": "WQMON_HOOK_SECRET", **webhook}],
            "delivery": {"attempts": 4, "backoff_seconds": 0.01, "backoff_factor": 2},
        }
    )


def engine_for(county: Configuration, store: Store, state: StateDB, rules: AlertConfig) -> AlertEngine:
    dispatcher = WebhookDispatcher(state, rules.webhooks, rules.delivery, environ=ENV)
    engine = AlertEngine(county, store, state, rules=rules, dispatcher=dispatcher)
    engine.start()
    return engine


def verify(headers: dict[str, str], body: bytes) -> bool:
    """What a receiver does (README, Alerts): recompute the HMAC-SHA256 of timestamp, delivery id and
    body, compare in constant time."""
    signed = f"{headers['X-Wqmon-Timestamp']}.{headers['X-Wqmon-Delivery']}.".encode() + body
    expected = "sha256=" + hmac.new(SECRET.encode(), signed, hashlib.sha256).hexdigest()
    return hmac.compare_digest(headers[SIGNATURE_HEADER], expected)


def test_the_signature_covers_the_timestamp_and_delivery_id(
    county: Configuration, store: Store, state: StateDB, receiver: Receiver
) -> None:
    """A receiver can refuse a replay: an old timestamp or a delivery id seen before, neither forgeable."""
    engine = engine_for(county, store, state, rules_for(receiver.url))
    try:
        before = time.time()
        ingest(engine, readings([62.0]))
        assert engine.dispatcher is not None and engine.dispatcher.drain(timeout=30)
    finally:
        engine.close()
    [(headers, body)] = receiver.requests
    assert verify(headers, body)
    assert abs(int(headers["X-Wqmon-Timestamp"]) - before) < 60  # Unix seconds of the attempt
    assert not verify({**headers, "X-Wqmon-Timestamp": str(int(headers["X-Wqmon-Timestamp"]) + 3600)}, body)
    assert not verify({**headers, "X-Wqmon-Delivery": "999"}, body)


def test_receiver_gets_a_signed_alert(county: Configuration, store: Store, state: StateDB, receiver: Receiver) -> None:
    engine = engine_for(county, store, state, rules_for(receiver.url))
    try:
        ingest(engine, readings([62.0]))
        assert engine.dispatcher is not None and engine.dispatcher.drain(timeout=30)
    finally:
        engine.close()
    (headers, body), *others = receiver.requests
    assert others == []  # one reading, one alert opened, one event
    assert verify(headers, body)
    assert not verify(headers, body + b" ")
    event = json.loads(body)
    assert event["event"] == "opened" and headers["X-Wqmon-Event"] == "opened"
    assert event["alert"]["site"] == "cd-wwtp" and event["alert"]["rule"] == "exceedance"
    assert event["message"] == "城东污水处理厂 化学需氧量 小时均值 62.0 mg/L 超过一级A标准限值 50 mg/L，超标 0.24 倍"


def test_failing_twice_then_delivered_once(county: Configuration, store: Store, state: StateDB) -> None:
    with Receiver(statuses=[500, 503]) as flaky:
        engine = engine_for(county, store, state, rules_for(flaky.url))
        try:
            ingest(engine, readings([62.0]))
            ingest(engine, readings([30.0], start=T0 + pd.Timedelta(hours=1)))  # recovers: "resolved" queued
            assert engine.dispatcher is not None and engine.dispatcher.drain(timeout=30)
        finally:
            engine.close()
    bodies = [body for _, body in flaky.requests]
    assert len(bodies) == 4 and len(set(bodies[:3])) == 1  # every retry sends the same signed bytes
    assert all(verify(headers, body) for headers, body in flaky.requests)
    # The "resolved" waits for the "opened" being retried: the receiver sees them in order.
    assert [json.loads(body)["event"] for body in bodies] == ["opened", "opened", "opened", "resolved"]
    resolved, delivery = engine.dispatcher.log.list()
    assert resolved["status"] == "delivered" and resolved["attempts"] == 1
    assert (delivery["status"], delivery["attempts"], delivery["last_error"]) == ("delivered", 3, None)
    attempts = engine.dispatcher.log.attempts(delivery["id"])
    assert [a["status_code"] for a in attempts] == [500, 503, 200]
    assert [a["error"] for a in attempts] == ["HTTP 500", "HTTP 503", None]


def test_gives_up_after_the_configured_attempts(county: Configuration, store: Store, state: StateDB) -> None:
    with socket.socket() as closed:  # a port nobody listens on
        closed.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{closed.getsockname()[1]}/hook"
    engine = engine_for(county, store, state, rules_for(url))
    try:
        changed = ingest(engine, readings([62.0]))  # ingest returns whatever the network does
        assert [a.rule for a in changed if a.rule == "exceedance"] == ["exceedance"]
        assert engine.dispatcher is not None and engine.dispatcher.drain(timeout=30)
    finally:
        engine.close()
    (delivery,) = engine.dispatcher.log.list()
    assert delivery["status"] == "failed" and delivery["attempts"] == 4
    assert "ConnectError" in delivery["last_error"]


def test_events_and_severity_filters(county: Configuration, store: Store, state: StateDB, receiver: Receiver) -> None:
    rules = rules_for(receiver.url, events=["opened", "acknowledged"], min_severity="critical")
    engine = engine_for(county, store, state, rules)
    try:
        ingest(engine, readings([62.0]))  # warning: not sent
        ingest(engine, readings([12.0], parameter="w21003"))  # NH3-N 1A limit 5, multiple 1.4: critical
        critical = next(a for a in engine.list(status="open") if a.severity == "critical")
        engine.acknowledge(critical.id, "王工", "到场处理")
        engine.resolve(critical.id, "王工")  # "resolved" is not subscribed
        assert engine.dispatcher is not None and engine.dispatcher.drain(timeout=30)
    finally:
        engine.close()
    events = [json.loads(body) for _, body in receiver.requests]
    assert [(e["event"], e["alert"]["parameter"]) for e in events] == [("opened", "w21003"), ("acknowledged", "w21003")]
    assert events[1]["alert"]["acknowledged_by"] == "王工"


def test_queued_events_survive_a_restart(
    county: Configuration, store: Store, tmp_path: Path, receiver: Receiver
) -> None:
    rules = rules_for(receiver.url)
    state = StateDB(tmp_path / "outbox.sqlite")
    unstarted = WebhookDispatcher(state, rules.webhooks, rules.delivery, environ=ENV)
    ingest(AlertEngine(county, store, state, rules=rules, dispatcher=unstarted), readings([62.0]))
    unstarted.close()  # the service stops before delivering
    state.close()
    state = StateDB(tmp_path / "outbox.sqlite")
    engine = engine_for(county, store, state, rules)
    try:
        assert engine.dispatcher is not None and engine.dispatcher.drain(timeout=30)
    finally:
        engine.close()
        state.close()
    assert [json.loads(body)["event"] for _, body in receiver.requests] == ["opened"]


def test_missing_secret_is_a_config_error(state: StateDB) -> None:
    rules = rules_for("http://127.0.0.1:9/hook")
    with pytest.raises(ConfigError, match="webhook 'duty': environment variable WQMON_HOOK_SECRET is not set"):
        WebhookDispatcher(state, rules.webhooks, rules.delivery, environ={})
