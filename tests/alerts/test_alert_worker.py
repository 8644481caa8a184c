"""The alert worker: every stored batch is judged, in order, after a restart too, and when judging
fails the batch waits for the next try rather than being lost."""

import sqlite3
from pathlib import Path

import pandas as pd
import pytest

from models.alerts.config import AlertConfig
from models.configuration import Configuration
from service.alert_worker import AlertWorker, JudgedStore, outbox_path
from service.alerting import AlertEngine
from store.base import StoreError
from store.duckdb_store import DuckDBStore
from store.spool import Spool
from store.state import StateDB
from tests.alerts.conftest import T0, readings


def test_the_queue_lives_beside_the_state_file(tmp_path: Path) -> None:
    assert outbox_path(tmp_path / "state.sqlite") == tmp_path / "state-alert-queue.sqlite"


def test_a_batch_stored_but_not_judged_is_judged_after_a_restart(tmp_path: Path, county: Configuration) -> None:
    queue_file = tmp_path / "queue.sqlite"
    store, state = DuckDBStore(tmp_path / "r.duckdb"), StateDB(tmp_path / "state.sqlite")
    engine = AlertEngine(county, store, state, rules=AlertConfig())
    worker = AlertWorker(engine, Spool(queue_file))
    JudgedStore(store, worker).write(readings([62.0]))  # COD over the 1A limit 50; the worker never started
    assert worker.pending() == 1 and engine.list() == []
    worker.queue.close()  # the process ends here

    restarted = AlertWorker(engine, Spool(queue_file))
    restarted.start()
    try:
        assert restarted.wait_idle(10)
    finally:
        restarted.close()
    assert [(a.rule, a.status) for a in engine.list() if a.rule == "exceedance"] == [("exceedance", "open")]
    assert restarted.pending() == 0 and restarted.batches_judged == 1
    restarted.queue.close()
    store.close()
    state.close()


def test_batches_are_judged_in_the_order_they_were_stored(tmp_path: Path, county: Configuration) -> None:
    store, state = DuckDBStore(tmp_path / "r.duckdb"), StateDB(tmp_path / "state.sqlite")
    engine = AlertEngine(county, store, state, rules=AlertConfig())
    worker = AlertWorker(engine, Spool(tmp_path / "queue.sqlite"), max_readings=1)  # one batch per step
    judged = JudgedStore(store, worker)
    judged.write(readings([62.0]))  # opens
    judged.write(readings([20.0], start=T0 + pd.Timedelta(hours=1)))  # then resolves
    assert worker.judge_queued() == 1 and worker.judge_queued() == 1 and worker.judge_queued() == 0
    (alert,) = [a for a in engine.list() if a.rule == "exceedance"]
    assert alert.status == "resolved"
    worker.queue.close()
    store.close()
    state.close()


def test_a_batch_whose_judging_fails_stays_queued(tmp_path: Path, county: Configuration) -> None:
    """As when InfluxDB is down: its writes spool (accepted), but history cannot be read to judge them."""
    path = tmp_path / "r.duckdb"
    store, state = DuckDBStore(path), StateDB(tmp_path / "state.sqlite")
    worker = AlertWorker(AlertEngine(county, store, state, rules=AlertConfig()), Spool(tmp_path / "queue.sqlite"))
    JudgedStore(store, worker).write(readings([62.0]))
    store.close()  # the store cannot be read now
    with pytest.raises(Exception):  # noqa: B017 (whatever the store raises)
        worker.judge_queued()
    assert worker.pending() == 1
    # the store answers again: the same batch is judged
    reopened = DuckDBStore(path)
    worker.engine = AlertEngine(county, reopened, state, rules=AlertConfig())
    assert worker.judge_queued() == 1 and worker.pending() == 0
    assert [a.rule for a in worker.engine.list() if a.rule == "exceedance"] == ["exceedance"]
    worker.queue.close()
    reopened.close()
    state.close()


def test_lag_is_measured(tmp_path: Path, county: Configuration) -> None:
    store, state = DuckDBStore(tmp_path / "r.duckdb"), StateDB(tmp_path / "state.sqlite")
    worker = AlertWorker(AlertEngine(county, store, state, rules=AlertConfig()), Spool(tmp_path / "queue.sqlite"))
    JudgedStore(store, worker).write(readings([20.0, 21.0]))
    worker.judge_queued()
    assert worker.readings_judged == 2 and 0 <= worker.last_lag_seconds < 60
    worker.queue.close()
    store.close()
    state.close()


def test_a_batch_that_always_fails_is_set_aside_and_the_queue_goes_on(
    tmp_path: Path, county: Configuration, caplog: pytest.LogCaptureFixture
) -> None:
    """A queued batch that cannot be judged (here: a frame without a value column, as a damaged or
    foreign body would be) is tried alone `max_attempts` times, then moved to dead_batches, named
    in the log, and the batches stored after it are judged."""
    store, state = DuckDBStore(tmp_path / "r.duckdb"), StateDB(tmp_path / "state.sqlite")
    engine = AlertEngine(county, store, state, rules=AlertConfig())
    worker = AlertWorker(engine, Spool(tmp_path / "queue.sqlite"), max_attempts=3, retry_seconds=0.01)
    judged = JudgedStore(store, worker)
    judged.write(readings([20.0]))
    worker.submit(readings([1.0]).drop(columns="value"))  # batch 2: fails however often it is tried
    judged.write(readings([62.0], start=T0 + pd.Timedelta(hours=1)))  # COD over 1A's 50: must still open
    worker.start()
    try:
        assert worker.wait_idle(20)
    finally:
        worker.close()
    assert worker.pending() == 0 and worker.dead() == 1 and worker.batches_judged == 2
    assert [a.rule for a in engine.list() if a.rule == "exceedance"] == ["exceedance"]
    (line,) = [r.getMessage() for r in caplog.records if "dead_batches" in r.getMessage()]
    assert "failed 3 times on queued batch 2" in line and "value" in line
    worker.queue.close()
    with sqlite3.connect(tmp_path / "queue.sqlite") as db:
        assert db.execute("SELECT id, attempts FROM dead_batches").fetchall() == [(2, 3)]
    store.close()
    state.close()


def test_an_unreachable_store_never_sets_a_batch_aside(tmp_path: Path, county: Configuration) -> None:
    """Failing for want of the store is not the batch's fault: it waits however many tries it takes."""
    path = tmp_path / "r.duckdb"
    store, state = DuckDBStore(path), StateDB(tmp_path / "state.sqlite")
    worker = AlertWorker(
        AlertEngine(county, store, state, rules=AlertConfig()), Spool(tmp_path / "queue.sqlite"), max_attempts=2
    )
    JudgedStore(store, worker).write(readings([62.0]))
    store.close()
    for _ in range(4):
        with pytest.raises(StoreError):
            worker.judge_queued()
    assert worker.pending() == 1 and worker.dead() == 0
    worker.queue.close()
    state.close()


def test_a_queue_file_from_before_dead_letters_opens(tmp_path: Path) -> None:
    """A queue written by an earlier wqmon (no attempts column) keeps its batches and gains the count."""
    path = tmp_path / "queue.sqlite"
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE spooled_batches (id INTEGER PRIMARY KEY AUTOINCREMENT, body BLOB NOT NULL, "
            "points INTEGER NOT NULL, spooled_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))"
        )
        db.execute("INSERT INTO spooled_batches (body, points) VALUES (x'00', 1)")
    db.close()
    queue = Spool(path)
    assert queue.batches() == 1 and queue.note_failure(1) == 1 and queue.buried() == 0
    queue.close()
