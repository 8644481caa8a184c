"""A real wqmon server on 127.0.0.1 over the demo county (built in tmp), with compliance and alerts wired in.

Compliance answers come through the service's own wiring (service/wiring.py: ComplianceViews).
"""

import os
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import uvicorn

from ingest.lab.importer import import_lab_file
from models.alerts.config import AlertConfig
from models.configuration import Configuration
from models.reading import as_readings
from service.alerting import AlertEngine
from service.api.app import create_app
from service.demo import demo_readings, write_config
from service.settings import Settings
from service.wiring import ComplianceViews
from store.duckdb_store import DuckDBStore
from store.keys import KeyStore
from store.state import StateDB

CHROMIUM = Path("/usr/bin/chromium")


class Alerts:
    """The alert port over the alert engine."""

    def __init__(self, engine: AlertEngine) -> None:
        self.engine = engine

    def process(self, readings: pd.DataFrame) -> None:
        self.engine.process(readings)

    def list(self, *, status: str | None = None, site: str | None = None) -> list[dict[str, Any]]:
        return [a.to_dict() for a in self.engine.list(status=status, site=site, limit=1_000_000)]  # type: ignore[arg-type]

    def get(self, alert_id: int) -> dict[str, Any]:
        return self.engine.get(alert_id).to_dict()

    def acknowledge(self, alert_id: int, *, by: str, note: str) -> dict[str, Any]:
        return self.engine.acknowledge(alert_id, by, note or None).to_dict()

    def resolve(self, alert_id: int, *, by: str, note: str) -> dict[str, Any]:
        return self.engine.resolve(alert_id, by, note or None).to_dict()

    def active(self) -> int:
        return sum(self.engine.counts().values())


def lab_importer(config: Configuration, settings: Settings) -> Any:
    """Uploads through the lab importer (ingest/lab), its problems keeping file, sheet, row and column."""

    def run(content: bytes, filename: str) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
        name = Path(filename).name
        with tempfile.TemporaryDirectory(prefix="wqmon-upload-") as folder:
            path = Path(folder) / name
            path.write_bytes(content)
            result = import_lab_file(path, config, timezone=settings.timezone, name=name)
        return result.readings, [{**p.as_dict(), "message": str(p)} for p in result.problems]

    return run


@dataclass
class DemoServer:
    """A running wqmon over the demo county."""

    url: str
    keys: dict[str, str]  # role -> key
    config: Configuration
    store: DuckDBStore
    state: StateDB
    settings: Settings


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    """The demo county (a year of data; alerts from its last ten days and lab samples over target) on uvicorn."""
    folder = tmp_path_factory.mktemp("pages-demo")
    config = write_config(folder / "config")
    settings = Settings(config_dir=folder / "config", store=f"duckdb:///{folder / 'wqmon.duckdb'}",
                        state_path=folder / "state.sqlite")  # fmt: skip
    store, state = DuckDBStore(folder / "wqmon.duckdb"), StateDB(settings.state_path)
    readings = demo_readings()
    store.write(readings)
    engine = AlertEngine(config, store, state, rules=AlertConfig.load(config.folder))
    engine.process(readings.loc[readings["time"] >= pd.Timestamp("2025-12-20", tz="UTC")])
    # and lab samples far over their targets (COD 45 mg/L; III and IV sections), as a lab upload would bring
    over = ["qx-chujing", "tx-huiru", "qx-chengqu"]
    sample = as_readings(
        pd.DataFrame(
            {"site": over, "parameter": "w01018", "time": pd.Timestamp("2025-12-28T02:00", tz="UTC"),
             "statistic": "sample", "value": 45.0, "non_detect": False, "flag": "N", "source": "lab:test"}
        )
    )  # fmt: skip
    store.write(sample)
    engine.process(sample)
    keys = KeyStore(state)
    tokens = {role: keys.create(role=role, name=f"page {role}")[0] for role in ("viewer", "operator", "scoring")}
    app = create_app(
        settings,
        config=config,
        store=store,
        state=state,
        compliance=ComplianceViews(config, store, state, settings),
        alerts=Alerts(engine),  # type: ignore[arg-type]  # main types alert ids as str; the engine uses int
        importer=lab_importer(config, settings),
    )
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:  # waiting for start-up, not asserting on time
        if not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)
    yield DemoServer(f"http://127.0.0.1:{port}", tokens, config, store, state, settings)
    server.should_exit = True
    thread.join()
    store.close()
    state.close()


@pytest.fixture(scope="session")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where screenshots go: $WQMON_TEST_ARTIFACTS, else artifacts/ at the repository root (ignored by git)."""
    folder = Path(os.environ.get("WQMON_TEST_ARTIFACTS", Path(__file__).parents[2] / "artifacts" / "pages"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def chromium_or_skip() -> Path:
    """Debian's chromium ($WQMON_CHROMIUM names another); a missing one fails when CI=true, else skips."""
    named = os.environ.get("WQMON_CHROMIUM")
    found = named if named else shutil.which("chromium") or (str(CHROMIUM) if CHROMIUM.exists() else None)
    if found is None or not Path(found).is_file():
        message = f"headless Chromium is needed for the browser tests (apt-get install chromium); not found: {found}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return Path(found)
