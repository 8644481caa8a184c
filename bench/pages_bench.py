"""Time the pages and the monthly report over the demo county (in process, no network).

Run by hand (prints figures; asserts nothing):

    python bench/pages_bench.py               # the demo county's year, 5 warm repeats per page
    python bench/pages_bench.py --repeats 2   # quicker

Target: every page under 500 ms server time on the demo county (warm: the service's compliance
cache answers; cold: the answers are computed once), each beside the /healthz anchor measured in
the same run; plotly.js and the Swagger UI files are sent with a Cache-Control header.
"""

import argparse
import datetime as dt
import sys
import tempfile
import time
import warnings
from pathlib import Path

import pandas as pd

warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
from fastapi.testclient import TestClient  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from models.alerts.config import AlertConfig  # noqa: E402
from service.alerting import AlertEngine  # noqa: E402
from service.api.app import create_app  # noqa: E402
from service.demo import demo_readings, write_config  # noqa: E402
from service.report.content import gather_report  # noqa: E402
from service.report.heading import load_heading  # noqa: E402
from service.report.html import render_html  # noqa: E402
from service.report.xlsx import xlsx_bytes  # noqa: E402
from service.settings import Settings  # noqa: E402
from store.duckdb_store import DuckDBStore  # noqa: E402
from store.keys import KeyStore  # noqa: E402
from store.state import StateDB  # noqa: E402
from tests.pages.conftest import Alerts, Compliance  # noqa: E402  (the service's adapters until wiring lands)

PAGES = ["/healthz", "/overview?month=2025-10", "/sites?month=2025-10", "/latest", "/sites/qx-chujing?year=2025",
         "/sites/wwtp-chengdong?year=2025", "/sites/src-qingshan?year=2025", "/alerts", "/upload",
         "/report?month=2025-10", "/report?month=2025-10&format=xlsx", "/api/v1/docs"]  # fmt: skip
CACHED = ["/static/plotly.min.js", "/api/v1/docs/assets/swagger-ui-bundle.js", "/api/v1/docs/assets/swagger-ui.css"]


def timed(call: object) -> float:
    started = time.perf_counter()
    call()  # type: ignore[operator]
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wqmon-pages-bench-") as folder_name:
        folder = Path(folder_name)
        config = write_config(folder / "config")
        settings = Settings(config_dir=folder / "config", store=f"duckdb:///{folder / 'w.duckdb'}",
                            state_path=folder / "state.sqlite")  # fmt: skip
        store, state = DuckDBStore(folder / "w.duckdb"), StateDB(settings.state_path)
        readings = demo_readings()
        store.write(readings)
        engine = AlertEngine(config, store, state, rules=AlertConfig.load(config.folder))
        engine.process(readings.loc[readings["time"] >= pd.Timestamp("2025-12-01", tz="UTC")])
        token, _ = KeyStore(state).create(role="operator", name="bench")
        app = create_app(settings, config=config, store=store, state=state,
                         compliance=Compliance(config, store, state, settings), alerts=Alerts(engine))  # type: ignore[arg-type]  # fmt: skip
        print(f"demo county: {len(readings):,} readings, {len(config.sites)} sites")
        with TestClient(app) as client:
            client.post("/login", data={"api_key": token, "next": "/overview"})
            anchor = 0.0
            for path in PAGES:
                cold = timed(lambda p=path: client.get(p).raise_for_status())
                warm = sorted(timed(lambda p=path: client.get(p).raise_for_status()) for _ in range(options.repeats))
                median = warm[len(warm) // 2]
                anchor = anchor or median
                size = len(client.get(path).content)
                verdict = "ok" if median < 0.5 else "OVER 500 ms"
                print(f"{path:40s} cold {cold * 1000:7.0f} ms   warm median {median * 1000:6.0f} ms"
                      f"   x{median / anchor:6.1f} /healthz   {size / 1024:6.0f} KiB   {verdict}")  # fmt: skip
            for path in CACHED:
                answer = client.get(path)
                print(f"{path:40s} {len(answer.content) / 1024:6.0f} KiB   Cache-Control: "
                      f"{answer.headers.get('cache-control', 'none')}")  # fmt: skip
        heading, today = load_heading(config.folder), dt.date.today()
        gathered = timed(lambda: gather_report(config, store, state, "2025-10", heading=heading, today=today))
        report = gather_report(config, store, state, "2025-10", heading=heading, today=today)
        xlsx, html = timed(lambda: xlsx_bytes(report)), timed(lambda: render_html(report))
        print(f"report 2025-10: gather {gathered * 1000:.0f} ms, xlsx {xlsx * 1000:.0f} ms, html {html * 1000:.0f} ms")
        store.close()
        state.close()


if __name__ == "__main__":
    main()
