"""`wqmon serve`: starts only with valid settings, serves, and stops cleanly on SIGTERM."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from models.configuration import Configuration
from service.cli import app
from service.wiring import open_reading_store
from store.keys import KeyStore
from store.state import StateDB

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def environment(tmp_path: Path, config: Configuration, store: str) -> dict[str, str]:
    return {
        **os.environ,
        "WQMON_CONFIG_DIR": str(config.folder),
        "WQMON_STORE": store,
        "WQMON_STATE_PATH": str(tmp_path / "state.sqlite"),
        "WQMON_HJ212_PORT": "0",
    }


def start(env: dict[str, str], port: int) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "service", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()  # blocks until the service says it is serving (or exits)
    assert "serving http://127.0.0.1:" in line, process.communicate()[1]
    return process


def post_and_stop(tmp_path: Path, env: dict[str, str]) -> tuple[int, str]:
    port = free_port()
    process = start(env, port)
    token, _ = KeyStore(StateDB(tmp_path / "state.sqlite")).create(role="ingest", name="logger gateway")
    rows = [{"site": "qx-chujing", "parameter": "DO", "time": "2025-06-01T08:00:00+08:00", "value": 7.1}]
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {token}"}) as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        assert client.post("/api/v1/readings", json={"readings": rows}).json()["accepted"] == 1
    process.send_signal(signal.SIGTERM)
    out, _ = process.communicate(timeout=60)
    return process.returncode, out


def test_sigterm_stops_cleanly_keeping_every_accepted_reading(tmp_path: Path, demo_config: Configuration) -> None:
    url = f"duckdb:///{tmp_path / 'wqmon.duckdb'}"
    returncode, out = post_and_stop(tmp_path, environment(tmp_path, demo_config, url))
    assert returncode == 0
    assert "stopped; every accepted reading is stored" in out
    store = open_reading_store(url)
    assert len(store.read(sites=["qx-chujing"])) == 1
    store.close()


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("WQMON_HTTP_PORT", "70000", "WQMON_HTTP_PORT='70000': Input should be less than or equal to 65535"),
        ("WQMON_CONFIG_DIR", "/nonexistent/wqmon", "configuration folder /nonexistent/wqmon does not exist"),
        ("WQMON_STORE", "ftp://nowhere", "store (WQMON_STORE=ftp://nowhere): store URL 'ftp://nowhere': scheme 'ftp'"),
    ],
)
def test_bad_settings_stop_start_up_saying_what_to_fix(
    tmp_path: Path, demo_config: Configuration, variable: str, value: str, message: str
) -> None:
    env = {**environment(tmp_path, demo_config, f"duckdb:///{tmp_path / 'wqmon.duckdb'}"), variable: value}
    result = CliRunner().invoke(app, ["serve"], env=env)
    assert result.exit_code == 2
    assert message in result.stderr


def test_a_busy_port_is_reported(tmp_path: Path, demo_config: Configuration) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        env = environment(tmp_path, demo_config, f"duckdb:///{tmp_path / 'wqmon.duckdb'}")
        result = CliRunner().invoke(app, ["serve", "--port", str(port)], env=env)
    assert result.exit_code == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr and "WQMON_HTTP_PORT" in result.stderr


def test_a_lab_file_dropped_into_the_inbox_is_imported_while_serving(
    tmp_path: Path, demo_config: Configuration
) -> None:
    url = f"duckdb:///{tmp_path / 'wqmon.duckdb'}"
    inbox = tmp_path / "inbox"
    env = environment(tmp_path, demo_config, url) | {
        "WQMON_LAB_INBOX_DIR": str(inbox),
        "WQMON_LAB_INBOX_INTERVAL_SECONDS": "0.2",
    }
    port = free_port()
    process = start(env, port)
    token, _ = KeyStore(StateDB(tmp_path / "state.sqlite")).create(role="viewer", name="staff")
    inbox.mkdir(exist_ok=True)
    (inbox / "五月.csv").write_text(
        "断面名称,采样时间,氨氮(mg/L),总磷(mg/L)\n清溪出境断面,2025-05-06 10:30,1.60,0.05L\n", encoding="utf-8"
    )
    try:
        done = inbox / "done" / "五月.csv"
        for _ in range(300):  # bounded wait for the scan, which runs every 0.2 s once the file is 2 s old
            if done.exists():
                break
            process.wait(timeout=0.1) if process.poll() is not None else time.sleep(0.1)
        assert done.exists(), sorted(p.name for p in inbox.rglob("*"))
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {token}"}) as client:
            series = client.get(
                "/api/v1/readings",
                params={"site": "qx-chujing", "start": "2025-05-01T00:00:00+08:00", "end": "2025-06-01T00:00:00+08:00"},
            )
            assert series.status_code == 200, series.text
            assert series.json()["total"] == 2
            # the inbox's readings go through the alert rules too: GB 3838 class III NH3-N 1.0 mg/L
            # (the zone qx-lower's target), 1.60 is (1.60 - 1.0) / 1.0 = 0.6 times over
            alerts: list[dict[str, object]] = []
            for _ in range(100):  # bounded wait for the alert worker
                listed = client.get("/api/v1/alerts", params={"site": "qx-chujing", "status": "active"}).json()
                alerts = [a for a in listed["items"] if a["rule"] == "exceedance" and a["parameter"] == "w21003"]
                if alerts:
                    break
                time.sleep(0.1)
            assert [(a["statistic"], a["value"], round(float(a["multiple"]), 6)) for a in alerts] == [  # type: ignore[arg-type]
                ("sample", 1.6, 0.6)
            ]
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=60)
    store = open_reading_store(url)
    stored = store.read(sites=["qx-chujing"])
    store.close()
    assert sorted(stored["parameter"]) == ["w21003", "w21011"]
    assert stored.set_index("parameter").loc["w21011", "non_detect"]


def test_a_second_instance_on_the_same_duckdb_file_refuses_to_start_and_points_to_influxdb(
    tmp_path: Path, demo_config: Configuration
) -> None:
    env = environment(tmp_path, demo_config, f"duckdb:///{tmp_path / 'wqmon.duckdb'}")
    first = start(env, free_port())
    try:
        second = subprocess.run(
            [sys.executable, "-m", "service", "serve", "--port", str(free_port())],
            cwd=ROOT,
            env={**env, "WQMON_STATE_PATH": str(tmp_path / "second-state.sqlite")},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert second.returncode == 2
        assert "is already used by another process" in second.stderr
        assert "use InfluxDB (WQMON_STORE=influxdb://…) to run several wqmon instances" in second.stderr
        assert first.poll() is None  # the owner serves on
    finally:
        first.send_signal(signal.SIGTERM)
        first.communicate(timeout=60)
    assert first.returncode == 0
