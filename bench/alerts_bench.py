"""Alert rules and engine throughput.

Run by hand from the repository root: PYTHONPATH=. python bench/alerts_bench.py [DAYS].

1. The pure rules (models.alerts.rules.evaluate_readings) on one batch: a plant with six hourly
   items and four river sections with six items every 4 h, for DAYS days, with exceedances, a
   stuck analyser, spikes and fault flags; prints readings/s.
2. The engine as the service calls it: one hour's packet at a time (write to a DuckDB store in a
   temporary folder, then process), prints the mean and p99 milliseconds per packet.
3. How the engine's cost grows with the batch (the alert worker judges whatever is queued in one
   step): 1,000 plants with a day of history stored, then batches of 1 to 1,000 plants' hour
   packets judged at once; prints ms per batch and µs per reading. The anchor is the same run's
   `store.read` of one plant's day (a fixed cost any batch pays once).
"""

import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from models.alerts.config import AlertConfig
from models.alerts.rules import evaluate_readings
from models.configuration import Configuration
from models.reading import as_readings, empty_readings
from models.sites import Site, Zone
from service.alerting import AlertEngine
from store.duckdb_store import DuckDBStore
from store.state import StateDB

ITEMS = ["w01018", "w21003", "w21011", "w21001", "w01001", "w01010"]
TYPICAL = {"w01018": 30.0, "w21003": 2.0, "w21011": 0.3, "w21001": 10.0, "w01001": 7.2, "w01010": 18.0}


def county() -> Configuration:
    base = Configuration.load()
    sites = {"plant": Site(id="plant", name="城东污水处理厂", kind="plant", standard="GB18918-2002", target="1A")}
    for i in range(4):
        sites[f"s{i}"] = Site(id=f"s{i}", name=f"断面{i}", kind="section", standard="GB3838-2002", zone="z")
    zones = {"z": Zone(id="z", name="保留区", target="III")}
    return Configuration(catalogue=base.catalogue, standards=base.standards, zones=zones, sites=sites)


def synthetic(days: int, rng: np.random.Generator) -> pd.DataFrame:
    frames = []
    start = pd.Timestamp("2026-01-01", tz="UTC")
    for site, step in [("plant", "1h")] + [(f"s{i}", "4h") for i in range(4)]:
        times = pd.date_range(start, periods=days * 24 // (1 if step == "1h" else 4), freq=step)
        for code in ITEMS:
            scale = TYPICAL[code] / (1 if site == "plant" or code in ("w01001", "w01010") else 10)
            sigma = 0.02 if code in ("w01001", "w01010") else 0.3
            values = np.round(rng.lognormal(np.log(scale), sigma, len(times)), 2)
            values[rng.random(len(times)) < 0.01] *= 5  # spikes and exceedances
            values[100:110] = values[100]  # a stuck analyser
            flags = np.where(rng.random(len(times)) < 0.005, "D", "N")
            frames.append(pd.DataFrame({"site": site, "parameter": code, "time": times, "statistic": "hour_avg",
                                        "value": values, "flag": flags, "source": "hj212:MN"}))  # fmt: skip
    return as_readings(pd.concat(frames, ignore_index=True)).sort_values("time", kind="stable")


def bench_rules(configuration: Configuration, readings: pd.DataFrame) -> None:
    rules = AlertConfig()
    evaluate_readings(readings.head(1000), empty_readings(), configuration, rules)  # warm up
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        conditions = evaluate_readings(readings, empty_readings(), configuration, rules)
        best = min(best, time.perf_counter() - start)
    firing = int(conditions["firing"].sum())
    print(f"rules: {len(readings):,} readings -> {len(conditions):,} conditions ({firing:,} firing) "
          f"in {best:.3f} s (best of 3): {len(readings) / best:,.0f} readings/s")  # fmt: skip


def bench_engine(configuration: Configuration, readings: pd.DataFrame, packets: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        store = DuckDBStore(Path(folder) / "readings.duckdb")
        state = StateDB(Path(folder) / "state.sqlite")
        engine = AlertEngine(configuration, store, state)
        timings = []
        for _, packet in list(readings.groupby("time", sort=True))[:packets]:
            begin = time.perf_counter()
            store.write(packet)
            engine.process(packet)
            timings.append(time.perf_counter() - begin)
        ms = np.array(timings) * 1000
        counts = engine.counts()
        print(f"engine: {len(ms)} hourly packets written and processed: mean {ms.mean():.1f} ms, "
              f"p50 {np.percentile(ms, 50):.1f} ms, p99 {np.percentile(ms, 99):.1f} ms per packet; "
              f"active alerts {counts}, all alerts {engine.alerts.count()}")  # fmt: skip
        state.close()
        store.close()


def bench_batch_sizes() -> None:
    base = Configuration.load()
    sites = {f"p{i}": Site(id=f"p{i}", name=f"厂{i}", kind="plant", standard="GB18918-2002", target="1A")
             for i in range(1000)}  # fmt: skip
    configuration = Configuration(catalogue=base.catalogue, standards=base.standards, zones={}, sites=sites)
    rng = np.random.default_rng(3)
    start = pd.Timestamp("2026-03-01", tz="UTC")

    def hour(k: int, plants: range) -> pd.DataFrame:
        rows = [{"site": f"p{i}", "parameter": code, "time": start + pd.Timedelta(hours=k), "statistic": "hour_avg",
                 "value": round(TYPICAL[code] * rng.uniform(0.8, 1.2), 3), "source": f"hj212:MN{i}"}
                for i in plants for code in ITEMS]  # fmt: skip
        return as_readings(pd.DataFrame(rows))

    with tempfile.TemporaryDirectory() as folder:
        store = DuckDBStore(Path(folder) / "readings.duckdb")
        state = StateDB(Path(folder) / "state.sqlite")
        engine = AlertEngine(configuration, store, state)
        history = pd.concat([hour(k, range(1000)) for k in range(24)], ignore_index=True)
        store.write(history)
        engine.process(history)
        anchor = []
        for _ in range(20):
            begin = time.perf_counter()
            store.read(sites=["p1"], start=start.to_pydatetime(), end=(start + pd.Timedelta(days=1)).to_pydatetime())
            anchor.append(time.perf_counter() - begin)
        print(f"engine by batch size (1,000 plants, a day stored); anchor: store.read of one plant's day "
              f"{np.median(anchor) * 1000:.1f} ms (median of 20)")  # fmt: skip
        k = 24
        for size in (1, 10, 100, 1000):
            timings = []
            for _ in range(3):
                batch = hour(k, range(size))
                k += 1
                store.write(batch)
                begin = time.perf_counter()
                engine.process(batch)
                timings.append(time.perf_counter() - begin)
            best = min(timings)
            n = size * len(ITEMS)
            print(f"  {size:5d} plants' hour packets ({n:5d} readings): {best * 1000:7.1f} ms per batch, "
                  f"{best / n * 1e6:7.0f} µs per reading (best of 3)")  # fmt: skip
        state.close()
        store.close()


def main(days: int = 365) -> None:
    configuration = county()
    readings = synthetic(days, np.random.default_rng(7))
    bench_rules(configuration, readings)
    bench_engine(configuration, readings, packets=min(500, days * 24))
    bench_batch_sizes()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 365)
