"""A real wqmon API on 127.0.0.1 (uvicorn in a thread) over a fresh DuckDB store and state, one key per role."""

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from models.alerts.config import AlertConfig
from models.configuration import Configuration
from service.demo import write_config
from service.runtime import Service
from service.settings import Settings
from store.base import Store
from store.duckdb_store import DuckDBStore
from store.keys import ROLES, KeyStore
from store.state import StateDB


@dataclass
class LiveApi:
    """A running API and what it runs on."""

    url: str
    keys: dict[str, str]  # role -> key
    store: Store
    state: StateDB
    settings: Settings

    def client(self, role: str | None = None) -> httpx.Client:
        """A client sending the key of `role` (none when None)."""
        headers = {"Authorization": f"Bearer {self.keys[role]}"} if role else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30)


@pytest.fixture(scope="session")
def demo_config(tmp_path_factory: pytest.TempPathFactory) -> Configuration:
    """The demo county's configuration (one plant, four sections, two sources)."""
    return write_config(tmp_path_factory.mktemp("demo") / "config")


def serve_in_thread(app: object, *, lifespan: str = "off") -> tuple[str, uvicorn.Server, threading.Thread]:
    """Start uvicorn for `app` on a free loopback port; return its URL once it accepts requests."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan=lifespan)  # type: ignore[arg-type]
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:  # waiting for start-up, not asserting on time
        if not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)
    return f"http://127.0.0.1:{port}", server, thread


@contextmanager
def live_service(folder: Path, config: Configuration, **settings: Any) -> Iterator[LiveApi]:
    """The service of `config` over a fresh store and state in `folder`, one key per role, on loopback."""
    chosen = Settings(
        config_dir=config.folder,
        store=f"duckdb:///{folder / 'wqmon.duckdb'}",
        state_path=folder / "state.sqlite",
        **settings,
    )
    store, state = DuckDBStore(folder / "wqmon.duckdb"), StateDB(chosen.state_path)
    keys = KeyStore(state)
    tokens = {role: keys.create(role=role, name=f"test {role}")[0] for role in ROLES}
    service = Service(chosen, config=config, store=store, state=state, rules=AlertConfig.load(config.folder))
    url, server, thread = serve_in_thread(service.app)
    try:
        yield LiveApi(url=url, keys=tokens, store=store, state=state, settings=chosen)
    finally:
        server.should_exit = True
        thread.join()
        store.close()
        state.close()


@pytest.fixture
def live(tmp_path: Path, demo_config: Configuration) -> Iterator[LiveApi]:
    """The service of the demo county (API, compliance, alerts, quarantine, lab import; no listeners), empty."""
    with live_service(tmp_path, demo_config, max_upload_bytes=200_000, max_page_size=500) as api:
        yield api
