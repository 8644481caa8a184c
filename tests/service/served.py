"""`wqmon serve` in a subprocess on loopback, HTTP and HJ 212 on free ports, with a key per role."""

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from models.configuration import Configuration
from store.keys import KeyStore
from store.state import StateDB

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Served:
    """A running `wqmon serve`."""

    url: str
    hj212_port: int
    keys: dict[str, str]
    process: subprocess.Popen[str]


@contextmanager
def served(tmp_path: Path, config: Configuration, **settings: str) -> Iterator[Served]:
    """Start the service (WQMON_* `settings` added to the environment); stop it with SIGTERM after."""
    state = tmp_path / "state.sqlite"
    keys = KeyStore(StateDB(state))
    tokens = {role: keys.create(role=role, name=f"{role} key")[0] for role in ("viewer", "operator", "ingest")}
    port, hj212_port = free_port(), free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "WQMON_CONFIG_DIR": str(config.folder),
        "WQMON_STORE": f"duckdb:///{tmp_path / 'wqmon.duckdb'}",
        "WQMON_STATE_PATH": str(state),
        "WQMON_HJ212_HOST": "127.0.0.1",
        "WQMON_PULL_ENABLED": "false",
        **{f"WQMON_{k.upper()}": v for k, v in settings.items()},
    }
    command = [sys.executable, "-m", "service", "serve", "--port", str(port), "--hj212-port", str(hj212_port)]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None
    line = process.stdout.readline()  # blocks until the service says it is serving (or exits)
    assert "serving http://127.0.0.1:" in line, process.communicate()[1]
    try:
        yield Served(f"http://127.0.0.1:{port}", hj212_port, tokens, process)
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=120)
