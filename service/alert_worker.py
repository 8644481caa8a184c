"""The alert rules off the write path: every stored batch is queued durably and judged in order by one worker.

The promise: a write (an HJ 212 batch, a pull, an API or upload write, a lab inbox file) is
acknowledged once the store has committed it and it is queued here; the rules judge it later on
this worker's thread, in the order the batches were stored. The queue is a file
(store/spool.py) beside the state database, so a batch stored but not yet judged is judged after a
restart; a batch is removed only once its alerts are committed (a crash between the two judges it
again: alerts count a firing twice rather than miss one). When judging fails (the store cannot be
read for history, e.g. InfluxDB is down while its writes spool) the batch stays queued and is
retried, so readings spooled during an outage are judged once the store answers again. A batch
the rules fail on for another reason (it cannot be read back, the rules raise on it) is tried
alone `max_attempts` times and then moved to the queue file's `dead_batches` table, with a log
line naming it and the count on /metrics (wqmon_alert_dead_batches), so one bad batch never
holds up the ones behind it.

Queued batches are judged together, up to `max_readings` at a time: the rules are vectorised, so
their cost grows with the readings, and a worker that falls behind catches up in larger steps.
"""

from __future__ import annotations

import datetime as dt
import logging
import pickle
import sqlite3
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from prometheus_client import CollectorRegistry, Histogram

from models.reading import as_readings
from service.alerting import AlertEngine
from store.base import Interval, Store, StoreError
from store.spool import Spool

log = logging.getLogger("wqmon.alerts")

# Failures that say nothing about the batch: the store (InfluxDB down, a closed store) or the state
# database cannot be reached. The batch waits for them without counting an attempt.
_UNAVAILABLE: tuple[type[BaseException], ...] = (StoreError, ConnectionError, sqlite3.OperationalError)
_LAG_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)


def outbox_path(state_path: Path) -> Path:
    """Where the queue of batches waiting for the rules lives: beside the state database."""
    return state_path.with_name(state_path.stem + "-alert-queue.sqlite")


