"""A file written with schema 1 (every reading carrying its names as text) opens as schema 2, every reading kept."""

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from store.duckdb_store import SCHEMA_VERSION, DuckDBStore
from tests.store.test_contract import at, readings

# Schema 1 as wqmon 0.x created it, kept here to write files in that layout.
SCHEMA_1 = """
    CREATE TABLE schema_version (version INTEGER NOT NULL, applied TIMESTAMPTZ NOT NULL DEFAULT current_timestamp);
    INSERT INTO schema_version (version) VALUES (1);
    CREATE TABLE readings (
        site VARCHAR NOT NULL, parameter VARCHAR NOT NULL, time TIMESTAMPTZ NOT NULL, statistic VARCHAR NOT NULL,
        value DOUBLE NOT NULL, non_detect BOOLEAN NOT NULL, flag VARCHAR NOT NULL, source VARCHAR NOT NULL
    );
"""


def write_schema_1(path: Path, frame: pd.DataFrame) -> None:
    """A DuckDB file in schema 1 holding `frame`, written without wqmon's store."""
    with duckdb.connect(str(path)) as connection:
        connection.execute("SET TimeZone = 'UTC'")
        connection.execute(SCHEMA_1)
        connection.register("frame", frame)
        connection.execute(
            "INSERT INTO readings SELECT site, parameter, time, statistic, value, non_detect, flag, source FROM frame"
        )


def schema_1_readings() -> pd.DataFrame:
    """Readings that use every part of the key: two sites (one named in Chinese), parameters, statistics,
    sources, flags, a non-detect, and one time held by several series."""
    rows: list[dict[str, object]] = []
    rng = np.random.default_rng(7)
    for hour in range(48):
        time = f"2024-03-{1 + hour // 24:02d} {hour % 24:02d}:00"
        for site in ("城关", "s2"):
            for parameter in ("COD", "NH3-N"):
                rows.append(
                    {
                        "site": site,
                        "parameter": parameter,
                        "time": time,
                        "value": float(rng.gamma(2.0, 5.0)),
                        "flag": "M" if hour % 11 == 0 else "N",
                        "non_detect": parameter == "NH3-N" and hour % 7 == 0,
                    }
                )
        rows.append({"site": "s2", "parameter": "COD", "time": time, "statistic": "rtd", "value": 1.0 + hour})
    rows.append({"site": "s2", "parameter": "COD", "time": "2024-03-01 05:00", "value": 3.5, "source": "lab:x.csv",
                 "statistic": "sample", "flag": "D"})  # fmt: skip
    return readings(rows)


def test_a_schema_1_file_migrates_in_place_and_keeps_every_reading(tmp_path: Path) -> None:
    path = tmp_path / "wqmon.duckdb"
    frame = schema_1_readings()
    write_schema_1(path, frame)
    with DuckDBStore(path) as store:
        assert store.schema_version() == SCHEMA_VERSION == 2
        stored = store.read()
    expected = frame.sort_values(["site", "parameter", "time", "statistic", "source"]).reset_index(drop=True)
    assert len(stored) == len(frame) == 48 * 5 + 1
    pd.testing.assert_frame_equal(stored, expected)
    with duckdb.connect(str(path)) as connection:
        tables = {row[0] for row in connection.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        columns = connection.execute("SELECT column_name, data_type FROM information_schema.columns "
                                     "WHERE table_name = 'readings' ORDER BY ordinal_position").fetchall()  # fmt: skip
        series = connection.execute("SELECT count(*) FROM series").fetchall()[0][0]
    assert tables == {"schema_version", "series", "flags", "readings"}
    assert columns == [("series", "INTEGER"), ("time", "TIMESTAMP WITH TIME ZONE"), ("value", "DOUBLE"),
                       ("non_detect", "BOOLEAN"), ("flag", "SMALLINT")]  # fmt: skip
    # 城关 and s2 with COD and NH3-N as hour_avg from "test", s2 COD as rtd, and the lab sample
    assert series == 2 * 2 + 1 + 1


def test_after_migration_writes_stay_idempotent_on_the_migrated_keys(tmp_path: Path) -> None:
    path = tmp_path / "wqmon.duckdb"
    write_schema_1(path, schema_1_readings())
    correction = readings([{"site": "城关", "time": "2024-03-01 03:00", "value": 99.0}])
    new_site = readings([{"site": "s3", "time": "2024-03-01 03:00", "value": 4.0}])
    with DuckDBStore(path) as store:
        store.write(correction)
        store.write(new_site)
    with DuckDBStore(path) as store:  # and again after reopening
        store.write(correction)
        stored = store.read(sites=["城关", "s3"], parameters=["COD"], start=at("2024-03-01 03:00"),
                            end=at("2024-03-01 04:00"))  # fmt: skip
    assert stored[["site", "value"]].values.tolist() == [["s3", 4.0], ["城关", 99.0]]


def test_migrating_an_empty_schema_1_file_gives_an_empty_store(tmp_path: Path) -> None:
    path = tmp_path / "wqmon.duckdb"
    write_schema_1(path, readings([{"site": "s1", "time": "2024-03-01 00:00", "value": 1.0}]).iloc[:0])
    with DuckDBStore(path) as store:
        assert store.schema_version() == 2
        assert store.read().empty
        assert store.series().empty
