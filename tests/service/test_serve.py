"""`wqmon serve`: starts only with valid settings, serves, and stops cleanly on SIGTERM."""

import os
import signal
import socket
import subprocess
import sys
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