class AlertWorker:
    """A durable queue of stored batches and the thread that runs the alert rules on them."""

    def __init__(
        self,
        engine: AlertEngine,
        queue: Spool,
        *,
        max_readings: int = 200_000,
        retry_seconds: float = 5.0,
        pause_seconds: float = 0.2,
        max_attempts: int = 5,
        registry: CollectorRegistry | None = None,
    ) -> None:
        self.engine = engine
        self.queue = queue
        self.max_readings = max_readings
        self.retry_seconds = retry_seconds
        # After judging, wait at least this long, and as long as the step took, before the next:
        # under load the batches queued meanwhile are judged together in fewer, larger steps (the
        # history read and the fixed costs are paid once per step), and the worker holds the
        # interpreter at most about half the time, leaving the rest to the ingest and the API.
        self.pause_seconds = pause_seconds
        self.max_attempts = max_attempts
        self._one_at_a_time = False  # after a failed step: find the batch at fault by taking them singly
        self.batches_judged = 0
        self.readings_judged = 0
        self.last_lag_seconds = 0.0
        self.lag = Histogram(
            "wqmon_alert_lag_seconds",
            "From a batch stored to its alerts committed (the alert worker's lag).",
            buckets=_LAG_BUCKETS,
            registry=registry,
        )
        self._wake = threading.Event()
        self._idle = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def submit(self, readings: pd.DataFrame) -> None:
        """Queue a batch the store has just committed (durable when this returns) and wake the worker."""
        if readings.empty:
            return
        body = pickle.dumps(readings, protocol=pickle.HIGHEST_PROTOCOL)  # the service's own file, read back by it
        self.queue.append([body], points=[len(readings)])
        self._idle.clear()
        self._wake.set()

    def pending(self) -> int:
        """Batches stored and not yet judged."""
        return self.queue.batches()

    def dead(self) -> int:
        """Batches the rules failed on `max_attempts` times, moved to the dead-letter table."""
        return self.queue.buried()

    def start(self) -> None:
        """Start the worker thread; it first judges what a previous run left queued."""
        if self._thread is None:
            self._stop.clear()
            self._wake.set()
            self._thread = threading.Thread(target=self._run, name="alert-worker", daemon=True)
            self._thread.start()

    def close(self, *, drain_seconds: float = 10.0) -> None:
        """Judge what is queued (for up to `drain_seconds`), stop the thread; the rest waits for the next start."""
        if self._thread is not None:
            self.wait_idle(drain_seconds)
            self._stop.set()
            self._wake.set()
            self._thread.join()
            self._thread = None

    def wait_idle(self, timeout: float) -> bool:
        """Wait until nothing is queued; True when so within `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.queue.is_empty():
                return True
            self._idle.wait(min(0.05, max(deadline - time.monotonic(), 0)))
        return self.queue.is_empty()

    def judge_queued(self) -> int:
        """Judge the oldest queued batches now, in this thread; how many readings were judged.

        Raises what judging raised, the batches staying queued; a batch judged alone that fails
        for the `max_attempts`-th time (not for want of the store) is moved to the dead letters.
        """
        taken = self.queue.oldest_many(max_points=0 if self._one_at_a_time else self.max_readings)
        if not taken:
            return 0
        try:
            frames = [pickle.loads(body) for _, body, _ in taken]
            readings = as_readings(pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0])
            self.engine.process(readings)
        except _UNAVAILABLE:
            raise
        except Exception as error:
            if len(taken) > 1:
                self._one_at_a_time = True
                raise
            batch_id, body, spooled_at = taken[0]
            attempts = self.queue.note_failure(batch_id)
            if attempts < self.max_attempts:
                raise
            reason = f"{type(error).__name__}: {error}"
            self.queue.bury(batch_id, reason)
            log.error(
                "alert rules failed %d times on queued batch %d (stored %s, %d bytes); moved to the table "
                "dead_batches of %s and went on with the next; last error: %s",
                attempts, batch_id, spooled_at, len(body), self.queue.path, reason,
            )  # fmt: skip
            return 0
        self._one_at_a_time = False
        self.queue.remove_through(taken[-1][0])
        now = dt.datetime.now(dt.UTC)
        for _, _, spooled_at in taken:
            lag = (now - dt.datetime.fromisoformat(spooled_at.replace("Z", "+00:00"))).total_seconds()
            self.lag.observe(max(lag, 0.0))
            self.last_lag_seconds = lag
        self.batches_judged += len(taken)
        self.readings_judged += len(readings)
        return len(readings)

    def _run(self) -> None:
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                judged = self.judge_queued()
            except Exception:
                log.exception("alert rules failed on a queued batch; it stays queued, retrying in %.1f s",
                              self.retry_seconds)  # fmt: skip
                self._stop.wait(self.retry_seconds)
                continue
            if not judged and not self.queue.is_empty():  # a batch was moved to the dead letters
                continue
            if judged:
                self._stop.wait(max(self.pause_seconds, time.monotonic() - started))
                continue
            self._idle.set()
            self._wake.wait(1.0)
            self._wake.clear()


class JudgedStore:
    """A Store whose every accepted write is queued for the alert rules (the service's write path)."""

    def __init__(self, store: Store, worker: AlertWorker) -> None:
        self.inner = store
        self.worker = worker

    def write(self, readings: pd.DataFrame) -> int:
        """Store, then queue what was stored for the rules; the count the store accepted."""
        accepted = self.inner.write(readings)
        if accepted:
            self.worker.submit(readings)
        return accepted

    def read(
        self,
        *,
        sites: Sequence[str] | None = None,
        parameters: Sequence[str] | None = None,
        start: dt.datetime | None = None,
        end: dt.datetime | None = None,
        statistics: Sequence[str] | None = None,
        flags: Sequence[str] | None = None,
    ) -> pd.DataFrame:
        """The inner store's read."""
        return self.inner.read(
            sites=sites, parameters=parameters, start=start, end=end, statistics=statistics, flags=flags
        )

    def aggregate(
        self,
        interval: Interval,
        *,
        sites: Sequence[str] | None = None,
        parameters: Sequence[str] | None = None,
        start: dt.datetime | None = None,
        end: dt.datetime | None = None,
        statistics: Sequence[str] | None = None,
        flags: Sequence[str] | None = ("N",),
        timezone: str = "Asia/Shanghai",
    ) -> pd.DataFrame:
        """The inner store's aggregate."""
        return self.inner.aggregate(
            interval, sites=sites, parameters=parameters, start=start, end=end, statistics=statistics, flags=flags,
            timezone=timezone,
        )  # fmt: skip

    def latest(self, *, sites: Sequence[str] | None = None, parameters: Sequence[str] | None = None) -> pd.DataFrame:
        """The inner store's latest."""
        return self.inner.latest(sites=sites, parameters=parameters)

    def series(self) -> pd.DataFrame:
        """The inner store's series."""
        return self.inner.series()

    def close(self) -> None:
        """Close the inner store."""
        self.inner.close()

    def __getattr__(self, name: str) -> object:  # backend extras (InfluxStore.pending …)
        return getattr(self.inner, name)
