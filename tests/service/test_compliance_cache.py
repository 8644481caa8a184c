"""Compliance answers are reused until readings of their period arrive, never served stale, computed once at a time."""

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pandas as pd

from models.configuration import Configuration
from models.period.periods import parse_period
from service.api.app import create_app
from service.compliance_cache import CachedCompliance, Generation
from service.period_data import STATISTICS_READ
from service.settings import Settings
from store.base import Store
from store.duckdb_store import DuckDBStore
from store.keys import KeyStore
from store.state import StateDB
from tests.service.conftest import serve_in_thread


class StoredCounts:
    """A CompliancePort answering from the store: how many readings, and how often it was asked."""

    def __init__(self, store: Store) -> None:
        self.store, self.computed = store, 0

    def _count(self) -> dict[str, Any]:
        self.computed += 1
        return {"readings": len(self.store.read())}

    def evaluations(self, *, period: str, site: str | None = None) -> dict[str, Any]:
        return self._count()

    def compliance(self, *, period: str) -> dict[str, Any]:
        return self._count()

    def indicators(self, *, period: str) -> dict[str, Any]:
        return self._count()

    def scorecard(self, *, period: str) -> dict[str, Any]:
        return self._count()

    def ratings(self, *, period: str, river: str | None = None, base: str | None = None) -> dict[str, Any]:
        return self._count()


class PeriodCounts(StoredCounts):
    """A CompliancePort reading as every view does (its period; hourly means and samples): how many."""

    def indicators(self, *, period: str) -> dict[str, Any]:
        self.computed += 1
        span = parse_period(period)
        read = self.store.read(start=span.start_utc, end=span.end_utc, statistics=list(STATISTICS_READ))
        return {"readings": len(read)}


@contextmanager
def operator_client(
    tmp_path: Path, config: Configuration, port: Callable[[Store], StoredCounts]
) -> Iterator[tuple[httpx.Client, StoredCounts]]:
    """A live API over a fresh store whose compliance answers come from `port`, and an operator's client."""
    store, state = DuckDBStore(tmp_path / "wqmon.duckdb"), StateDB(tmp_path / "state.sqlite")
    token, _ = KeyStore(state).create(role="operator", name="op")
    counts = port(store)
    settings = Settings(config_dir=config.folder, state_path=tmp_path / "state.sqlite")
    url, server, thread = serve_in_thread(
        create_app(settings, config=config, store=store, state=state, compliance=counts)
    )
    try:
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}) as client:
            yield client, counts
    finally:
        server.should_exit = True
        thread.join()
        store.close()
        state.close()


def test_answers_are_reused_until_a_write(tmp_path: Path, demo_config: Configuration) -> None:
    row = {"site": "qx-chujing", "parameter": "DO", "time": "2025-06-01T08:00:00+08:00", "value": 7.1}
    with operator_client(tmp_path, demo_config, StoredCounts) as (client, counts):
        first = [client.get("/api/v1/indicators", params={"period": "2025"}).json() for _ in range(3)]
        assert first == [{"readings": 0}] * 3 and counts.computed == 1
        client.post("/api/v1/readings", json={"readings": [row]})
        assert client.get("/api/v1/indicators", params={"period": "2025"}).json() == {"readings": 1}
        assert client.get("/api/v1/scorecard", params={"period": "2025"}).json() == {"readings": 1}
        assert counts.computed == 3


class SlowOnce:
    """A CompliancePort whose first computation lasts until others have started theirs (or 0.5 s)."""

    def __init__(self, others: int) -> None:
        self.others, self.computed = others, 0
        self._lock, self._others_started = threading.Lock(), threading.Event()

    def indicators(self, *, period: str) -> dict[str, Any]:
        with self._lock:
            self.computed += 1
            first = self.computed == 1
            if self.computed == 1 + self.others:
                self._others_started.set()
        if first:
            self._others_started.wait(timeout=0.5)
        return {"period": period}


def test_requests_missing_the_same_answer_at_once_wait_for_one_computation() -> None:
    clients = 8
    port = SlowOnce(others=clients - 1)
    cache = CachedCompliance(port, Generation(), timezone="Asia/Shanghai")  # type: ignore[arg-type]
    start = threading.Barrier(clients)

    def ask() -> bytes:
        start.wait()
        return cache.answer("indicators", period="2025")

    with ThreadPoolExecutor(clients) as pool:
        answers = list(pool.map(lambda _: ask(), range(clients)))
    assert answers == [b'{"period":"2025"}'] * clients
    assert port.computed == 1


def test_a_write_recomputes_only_the_answers_of_periods_it_touched(tmp_path: Path, demo_config: Configuration) -> None:
    def reading(local_time: str, statistic: str = "sample") -> dict[str, Any]:
        return {"site": "qx-chujing", "parameter": "DO", "time": local_time, "value": 7.1, "statistic": statistic}

    with operator_client(tmp_path, demo_config, PeriodCounts) as (client, counts):

        def indicators(period: str) -> Any:
            return client.get("/api/v1/indicators", params={"period": period}).json()

        assert indicators("2025") == {"readings": 0} and indicators("2026") == {"readings": 0}
        client.post("/api/v1/readings", json={"readings": [reading("2026-01-01T00:00:00+08:00")]})
        assert counts.computed == 2
        assert indicators("2025") == {"readings": 0} and counts.computed == 2  # 2025 ended before it
        assert indicators("2026") == {"readings": 1} and counts.computed == 3
        client.post("/api/v1/readings", json={"readings": [reading("2025-12-31T23:59:00+08:00")]})
        assert indicators("2026") == {"readings": 1} and counts.computed == 3
        assert indicators("2025") == {"readings": 1} and counts.computed == 4
        client.post("/api/v1/readings", json={"readings": [reading("2025-06-01T08:00:00+08:00", "rtd")]})
        assert indicators("2025") == {"readings": 1} and counts.computed == 4  # no view reads real-time values
        client.post(
            "/api/v1/indicator-values",
            json={"indicator": "green-coverage", "period": "2024", "value": 40.0, "evidence": "年报"},
        )
        assert indicators("2025") == {"readings": 1} and counts.computed == 5  # no span: every answer


def test_an_answer_older_than_the_writes_remembered_is_computed_again() -> None:
    generation = Generation()
    in_2025 = pd.DataFrame({"time": pd.to_datetime(["2025-06-01"], utc=True), "statistic": ["hour_avg"]})
    start, end = pd.Timestamp("2024-01-01", tz="UTC").value, pd.Timestamp("2025-01-01", tz="UTC").value
    generation.bump(in_2025)
    assert not generation.touched_since(0, start, end)
    for _ in range(5000):
        generation.bump(in_2025)
    assert generation.touched_since(0, start, end)  # the first writes since 0 are forgotten
    assert not generation.touched_since(generation.value - 10, start, end)
