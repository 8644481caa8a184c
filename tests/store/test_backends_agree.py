"""DuckDB and InfluxDB give the same answers for the same readings."""

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from models.reading import as_readings
from store.duckdb_store import DuckDBStore
from store.influx import InfluxStore
from tests.store.conftest import fresh_influx_store
from tests.store.influxd import InfluxServer

pytestmark = pytest.mark.influxdb


def random_readings(seed: int, n: int = 3000) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2023-12-20", tz="UTC").value
    span = pd.Timedelta(days=120).value
    return as_readings(
        pd.DataFrame(
            {
                "site": rng.choice(["城关", "a b,c=d", "s3"], n),
                "parameter": rng.choice(["COD", "NH3-N"], n),
                "time": pd.to_datetime(start + rng.integers(0, span // 60_000_000_000, n) * 60_000_000_000, utc=True),
                "statistic": rng.choice(["hour_avg", "rtd"], n),
                "value": rng.gamma(2.0, 3.0, n).round(3),
                "non_detect": rng.random(n) < 0.1,
                "flag": rng.choice(["N", "N", "N", "M", "D"], n),
                "source": rng.choice(["hj212:1", "lab:x.csv"], n),
            }
        )
    )


@pytest.fixture(scope="module")
def both(
    influx_server: InfluxServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[DuckDBStore, InfluxStore]]:
    tmp_path: Path = tmp_path_factory.mktemp("agree")
    duck = DuckDBStore(tmp_path / "wqmon.duckdb")
    influx = fresh_influx_store(influx_server, tmp_path)
    for seed in (1, 2):  # the second batch rewrites and corrects some of the first
        frame = random_readings(seed)
        duck.write(frame)
        influx.write(frame)
    yield duck, influx
    duck.close()
    influx.close()


def test_reads_agree(both: tuple[DuckDBStore, InfluxStore]) -> None:
    duck, influx = both
    pd.testing.assert_frame_equal(duck.read(), influx.read())
    pd.testing.assert_frame_equal(duck.latest(), influx.latest())
    pd.testing.assert_frame_equal(duck.series(), influx.series())


@pytest.mark.parametrize("interval", ["hour", "day", "month", "year"])
@pytest.mark.parametrize("timezone", ["Asia/Shanghai", "Europe/Berlin", "Asia/Kolkata"])
def test_aggregates_agree(both: tuple[DuckDBStore, InfluxStore], interval: str, timezone: str) -> None:
    duck, influx = both
    for flags in (("N",), None):
        expected = duck.aggregate(interval, flags=flags, timezone=timezone)  # type: ignore[arg-type]
        got = influx.aggregate(interval, flags=flags, timezone=timezone)  # type: ignore[arg-type]
        assert len(expected) > 0
        pd.testing.assert_frame_equal(got, expected, rtol=1e-12)
