"""One wqmon process: the HTTP API (uvicorn), the HJ 212 listener and the pull scheduler over one store.

Start-up checks everything it can before listening (settings, configuration, store, ports) and
says what to fix. On SIGTERM or SIGINT uvicorn finishes the requests in flight, then the
listeners stop (flushing what they accepted) and the store is closed (flushing what it holds).
"""

import logging
import signal
import socket
import threading
from collections.abc import Callable
from typing import Any

import pandas as pd
import uvicorn
from pydantic import ValidationError

from models.configuration import Configuration
from models.errors import ConfigError
from service.api.app import create_app
from service.compliance_cache import Generation
from service.metrics import Metrics
from service.settings import Settings
from service.wiring import Parts, build_parts, open_reading_store
from store.base import Store, StoreError
from store.state import StateDB

log = logging.getLogger("wqmon")


class StartupError(RuntimeError):
    """The service cannot start; the message says what to fix."""


def load_settings(**overrides: Any) -> Settings:
    """Settings from WQMON_* and `overrides` (command-line options); StartupError naming each bad one."""
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as error:
        lines = []
        for problem in error.errors():
            name = ".".join(str(p) for p in problem["loc"])
            given = problem.get("input")
            lines.append(f"WQMON_{name.upper()}={given!r}: {problem['msg']}")
        raise StartupError("invalid settings:\n  " + "\n  ".join(lines)) from None


class Service:
    """The running parts of one wqmon process."""

    def __init__(self, settings: Settings, *, config: Configuration, store: Store, state: StateDB) -> None:
        self.settings, self.config, self.store, self.state = settings, config, store, state
        self.metrics = Metrics()
        self.generation = Generation()
        self.parts: Parts = build_parts(settings, config=config, store=store, state=state, on_stored=self._stored)
        self.app = create_app(
            settings,
            config=config,
            store=store,
            state=state,
            alerts=self.parts.alerts,
            compliance=self.parts.compliance,
            quarantine=self.parts.quarantine,
            importer=self.parts.importer,
            metrics=self.metrics,
            generation=self.generation,
        )
        self.server: uvicorn.Server | None = None

    @classmethod
    def open(cls, settings: Settings, *, store: Store | None = None) -> "Service":
        """Load the configuration and open the store and state; StartupError saying what to fix."""
        try:
            config = Configuration.load(settings.config_dir)
        except ConfigError as error:
            raise StartupError(f"configuration (WQMON_CONFIG_DIR={settings.config_dir}): {error}") from None
        try:
            store = store or open_reading_store(settings.store)
        except (StoreError, ValueError, OSError) as error:
            raise StartupError(f"store (WQMON_STORE={settings.store}): {error}") from None
        try:
            state = StateDB(settings.state_path)
        except Exception as error:
            store.close()
            raise StartupError(f"state file (WQMON_STATE_PATH={settings.state_path}): {error}") from None
        return cls(settings, config=config, store=store, state=state)

    def _stored(self, readings: pd.DataFrame) -> None:
        """Called by the HJ 212 listener and the pull scheduler after they stored readings."""
        self.generation.bump()
        self.metrics.readings_ingested.labels(channel=str(readings["source"].iloc[0]).split(":")[0]).inc(len(readings))
        if self.parts.alerts is not None:
            self.parts.alerts.process(readings)

    def bind(self) -> socket.socket:
        """The HTTP socket, bound now so a busy port is reported before anything starts."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self.settings.http_host, self.settings.http_port))
        except OSError as error:
            sock.close()
            raise StartupError(
                f"cannot listen on {self.settings.http_host}:{self.settings.http_port} ({error.strerror}); "
                "set WQMON_HTTP_PORT or --port to a free port"
            ) from None
        return sock

    def run(self, *, sock: socket.socket | None = None, on_ready: Callable[[str], None] | None = None) -> None:
        """Serve until SIGTERM/SIGINT (or `stop()`), then shut everything down in order."""
        sock = sock or self.bind()
        host, port = sock.getsockname()[:2]
        config = uvicorn.Config(self.app, log_level="warning", access_log=False, lifespan="off")
        self.server = uvicorn.Server(config)
        started: list[Any] = []
        # Our handlers stay in place around uvicorn's: uvicorn re-raises the signal it caught once it has
        # stopped, and that must land here (a no-op) rather than kill the process before the store is flushed.
        previous = {}
        if threading.current_thread() is threading.main_thread():
            previous = {sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            for listener in self.parts.listeners:
                listener.start()
                started.append(listener)
            if on_ready is not None:
                on_ready(f"http://{host}:{port}")
            self.server.run(sockets=[sock])
        finally:
            for listener in reversed(started):
                try:
                    listener.stop()
                except Exception:
                    log.exception("stopping %r failed", listener)
            self.close()
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _on_signal(self, signum: int, frame: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Ask the HTTP server to finish (as SIGTERM does)."""
        if self.server is not None:
            self.server.should_exit = True

    def close(self) -> None:
        """Flush and close the store and the state."""
        self.store.close()
        self.state.close()
