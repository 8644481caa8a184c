"""What only the DuckDB store does: one file that persists, a versioned schema, one owner, threads."""

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from store import open_store
from store.base import StoreError
from store.duckdb_store import SCHEMA_VERSION, DuckDBStore
from tests.county_data import county_year
from tests.store.test_contract import readings


def test_the_file_keeps_the_readings_after_reopening(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "wqmon.duckdb"
    frame = readings([{"site": "城关", "time": "2024-03-01 01:00", "value": 1.5}])
    with DuckDBStore(path) as store:
        store.write(frame)
    with DuckDBStore(path) as store:
        pd.testing.assert_frame_equal(store.read(), frame)
        assert store.schema_version() == SCHEMA_VERSION


def test_a_file_from_a_newer_wqmon_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "wqmon.duckdb"
    DuckDBStore(path).close()
    with duckdb.connect(str(path)) as connection:
        connection.execute("INSERT INTO schema_version (version) VALUES (99)")
    with pytest.raises(StoreError, match="schema 99"):
        DuckDBStore(path)


def test_open_store_reads_duckdb_urls_and_bare_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for url, expected in [
        ("duckdb:///data/a.duckdb", tmp_path / "data" / "a.duckdb"),
        (f"duckdb:///{tmp_path}/b.duckdb", tmp_path / "b.duckdb"),
        (str(tmp_path / "c.duckdb"), tmp_path / "c.duckdb"),
    ]:
        store = open_store(url)
        store.close()
        assert expected.exists(), url


def test_open_store_names_the_allowed_forms_for_an_unknown_scheme() -> None:
    with pytest.raises(StoreError, match=r"'postgres'.*duckdb:///.*influxdb://"):
        open_store("postgres://localhost/wqmon")


def test_threads_share_one_store(tmp_path: Path) -> None:
    store = DuckDBStore(tmp_path / "wqmon.duckdb")
    errors: list[BaseException] = []

    def writer(site: str) -> None:
        try:
            for hour in range(20):
                store.write(readings([{"site": site, "time": f"2024-03-01 {hour:02d}:00", "value": float(hour)}]))
                store.aggregate("day", sites=[site])
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(f"s{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert store.series()["count"].tolist() == [20, 20, 20, 20]
    store.close()


def test_a_closed_store_says_so(tmp_path: Path) -> None:
    store = DuckDBStore(tmp_path / "wqmon.duckdb")
    store.close()
    with pytest.raises(StoreError, match="closed"):
        store.read()


def test_several_processes_read_a_file_no_process_writes(tmp_path: Path) -> None:
    path = tmp_path / "wqmon.duckdb"
    with DuckDBStore(path) as store:
        store.write(county_year())
    reader_code = (
        "import sys, time; from store.duckdb_store import DuckDBStore; "
        "s = DuckDBStore(sys.argv[1], read_only=True); print(len(s.read()), flush=True); time.sleep(60)"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    reader = subprocess.Popen(
        [sys.executable, "-c", reader_code, str(path)], stdout=subprocess.PIPE, text=True, env=env
    )
    try:
        assert reader.stdout is not None
        count = int(reader.stdout.readline())
        with DuckDBStore(path, read_only=True) as mine:
            assert len(mine.read()) == count == len(county_year())
            with pytest.raises(StoreError, match="read-only"):
                mine.write(county_year())
    finally:
        os.kill(reader.pid, signal.SIGTERM)
        reader.wait(timeout=30)
        if reader.stdout is not None:
            reader.stdout.close()


def test_a_file_another_process_owns_is_refused_with_the_reason(tmp_path: Path) -> None:
    path = tmp_path / "wqmon.duckdb"
    DuckDBStore(path).close()
    owner_code = "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('ready', flush=True); time.sleep(60)"
    owner = subprocess.Popen([sys.executable, "-c", owner_code, str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert owner.stdout is not None and owner.stdout.readline().strip() == "ready"
        with pytest.raises(StoreError, match="a DuckDB file has one owner.*use InfluxDB"):
            DuckDBStore(path)
        with pytest.raises(StoreError, match="another process holds it for writing"):
            DuckDBStore(path, read_only=True)
    finally:
        os.kill(owner.pid, signal.SIGTERM)
        owner.wait(timeout=30)
        if owner.stdout is not None:
            owner.stdout.close()


@pytest.mark.parametrize("repeated", [1_000_000, 1_000_999], ids=["where-a-slice-is-cut", "in-the-last-slice"])
def test_a_large_batch_in_time_order_keeps_the_last_of_a_repeated_key(tmp_path: Path, repeated: int) -> None:
    # Every series at every hour: the keys are dense and counted in an array; the repeat of a key
    # must be found wherever it falls, and the later of the two kept.
    series, hours = 1000, 1001
    site = pd.array([f"s{i:04d}" for i in range(series)] * hours, dtype="string")
    hour = pd.RangeIndex(series * hours) // series
    time = pd.to_datetime(pd.Timestamp("2024-01-01", tz="UTC").value + hour * 3_600_000_000_000, utc=True)
    frame = pd.DataFrame({"site": site, "parameter": "COD", "time": time, "statistic": "hour_avg", "value": 1.0})
    frame["source"] = "bulk"
    batch = pd.concat(
        [frame.iloc[: repeated + 1], frame.iloc[[repeated]].assign(value=7.0), frame.iloc[repeated + 1 :]]
    )
    with DuckDBStore(tmp_path / "wqmon.duckdb") as store:
        assert store.write(batch) == len(batch)
        stored = store.read(sites=[str(site[repeated])])
    assert len(stored) == hours
    assert stored.loc[stored["time"] == time[repeated], "value"].tolist() == [7.0]


def test_a_batch_of_sparse_keys_keeps_the_last_of_a_repeated_key(tmp_path: Path) -> None:
    # 20 series, each row at its own time: too sparse to count keys in an array (a hash table does).
    rows = 4000
    time = pd.to_datetime(pd.Timestamp("2024-01-01", tz="UTC").value + pd.RangeIndex(rows) * 60_000_000_000, utc=True)
    site = pd.array([f"s{i % 20:02d}" for i in range(rows)], dtype="string")
    frame = pd.DataFrame({"site": site, "parameter": "COD", "time": time, "statistic": "rtd", "value": 1.0})
    frame["source"] = "bulk"
    batch = pd.concat([frame, frame.iloc[[1234]].assign(value=5.0), frame.iloc[[1234]].assign(value=6.0)])
    with DuckDBStore(tmp_path / "wqmon.duckdb") as store:
        store.write(batch)
        stored = store.read(sites=["s14"])
    assert len(stored) == rows // 20
    assert stored.loc[stored["time"] == time[1234], "value"].tolist() == [6.0]
