"""Evaluate a year of many sites in one process and spread by site over 1 and 2 Dask workers, in one run.

The sites and readings are those of bench/compliance_bench.py (default 2,000 sites x 12 parameters,
hourly, 365 days = 210 million readings), generated once into a DuckDB file (reused while it exists;
generation is not timed). Each figure is the wall time of `compliance_for` (every evaluation and
compliance rate of the year): first in one process (the anchor), then through `--dask` with a
local cluster of 1 and of 2 single-threaded worker processes that read the file read-only. Cluster
start-up is not timed; each answer is checked equal to the single-process one.

Measured 2026-12-08 on the shared 2-core machine: quiet (load 0.8-3.0) one process 40.1 s (peak
9.4 GiB), 1 worker 70.4 s, 2 workers 38.9 s (4.8-4.9 GiB each); loaded (load 3.9-6.1) 80.0 s,
167.5 s, 48.3 s. One worker shows the cluster's own cost: shipping each part's daily-level
evaluation back to the client (which peaks at 4.3-4.6 GiB).

Run by hand:  python bench/dask_bench.py [--sites 2000] [--days 365] [--file /tmp/wqmon-dask-bench.duckdb]
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from compliance_bench import county_config, site_year  # noqa: E402

from models.configuration import Configuration  # noqa: E402
from service.compliance_views import compliance_for  # noqa: E402
from service.distributed import SharedStore  # noqa: E402
from store.duckdb_store import DuckDBStore  # noqa: E402


def prepare(file: Path, config_dir: Path, n_sites: int, days: int) -> None:
    """The configuration, and unless the file exists the readings: written straight into the table
    (generated keys are unique, so the store's replace-on-key step has nothing to do; it is not what is measured)."""
    sites = county_config(config_dir, n_sites)
    if file.exists():
        return
    DuckDBStore(file).close()  # the schema
    rng = np.random.default_rng(7)
    started, total = time.perf_counter(), 0
    with duckdb.connect(str(file)) as connection:
        for first in range(0, len(sites), 50):
            batch = pd.concat([site_year(site, days, rng) for site in sites[first : first + 50]], ignore_index=True)
            connection.register("batch", batch)
            connection.execute("INSERT INTO readings SELECT * FROM batch")
            connection.unregister("batch")
            total += len(batch)
            print(f"  wrote {total:,} readings ({time.perf_counter() - started:.0f} s)", file=sys.stderr)


def evaluate(file: Path, config_dir: Path, period: str, workers: int) -> dict[str, object]:
    """Time compliance_for in this process (`workers` 0) or over a local cluster of `workers` processes."""
    config = Configuration.load(config_dir)
    url = f"duckdb:///{file}"
    if workers == 0:
        with DuckDBStore(file, read_only=True) as store:
            started = time.perf_counter()
            body = compliance_for(config, store, period)
            wall = time.perf_counter() - started
        return {"wall_s": wall, "body": body, "peak_mib": _peak_mib()}
    from distributed import Client, LocalCluster

    with (
        LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):
        started = time.perf_counter()
        body = compliance_for(config, SharedStore(str(cluster.scheduler_address), url), period)
        wall = time.perf_counter() - started
        peaks = client.run(_peak_mib)
    worker_peaks = sorted(round(peak) for peak in peaks.values())
    return {"wall_s": wall, "body": body, "peak_mib": _peak_mib(), "worker_peak_mib": worker_peaks}


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=2000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--file", type=Path, default=None)
    parser.add_argument("--stage", choices=["all", "prepare", "evaluate"], default="all")
    parser.add_argument("--workers", type=int, default=0, help="with --stage evaluate: 0 = one process")
    args = parser.parse_args()
    file = args.file or Path(tempfile.gettempdir()) / f"wqmon-dask-bench-{args.sites}x{args.days}.duckdb"
    config_dir = file.with_suffix(".config")
    config_dir.mkdir(parents=True, exist_ok=True)
    last = (pd.Timestamp("2026-01-01") + pd.Timedelta(days=args.days - 1)).date()
    period = "2026" if args.days >= 365 else f"2026-01-01..{last}"
    if args.stage == "prepare":
        prepare(file, config_dir, args.sites, args.days)
        return
    if args.stage == "evaluate":
        result = evaluate(file, config_dir, period, args.workers)
        print(json.dumps(result, ensure_ascii=False))
        return
    readings = args.sites * 12 * args.days * 24
    print(f"{args.sites} sites x 12 parameters x {args.days} days hourly = {readings / 1e6:.1f} M readings in {file}")
    base = [sys.executable, __file__, "--sites", str(args.sites), "--days", str(args.days), "--file", str(file)]
    subprocess.run([*base, "--stage", "prepare"], check=True)
    anchor: dict[str, object] | None = None
    for workers in (0, 1, 2):  # each in a fresh process, so peak memory is that run's own
        load = os.getloadavg()[0]
        run = subprocess.run([*base, "--stage", "evaluate", "--workers", str(workers)], check=True, capture_output=True)
        result = json.loads(run.stdout)
        if anchor is None:
            anchor = result
        same = "same answer" if result["body"] == anchor["body"] else "DIFFERENT ANSWER"
        ratio = float(result["wall_s"]) / float(anchor["wall_s"])  # type: ignore[arg-type]
        label = "one process (anchor)" if workers == 0 else f"{workers} Dask worker(s)"
        memory = f"peak {result['peak_mib']:.0f} MiB" + (
            f", workers {result['worker_peak_mib']} MiB" if "worker_peak_mib" in result else ""
        )
        print(f"{label}: {result['wall_s']:.1f} s ({ratio:.2f} x anchor), {same}; {memory}; load before {load:.1f}")
    print(f"load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (other work shares this machine)")


if __name__ == "__main__":
    main()
