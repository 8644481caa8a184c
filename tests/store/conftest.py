"""Fixtures of the store tests: a fresh store of each backend per test, and a real influxd."""

import os
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from store.base import Store
from store.duckdb_store import DuckDBStore
from store.influx import InfluxStore
from tests.store.influxd import InfluxServer, influxd_path


def require_influxd(environ: Mapping[str, str]) -> str:
    """The influxd to run; skips the test without one, or fails it when CI=true."""
    executable = influxd_path(environ)
    if executable is None:
        if environ.get("CI", "").lower() == "true":
            pytest.fail("influxd is not installed, and CI=true requires the InfluxDB tests to run")
        pytest.skip("influxd is not installed (apt-get install influxdb)")
    return executable


@pytest.fixture(scope="session")
def influx_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InfluxServer]:
    """A real influxd on 127.0.0.1 for the session; skipped without influxd, except under CI=true."""
    server = InfluxServer(tmp_path_factory.mktemp("influxd"), require_influxd(os.environ))
    server.start()
    yield server
    server.stop()


def fresh_influx_store(server: InfluxServer, tmp_path: Path, **options: object) -> InfluxStore:
    """An InfluxStore on a new database of `server`, spooling into tmp_path."""
    store = InfluxStore(
        server.url,
        f"test_{uuid.uuid4().hex[:12]}",
        spool_path=tmp_path / "spool.sqlite",
        **options,  # type: ignore[arg-type]
    )
    store.create_database()
    return store


@pytest.fixture(params=["duckdb", pytest.param("influxdb", marks=pytest.mark.influxdb)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A fresh, empty store of each backend: a new DuckDB file, or a new InfluxDB database."""
    if request.param == "duckdb":
        duck = DuckDBStore(tmp_path / "wqmon.duckdb")
        yield duck
        duck.close()
        return
    server: InfluxServer = request.getfixturevalue("influx_server")
    influx = fresh_influx_store(server, tmp_path)
    yield influx
    influx.close()
    server.query(f'DROP DATABASE "{influx.database}"')
