"""Evaluate a province-scale year from the DuckDB store and print time and peak memory.

Default scale: 500 sites x 12 parameters, hourly, 365 days = 52.6 million readings. The data are
generated once into a DuckDB file (reused while the file exists; generation is not timed), then
a fresh process reads the year, builds daily means, monthly values and classes, every
compliance rate and the scorecard. Target: under 15 s on this machine.

Measured 2026-11-25 at full size on the shared 2-core machine (load average 7-8.5 from the other
developers): 11.8-33.7 s wall (11.8 s in the last run, after merging main), ~11 s CPU time of the
evaluating process (start-up included),
peak RSS 2.6 GiB. About 85 % of the wall time is the store: DuckDB's daily aggregate of 52.6 M
rows and the read of 4.2 M hourly pH values (averaged through [H+], which the Store protocol's
arithmetic aggregate cannot do); evaluations ~1.5-2 s, rates and scorecard ~0.5 s.

Run by hand:  python bench/compliance_bench.py [--sites 500] [--days 365] [--file /tmp/wqmon-bench.duckdb]
"""

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from models.configuration import Configuration  # noqa: E402
from models.period.periods import parse_period  # noqa: E402
from models.rates.compliance import compliance_rates  # noqa: E402
from models.rates.indicators import scorecard  # noqa: E402
from service.compliance_views import load_indicators  # noqa: E402
from service.period_data import evaluate_data, load_period  # noqa: E402
from store import open_store  # noqa: E402
from store.indicator_entries import IndicatorEntries  # noqa: E402
from store.state import StateDB  # noqa: E402

SURFACE = ["w01001", "w01009", "w01019", "w21003", "w21011", "w21001", "w01010", "w01014", "w01018", "w01017",
           "w19002", "w22001"]  # fmt: skip
PLANT = ["w01018", "w21003", "w21011", "w21001", "w01001", "w01010", "w00000", "w01012", "w01017", "w22001",
         "w19002", "w01002"]  # fmt: skip
# Typical level of each item (median), in the catalogue unit.
LEVEL = {"w01001": 7.4, "w01009": 7.0, "w01019": 3.5, "w21003": 0.5, "w21011": 0.12, "w21001": 1.2, "w01010": 18.0,
         "w01014": 400.0, "w01018": 16.0, "w01017": 2.5, "w19002": 0.05, "w22001": 0.02, "w00000": 2000.0,
         "w01012": 6.0, "w01002": 10.0}  # fmt: skip
PLANT_LEVEL = {"w01018": 30.0, "w21003": 2.5, "w21011": 0.3, "w21001": 10.0, "w01017": 5.0, "w22001": 0.3,
               "w19002": 0.2}  # fmt: skip


