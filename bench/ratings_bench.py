"""Ratings, TLI and CWQI of a province-scale year, beside the compliance bench's evaluation.

Uses bench/compliance_bench.py's data (500 sites x 12 parameters hourly for a year, generated once
into a DuckDB file) with its sections grouped into rivers of six sections and ten basins. The
anchor, measured in the same run, is what compliance_bench times: load the year, evaluate it,
every rate and the scorecard. Then, on the same evaluation (the service computes them from it):
the trophic index of every lake site, and the ratings of every river, basin and the county with
CWQI (the base period is the same evaluation, so ΔCWQI's second CWQI pass is counted too; reading
a base year from the store is another period's load, timed by the anchor itself).
Target: ratings + TLI + CWQI add less than 20 % to the anchor.

Measured 2026-12-02 at full size (350 surface sites judged: 42 rivers, 10 basins, 50 lake points
with a TLI) on the shared 2-core machine, load average 4.8-6.6: anchor 33.3 s / 32.8 s; TLI
0.06 s / 0.05 s; ratings with CWQI and ΔCWQI 1.3 s / 2.3 s; added 4.2 % / 7.3 % of the anchor.

Run by hand:  python bench/ratings_bench.py [--sites 500] [--days 365] [--file /tmp/wqmon-bench-500x365.duckdb]
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.compliance_bench import prepare  # noqa: E402
from models.configuration import Configuration  # noqa: E402
from models.methods.trophic import trophic_index  # noqa: E402
from models.period.periods import parse_period  # noqa: E402
from models.rates.compliance import compliance_rates  # noqa: E402
from models.rates.indicators import scorecard  # noqa: E402
from service.compliance_views import load_indicators  # noqa: E402
from service.period_data import evaluate_data, load_period  # noqa: E402
from service.ratings_view import ratings_from  # noqa: E402
from store import open_store  # noqa: E402
from store.indicator_entries import IndicatorEntries  # noqa: E402
from store.state import StateDB  # noqa: E402


def with_rivers(config_dir: Path) -> None:
    """Give the sections and lake points of the bench county a river (six sections each) and a basin."""
    path = config_dir / "sites.yaml"
    sites = yaml.safe_load(path.read_text(encoding="utf-8"))["sites"]
    rated = [s for s in sites if s["kind"] in ("section", "lake")]
    for index, site in enumerate(rated):
        if site["kind"] == "section":
            site["river"] = f"河{index // 6:03d}"
        site["basin"] = f"流域{index % 10}"
    path.write_text(yaml.safe_dump({"sites": sites}, allow_unicode=True), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=500)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--file", type=Path, default=None)
    args = parser.parse_args()
    file = args.file or Path(tempfile.gettempdir()) / f"wqmon-bench-{args.sites}x{args.days}.duckdb"
    config_dir = file.with_suffix(".ratings-config")
    config_dir.mkdir(parents=True, exist_ok=True)
    prepare(file, config_dir, args.sites, args.days)  # the data only when the file is missing
    with_rivers(config_dir)
    period = "2026" if args.days >= 365 else f"2026-01-01..2026-01-{min(args.days, 31):02d}"
    config = Configuration.load(config_dir)
    store = open_store(f"duckdb:///{file}")

    started = time.perf_counter()
    data = load_period(store, config, parse_period(period))
    result = evaluate_data(data, config)
    rates = compliance_rates(config, result.period, result.monthly, result.plants)
    manual = IndicatorEntries(StateDB(":memory:")).for_period(period)
    scorecard(load_indicators(config_dir), {k: r.as_dict() for k, r in rates.items()}, manual, period=period)
    anchor = time.perf_counter() - started
    store.close()

    started = time.perf_counter()
    lakes = [s.id for s in config.sites.values() if s.effective_water_body == "lake"]
    trophic = trophic_index(result.data.values.loc[result.data.values["site"].isin(lakes)])
    tli = time.perf_counter() - started
    started = time.perf_counter()
    body = ratings_from(config, result, result)
    ratings = time.perf_counter() - started
    added = tli + ratings
    print(f"period {period}: {len(result.period.sites):,} surface sites judged, {len(trophic):,} with a TLI")
    print(f"rivers {len(body['rivers'])}, basins {len(body['basins'])}, county rating {body['county']['rating_zh']}")
    print(f"anchor (compliance bench: load + evaluate + rates + scorecard): {anchor:.2f} s")
    print(f"TLI of every lake site: {tli:.3f} s")
    print(f"ratings of rivers, basins, county with CWQI and ΔCWQI: {ratings:.3f} s")
    print(f"added: {added:.3f} s = {100 * added / anchor:.1f} % of the anchor (target < 20 %)")


if __name__ == "__main__":
    main()
