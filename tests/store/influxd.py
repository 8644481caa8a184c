"""A real `influxd` (InfluxDB 1.x) on 127.0.0.1 for the tests and the benchmark, stopped by pid."""

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Mapping
from pathlib import Path

import httpx

_CONFIG = """\
reporting-enabled = false
bind-address = "127.0.0.1:{rpc_port}"
[meta]
  dir = "{root}/meta"
  logging-enabled = false
[data]
  dir = "{root}/data"
  wal-dir = "{root}/wal"
  wal-fsync-delay = "0s"
  query-log-enabled = false
[monitor]
  store-enabled = false
[http]
  enabled = true
  bind-address = "127.0.0.1:{http_port}"
  log-enabled = false
  max-body-size = 0
[logging]
  level = "warn"
  suppress-logo = true
"""


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def influxd_path(environ: Mapping[str, str] = os.environ) -> str | None:
    """Where influxd is installed (or WQMON_INFLUXD says it is), or None."""
    chosen = environ.get("WQMON_INFLUXD")
    if chosen is not None:
        return chosen if os.access(chosen, os.X_OK) else None
    return shutil.which("influxd") or ("/usr/bin/influxd" if os.access("/usr/bin/influxd", os.X_OK) else None)


class InfluxServer:
    """One influxd with its own config, data directories and ports; restartable on the same data."""

    def __init__(self, root: Path, executable: str) -> None:
        self.root = root
        self.executable = executable
        self.http_port = free_port()
        self.url = f"http://127.0.0.1:{self.http_port}"
        self.config = root / "influxdb.conf"
        self.config.write_text(_CONFIG.format(root=root, rpc_port=free_port(), http_port=self.http_port))
        self.log = root / "influxd.log"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self, *, timeout_s: float = 30.0) -> None:
        """Start influxd and wait until it answers /ping."""
        with self.log.open("ab") as log:
            self._process = subprocess.Popen(
                [self.executable, "-config", str(self.config)], stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"influxd exited with {self._process.returncode}: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.url}/ping", timeout=1.0).status_code == 204:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"influxd did not answer /ping within {timeout_s} s: {self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        """Stop influxd by its pid (SIGTERM, then SIGKILL after 15 s) and wait for it."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()

    def query(self, statement: str) -> dict[str, object]:
        """Run one InfluxQL statement (POST /query) and return the JSON answer."""
        response = httpx.post(f"{self.url}/query", data={"q": statement}, timeout=30.0)
        response.raise_for_status()
        answer: dict[str, object] = response.json()
        return answer