def county_config(folder: Path, n_sites: int) -> list[dict[str, object]]:
    """Write zones.yaml and sites.yaml for `n_sites` sites: 30 % plants, the rest surface sites."""
    n_plants = int(n_sites * 0.3)
    n_sources = max(1, n_sites // 10)
    n_lakes = max(1, n_sites // 10)
    zones = [{"id": f"z{i:02d}", "name": f"功能区{i}", "target": ["II", "III", "IV"][i % 3]} for i in range(20)]
    sites: list[dict[str, object]] = []
    for i in range(n_sites):
        if i < n_plants:
            sites.append({"id": f"p{i:04d}", "name": f"污水厂{i}", "kind": "plant", "standard": "GB18918-2002",
                          "target": ["1A", "1B"][i % 2], "built": "2004-01-01" if i % 3 else "2012-01-01"})  # fmt: skip
        elif i < n_plants + n_sources:
            sites.append({"id": f"w{i:04d}", "name": f"水源地{i}", "kind": "source", "standard": "GB3838-2002",
                          "target": "III", "withdrawal_m3_per_year": float(1e6 * (1 + i % 7))})  # fmt: skip
        elif i < n_plants + n_sources + n_lakes:
            sites.append({"id": f"l{i:04d}", "name": f"湖库点{i}", "kind": "lake", "standard": "GB3838-2002",
                          "zone": f"z{i % 20:02d}"})  # fmt: skip
        else:
            site = {"id": f"s{i:04d}", "name": f"断面{i}", "kind": "section", "standard": "GB3838-2002",
                    "zone": f"z{i % 20:02d}"}  # fmt: skip
            if i % 8 == 0:
                site["boundary"] = "outgoing"
            sites.append(site)
    (folder / "zones.yaml").write_text(yaml.safe_dump({"zones": zones}, allow_unicode=True), encoding="utf-8")
    (folder / "sites.yaml").write_text(yaml.safe_dump({"sites": sites}, allow_unicode=True), encoding="utf-8")
    return sites


def site_year(site: dict[str, object], days: int, rng: np.random.Generator) -> pd.DataFrame:
    """Hourly values of one site's 12 parameters: log-normal scatter, 3 % flagged, a few gaps."""
    plant = site["kind"] == "plant"
    codes = PLANT if plant else SURFACE
    hours = days * 24
    times = pd.date_range("2025-12-31 16:00", periods=hours, freq="h", tz="UTC")
    n = hours * len(codes)
    level = np.repeat([PLANT_LEVEL.get(c, LEVEL[c]) if plant else LEVEL[c] for c in codes], hours)
    season = np.tile(np.sin(np.arange(hours) / hours * 2 * np.pi), len(codes))
    values = level * rng.lognormal(0.0, 0.35, n) * (1 + 0.2 * season)
    is_ph = np.repeat(np.array(codes) == "w01001", hours)
    values = np.where(is_ph, 7.4 + rng.normal(0, 0.3, n), values)
    is_temp = np.repeat(np.array(codes) == "w01010", hours)
    values = np.where(is_temp, 16 + 10 * season + rng.normal(0, 1, n), values)
    flags = np.where(rng.random(n) < 0.03, "M", "N")
    keep = rng.random(n) > 0.01
    return pd.DataFrame(
        {
            "site": site["id"],
            "parameter": np.repeat(codes, hours)[keep],
            "time": np.tile(times, len(codes))[keep],
            "statistic": "hour_avg",
            "value": values[keep],
            "non_detect": False,
            "flag": flags[keep],
            "source": "hj212:bench",
        }
    )


def prepare(file: Path, config_dir: Path, n_sites: int, days: int) -> None:
    """Generate the configuration and, unless the file exists, the readings."""
    sites = county_config(config_dir, n_sites)
    if file.exists():
        return
    store = open_store(f"duckdb:///{file}")
    rng = np.random.default_rng(7)
    started = time.perf_counter()
    total = 0
    batch: list[pd.DataFrame] = []
    for index, site in enumerate(sites):
        batch.append(site_year(site, days, rng))
        if len(batch) == 20 or index == len(sites) - 1:
            total += store.write(pd.concat(batch, ignore_index=True))
            batch = []
            print(f"  wrote {total:,} readings ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    store.close()


def evaluate(file: Path, config_dir: Path, period: str) -> None:
    """Time the evaluation of `period` and print the figures."""
    config = Configuration.load(config_dir)
    store = open_store(f"duckdb:///{file}")
    started = time.perf_counter()
    data = load_period(store, config, parse_period(period))
    read = time.perf_counter()
    result = evaluate_data(data, config)
    loaded = time.perf_counter()
    rates = compliance_rates(config, result.evaluations)
    manual = IndicatorEntries(StateDB(":memory:")).for_period(period)
    card = scorecard(load_indicators(config_dir), {k: r.as_dict() for k, r in rates.items()}, manual, period=period)
    finished = time.perf_counter()
    store.close()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak_mib = usage.ru_maxrss / 1024
    cpu_s = usage.ru_utime + usage.ru_stime  # with the load of others, wall time overstates the cost
    load = os.getloadavg()[0]
    daily = result.data.plant_daily
    print(f"plant daily means: {len(daily):,} ({int(daily['valid'].sum()):,} valid days)")
    print(f"surface monthly values: {len(result.data.monthly):,}; monthly classes: {len(result.monthly.sites):,}")
    for rate in rates.values():
        print(f"  {rate.id}: {rate.percent}% ({rate.numerator:g}/{rate.denominator:g}), {len(rate.failing)} failing")
    print(f"scorecard: {card['summary']}")
    print(f"store aggregate/read + daily, monthly and period values: {read - started:.2f} s")
    print(f"evaluations (period classes, monthly classes, plant days): {loaded - read:.2f} s")
    print(f"rates + scorecard: {finished - loaded:.2f} s")
    print(f"TOTAL {finished - started:.2f} s, peak memory {peak_mib:.0f} MiB (max RSS of the evaluating process)")
    print(f"CPU time of the process {cpu_s:.1f} s (incl. start-up); load average {load:.1f} on {os.cpu_count()} cores")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=500)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--file", type=Path, default=None)
    parser.add_argument("--stage", choices=["all", "prepare", "evaluate"], default="all")
    parser.add_argument("--config-dir", type=Path, default=None)
    args = parser.parse_args()
    file = args.file or Path(tempfile.gettempdir()) / f"wqmon-bench-{args.sites}x{args.days}.duckdb"
    config_dir = args.config_dir or file.with_suffix(".config")
    config_dir.mkdir(parents=True, exist_ok=True)
    period = (
        "2026"
        if args.days >= 365
        else f"2026-01-01..{(pd.Timestamp('2026-01-01') + pd.Timedelta(days=args.days - 1)).date()}"
    )
    readings = args.sites * 12 * args.days * 24
    if args.stage in ("all", "prepare"):
        print(
            f"preparing {args.sites} sites x 12 parameters x {args.days} days hourly = {readings / 1e6:.1f} M readings"
        )
        if args.stage == "prepare":
            prepare(file, config_dir, args.sites, args.days)
            return
        # Generate in a child process so the peak memory below is the evaluation's own.
        command = [sys.executable, __file__, "--stage", "prepare", "--sites", str(args.sites), "--days", str(args.days),
                   "--file", str(file), "--config-dir", str(config_dir)]  # fmt: skip
        print(
            f"preparing {args.sites} sites x 12 parameters x {args.days} days hourly = {readings / 1e6:.1f} M readings"
        )
        subprocess.run(command, check=True)
    print(f"evaluating {period} from {file}")
    evaluate(file, config_dir, period)


if __name__ == "__main__":
    main()
