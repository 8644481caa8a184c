"""Bulk write and daily-mean aggregate of the reading stores, printing readings/s and query ms.

    python bench/store_bench.py                     # 200 sites x 10 parameters x 5000 h = 10 M readings
    python bench/store_bench.py --hours 500         # 1 M, for a quick look
    python bench/store_bench.py --influx-hours 500  # InfluxDB on 1 M readings (the default)

Targets (issues 3, 19): a DuckDB bulk write at >= 50 % of a plain INSERT of the same readings
with an integer series id (measured in the same run), daily means of all series over 10 M
readings <= 1 s. InfluxDB runs on a real influxd started here (as in the tests) with fewer readings, since
it is limited by the server: its rate is reported with the ratio to posting the same line
protocol with httpx and nothing else.
"""

import argparse
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import duckdb
import httpx
import numpy as np
import pandas as pd
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from models.reading import as_readings  # noqa: E402
from store.duckdb_store import DuckDBStore  # noqa: E402
from store.influx import InfluxStore  # noqa: E402
from store.line_protocol import batches  # noqa: E402
from tests.store.influxd import InfluxServer, influxd_path  # noqa: E402


def hourly_readings(sites: int, parameters: int, hours: int, *, seed: int = 0) -> pd.DataFrame:
    """sites x parameters hourly means over `hours`, in time order as loggers deliver them."""
    rng = np.random.default_rng(seed)
    series = sites * parameters
    n = series * hours
    site_names = np.array([f"site{i:03d}" for i in range(sites)], dtype=object)
    parameter_names = np.array(
        ["COD", "NH3-N", "TP", "TN", "pH", "DO", "CODMn", "turbidity", "flow", "temp"][:parameters], dtype=object
    )
    if parameters > len(parameter_names):
        parameter_names = np.array([f"p{i}" for i in range(parameters)], dtype=object)
    series_index = np.tile(np.arange(series), hours)
    start = pd.Timestamp("2024-01-01", tz="UTC").value
    return pd.DataFrame(
        {
            "site": pd.array(site_names[series_index // parameters], dtype="string"),
            "parameter": pd.array(parameter_names[series_index % parameters], dtype="string"),
            "time": pd.to_datetime(
                start + np.repeat(np.arange(hours, dtype=np.int64), series) * 3_600_000_000_000, utc=True
            ),
            "statistic": pd.array(np.full(n, "hour_avg", dtype=object), dtype="string"),
            "value": rng.gamma(2.0, 5.0, n),
            "non_detect": rng.random(n) < 0.02,
            "flag": pd.array(np.where(rng.random(n) < 0.03, "M", "N").astype(object), dtype="string"),
            "source": pd.array(np.full(n, "bench", dtype=object), dtype="string"),
        }
    )


def seconds(action: Callable[[], object]) -> float:
    """Wall-clock seconds of one call."""
    begin = time.perf_counter()
    action()
    return time.perf_counter() - begin


def rate(label: str, n: int, elapsed_s: float, note: str = "") -> None:
    """Print one write figure: readings, seconds, millions of readings per second."""
    print(f"{label:<21}{n:>11,} readings  {elapsed_s:7.2f} s  {n / elapsed_s / 1e6:6.2f} M readings/s {note}")


def query(label: str, rows: int, elapsed_s: float, note: str = "") -> None:
    """Print one query figure: result rows and milliseconds."""
    print(f"{label:<21}{rows:>11,} rows      {elapsed_s * 1000:7.0f} ms {note}")


def plain_text_insert_seconds(frame: pd.DataFrame, path: Path) -> float:
    """Seconds to INSERT the validated frame, names and flag as text in every row (schema 1's layout)."""
    table = pa.Table.from_pandas(as_readings(frame), preserve_index=False)
    with duckdb.connect(str(path)) as connection:
        connection.execute("SET TimeZone = 'UTC'")
        connection.execute(
            "CREATE TABLE readings (site VARCHAR, parameter VARCHAR, time TIMESTAMPTZ, statistic VARCHAR, "
            "value DOUBLE, non_detect BOOLEAN, flag VARCHAR, source VARCHAR)"
        )
        connection.register("staged", table)
        return seconds(lambda: connection.execute("INSERT INTO readings SELECT * FROM staged"))


def plain_integer_insert_seconds(frame: pd.DataFrame, path: Path) -> float:
    """Seconds to INSERT the readings with an integer series id and flag already made (the floor)."""
    series = pd.factorize(pd.MultiIndex.from_frame(frame[["site", "parameter", "statistic", "source"]]))[0]
    table = pa.table(
        {
            "series": pa.array(series, pa.int32()),
            "time": pa.array(frame["time"].array.asi8 // 1000).view(pa.timestamp("us", tz="UTC")),
            "value": frame["value"].to_numpy(),
            "non_detect": frame["non_detect"].to_numpy(),
            "flag": pa.array(pd.factorize(frame["flag"])[0], pa.int16()),
        }
    )
    with duckdb.connect(str(path)) as connection:
        connection.execute("SET TimeZone = 'UTC'")
        connection.execute(
            "CREATE TABLE readings (series INTEGER, time TIMESTAMPTZ, value DOUBLE, non_detect BOOLEAN, flag SMALLINT)"
        )
        connection.register("staged", table)
        return seconds(lambda: connection.execute("INSERT INTO readings SELECT * FROM staged"))


def bench_duckdb(frame: pd.DataFrame, folder: Path) -> None:
    n = len(frame)
    rate("validate", n, seconds(lambda: as_readings(frame)), "(models.reading.as_readings, part of every write)")
    text_s = min(plain_text_insert_seconds(frame, folder / f"text-{i}.duckdb") for i in range(2))
    rate("plain INSERT, text", n, text_s, "(best of 2; names and flag as text in each row, schema 1's layout)")
    plain_s = min(plain_integer_insert_seconds(frame, folder / f"plain-{i}.duckdb") for i in range(2))
    rate("plain INSERT, int", n, plain_s, "(best of 2; integer series id and flag made beforehand: the anchor)")
    writes_s = []
    for attempt in range(3):  # each into a new file; the first also pays for the process's first big allocations
        with DuckDBStore(folder / f"write-{attempt}.duckdb") as fresh:
            writes_s.append(seconds(lambda s=fresh: s.write(frame)))
    rate("duckdb write, first", n, writes_s[0], "(one bulk write, idempotent, into a new file)")
    best_s = min(writes_s)
    rate("duckdb write", n, best_s, f"(best of 3) = {plain_s / best_s:.2f} x plain INSERT, int")
    with DuckDBStore(folder / "write-0.duckdb") as store:
        for interval, flags, note in (
            ("day", None, "all flags"),
            ("day", ("N",), "flag N"),
            ("month", ("N",), "flag N"),
        ):
            best = min(seconds(lambda i=interval, f=flags: store.aggregate(i, flags=f)) for _ in range(3))  # type: ignore[arg-type]
            rows = len(store.aggregate(interval, flags=flags))  # type: ignore[arg-type]
            query(f"duckdb {interval} means", rows, best, f"(best of 3, {note}, Asia/Shanghai days)")
        query("duckdb latest", len(store.latest()), min(seconds(store.latest) for _ in range(3)), "(best of 3)")
        query("duckdb series", len(store.series()), min(seconds(store.series) for _ in range(3)), "(best of 3)")
        part = frame.iloc[: min(n, 1_000_000)].assign(value=lambda f: f["value"] + 1)
        rate("duckdb rewrite", len(part), seconds(lambda: store.write(part)), "(corrections of stored keys)")


def bench_influx(frame: pd.DataFrame, folder: Path) -> None:
    executable = influxd_path()
    if executable is None:
        print("influxdb skipped: influxd is not installed")
        return
    n = len(frame)
    (folder / "influxd").mkdir()
    server = InfluxServer(folder / "influxd", executable)
    server.start()
    try:
        raw_db, store_db = f"raw_{uuid.uuid4().hex[:8]}", f"store_{uuid.uuid4().hex[:8]}"
        server.query(f'CREATE DATABASE "{raw_db}"')
        encode_s = seconds(lambda: batches(as_readings(frame), size=5000))
        bodies = batches(as_readings(frame), size=5000)
        with httpx.Client(base_url=server.url, timeout=120) as client:

            def post_raw() -> None:
                for body in bodies:
                    client.post("/write", params={"db": raw_db, "precision": "u"}, content=body).raise_for_status()

            raw_s = seconds(post_raw)
        store = InfluxStore(server.url, store_db, spool_path=folder / "spool.sqlite")
        store.create_database()
        write_s = seconds(lambda: store.write(frame))
        assert store.pending() == 0
        rate("influxdb encode", n, encode_s, "(readings -> line protocol)")
        rate("influxdb raw posting", n, raw_s, "(httpx, pre-encoded, 5000 points per request)")
        rate("influxdb write", n, write_s, f"= {raw_s / write_s:.2f} x raw posting")
        query_s = seconds(lambda: store.aggregate("day", flags=None))
        query(
            "influxdb day means", len(store.aggregate("day", flags=None)), query_s, "(GROUP BY time(1d) on the server)"
        )
        store.close()
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sites", type=int, default=200)
    parser.add_argument("--parameters", type=int, default=10)
    parser.add_argument("--hours", type=int, default=5000, help="hours for DuckDB (5000 -> 10 M readings)")
    parser.add_argument("--influx-hours", type=int, default=500, help="hours for InfluxDB (500 -> 1 M readings)")
    parser.add_argument("--skip-influx", action="store_true")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wqmon-bench-") as tmp:
        folder = Path(tmp)
        frame = hourly_readings(options.sites, options.parameters, options.hours)
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (other work slows every figure)")
        print(f"{options.sites} sites x {options.parameters} parameters x {options.hours} h = {len(frame):,} readings")
        bench_duckdb(frame, folder)
        del frame
        if not options.skip_influx:
            frame = hourly_readings(options.sites, options.parameters, options.influx_hours)
            shape = f"{options.sites} x {options.parameters} x {options.influx_hours} h"
            print(f"InfluxDB on {shape} = {len(frame):,} readings")
            bench_influx(frame, folder)


if __name__ == "__main__":
    main()
