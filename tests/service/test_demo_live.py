"""End to end: `wqmon demo` as a user starts it — a healthy county up to now, and its simulated loggers'
readings arriving over its own HJ 212 port."""

import datetime as dt
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_wqmon_demo_is_alive_healthy_and_its_loggers_report(tmp_path: Path) -> None:
    http_port, hj212_port = free_port(), free_port()
    environment = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "WQMON_HTTP_PORT": str(http_port),  # the demo honours the service's variables
        "WQMON_HJ212_PORT": str(hj212_port),
        "WQMON_ALERT_CHECK_INTERVAL_S": "1",  # offline, gap and overdue checks every second
    }
    environment.pop("WQMON_HJ212_HOST", None)
    log = tmp_path / "demo.log"
    with log.open("wb") as out:
        demo = subprocess.Popen(
            [sys.executable, "-m", "service", "demo", str(tmp_path / "county"), "--logger-seconds", "1"],
            env=environment, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            token = _wait_for_key(log, demo)
            text = log.read_text(encoding="utf-8")
            assert f"HJ 212 on 127.0.0.1:{hj212_port}" in text  # loopback only: the demo password is public
            url = f"http://127.0.0.1:{http_port}/api/v1"
            with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=10) as client:
                since = dt.datetime.now(dt.UTC)
                arrived: dict[str, int] = {}
                deadline = time.monotonic() + 40
                while time.monotonic() < deadline and not (arrived.get("wwtp-chengdong", 0) >= 3 and
                                                           arrived.get("qx-chujing", 0) >= 3):  # fmt: skip
                    time.sleep(1)
                    for site in ("wwtp-chengdong", "qx-chujing"):
                        answer = client.get(
                            "/readings",
                            params={"site": site, "parameter": "w01001", "start": since.isoformat(), "limit": 100},
                        ).json()
                        arrived[site] = sum(1 for r in answer["items"] if r["statistic"] == "rtd")
                time.sleep(2)  # at least one more periodic check after the readings arrived
                active = client.get("/alerts", params={"status": "active", "limit": 1000}).json()["items"]
            assert arrived["wwtp-chengdong"] >= 3 and arrived["qx-chujing"] >= 3, arrived
            rules = {a["rule"] for a in active}
            assert not rules & {"offline", "gap", "sample_overdue"}, [a["message"] for a in active]
        finally:
            demo.send_signal(signal.SIGTERM)
            demo.wait(timeout=60)


def _wait_for_key(log: Path, process: subprocess.Popen[bytes]) -> str:
    deadline = time.monotonic() + 90  # creating the county's year takes a few seconds
    while time.monotonic() < deadline:
        text = log.read_text(encoding="utf-8", errors="replace")
        found = re.search(r"admin key: (wqm_\S+)", text)
        if found and "HJ 212 on" in text:
            return found.group(1)
        assert process.poll() is None, text
        time.sleep(0.3)
    raise AssertionError(f"wqmon demo did not start: {log.read_text(encoding='utf-8', errors='replace')}")
