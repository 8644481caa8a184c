"""Secrets stay secret: logger passwords never shown, the service's files its owner's alone."""

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

from ingest.hj212.codec import encode
from ingest.hj212.packet import Packet
from service.demo import write_config
from store.quarantine import Quarantine, QuarantinedPacket
from store.state import StateDB
from tests.service.conftest import LiveApi

ROOT = Path(__file__).resolve().parents[2]


def test_quarantined_packets_are_shown_without_the_logger_password(live: LiveApi) -> None:
    raw = encode(Packet(qn="20250601080000000", st="32", cn="2011", pw="s3cret9", mn="UNKNOWN-MN", flag=5, cp=()))
    when = dt.datetime(2025, 6, 1, tzinfo=dt.UTC)
    Quarantine(live.state).add(QuarantinedPacket(when, "10.0.0.9:5000", "UNKNOWN-MN", "unknown_mn", "PW=s3cret9?", raw))
    with live.client("viewer") as client:
        response = client.get("/api/v1/quarantine")
    assert response.status_code == 200
    assert "s3cret9" not in response.text
    entry = response.json()["items"][0]
    assert "PW=******" in entry["raw"] and "MN=UNKNOWN-MN" in entry["raw"]


def test_the_state_database_is_the_owner_s_only(tmp_path: Path) -> None:
    StateDB(tmp_path / "state.sqlite").close()
    assert (tmp_path / "state.sqlite").stat().st_mode & 0o777 == 0o600


def test_files_the_command_creates_are_the_owner_s_only(tmp_path: Path) -> None:
    config = write_config(tmp_path / "config").folder
    lab = tmp_path / "lab.csv"
    lab.write_text("site,parameter,time,value\nqx-chujing,COD,2025-06-10T10:00:00+08:00,15\n")
    lab.chmod(0o644)
    store, state = tmp_path / "data" / "wqmon.duckdb", tmp_path / "data" / "state.sqlite"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "WQMON_STATE_PATH": str(state)}
    for args in (
        ["ingest", str(lab), "--config-dir", str(config), "--store", f"duckdb:///{store}"],
        ["keys", "create", "--role", "viewer", "--name", "t", "--state", str(state)],
    ):
        done = subprocess.run([sys.executable, "-m", "service", *args], env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    created = [p for p in (tmp_path / "data").iterdir() if p.is_file()]
    assert store in created and state in created
    assert {p.name: oct(p.stat().st_mode & 0o777) for p in created} == {p.name: "0o600" for p in created}
