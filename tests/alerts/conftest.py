"""Fixtures for the alert tests: a demo configuration, a DuckDB store and a state DB in tmp_path, readings."""

from collections.abc import Iterator, Sequence
from pathlib import Path

import pandas as pd
import pytest

from models.alerts.config import AlertConfig
from models.configuration import Configuration
from models.reading import as_readings
from models.sites import Site, Zone
from service.alerting import AlertEngine
from store.base import Store
from store.duckdb_store import DuckDBStore
from store.state import StateDB

T0 = pd.Timestamp("2026-06-01 00:00", tz="UTC")


@pytest.fixture(scope="session")
def county(config: Configuration) -> Configuration:
    """A plant (class 1A), a river section (zone target III) and a drinking-water source."""
    sites = {
        "cd-wwtp": Site(id="cd-wwtp", name="城东污水处理厂", kind="plant", standard="GB18918-2002", target="1A"),
        "qs-01": Site(id="qs-01", name="青山桥断面", kind="section", standard="GB3838-2002", zone="qs-zone"),
        "sk-src": Site(
            id="sk-src",
            name="石口水源地",
            kind="source",
            standard="GB3838-2002",
            target="III",
            withdrawal_m3_per_year=1e6,
            expected_interval_minutes=1440,
        ),  # fmt: skip
    }
    zones = {"qs-zone": Zone(id="qs-zone", name="青山河保留区", target="III")}
    return Configuration(catalogue=config.catalogue, standards=config.standards, zones=zones, sites=sites)


def readings(
    values: Sequence[float],
    *,
    site: str = "cd-wwtp",
    parameter: str = "w01018",
    statistic: str = "hour_avg",
    start: pd.Timestamp = T0,
    step: str = "1h",
    flags: Sequence[str] | None = None,
    source: str = "hj212:MN001",
) -> pd.DataFrame:
    """A series of readings of one site and parameter, `step` apart from `start`."""
    frame = pd.DataFrame(
        {
            "site": site,
            "parameter": parameter,
            "time": pd.date_range(start, periods=len(values), freq=step),
            "statistic": statistic,
            "value": [float(v) for v in values],
            "source": source,
        }
    )
    if flags is not None:
        frame["flag"] = list(flags)
    return as_readings(frame)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A fresh store in tmp_path."""
    opened = DuckDBStore(tmp_path / "readings.duckdb")
    yield opened
    opened.close()


@pytest.fixture
def state(tmp_path: Path) -> Iterator[StateDB]:
    """A fresh state database in tmp_path."""
    db = StateDB(tmp_path / "state.sqlite")
    yield db
    db.close()


@pytest.fixture
def engine(county: Configuration, store: Store, state: StateDB) -> AlertEngine:
    """An engine over the demo county with the shipped rules and no webhooks."""
    return AlertEngine(county, store, state, rules=AlertConfig())


def ingest(engine: AlertEngine, frame: pd.DataFrame) -> list:  # type: ignore[type-arg]
    """Write a batch to the engine's store, then run the alert rules on it (as the service does)."""
    engine.store.write(frame)
    return engine.process(frame)
