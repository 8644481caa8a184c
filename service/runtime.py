"""One wqmon process: the HTTP API (uvicorn), the HJ 212 listener and the pull scheduler over one store.

Start-up checks everything it can before listening (settings, configuration, store, ports) and
says what to fix. The HJ 212 server, the pull scheduler and the periodic alert check run in the
API's event loop, started and stopped by its lifespan. On SIGTERM or SIGINT uvicorn finishes the
requests in flight, the lifespan stops the listeners (the HJ 212 server flushes every packet it
acknowledged), and then the store is closed (flushing what it holds).
"""

import asyncio
import gc
import logging
import signal
import socket
import threading
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any

import pandas as pd
import uvicorn
from fastapi import FastAPI
from pydantic import ValidationError

from ingest.hj212.server import Hj212Server
from ingest.lab.inbox import InboxReport, watch_inbox
from ingest.pull.scheduler import PullScheduler
from models.alerts.config import AlertConfig
from models.configuration import Configuration
from models.errors import ConfigError
from service.alert_worker import AlertWorker, JudgedStore, outbox_path
from service.alerting import AlertEngine
from service.api.app import create_app
from service.compliance_cache import Generation
from service.metrics import Metrics
from service.settings import Settings
from service.wiring import AlertViews, ComplianceViews, QuarantineView, lab_importer, open_reading_store
from store.base import Store, StoreError, redacted_url
from store.spool import Spool
from store.state import StateDB
from store.watermarks import Watermarks

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

    def __init__(
        self, settings: Settings, *, config: Configuration, store: Store, state: StateDB, rules: AlertConfig
    ) -> None:
        self.settings, self.config, self.state = settings, config, state
        self.metrics = Metrics()
        self.generation = Generation()
        self.engine = AlertEngine(config, store, state, rules=rules)
        self.worker = AlertWorker(
            self.engine,
            Spool(outbox_path(settings.state_path)),
            max_attempts=settings.alert_max_attempts,
            registry=self.metrics.registry,
        )
        self.metrics.watch_hj212(lambda: self.hj212.counters if self.hj212 is not None else None)
        self.metrics.watch(
            "wqmon_alert_queue_batches", "Stored batches waiting for the alert rules.", self.worker.pending
        )
        self.metrics.watch(
            "wqmon_alert_dead_batches",
            "Stored batches the alert rules failed on WQMON_ALERT_MAX_ATTEMPTS times, set aside (table dead_batches).",
            self.worker.dead,
        )
        # Every write of the service (HJ 212, pulls, the API, uploads, the lab inbox) goes through
        # this store, which queues what it stored for the alert worker.
        self.store: Store = JudgedStore(store, self.worker)
        self.alerts = AlertViews(self.engine)
        self.hj212: Hj212Server | None = None
        self.pull: PullScheduler | None = None
        self.app = create_app(
            settings,
            config=config,
            store=self.store,
            state=state,
            alerts=self.alerts,
            compliance=ComplianceViews(config, store, state, settings),
            quarantine=QuarantineView(state),
            importer=lab_importer(config, settings),
            metrics=self.metrics,
            generation=self.generation,
            lifespan=self._lifespan,
        )
        self.server: uvicorn.Server | None = None
        self._startup_error: StartupError | None = None
        self._companions: list[Callable[[Service], Coroutine[Any, Any, None]]] = []

    def also_run(self, companion: Callable[["Service"], Coroutine[Any, Any, None]]) -> None:
        """Run `companion(service)` as a task once the listeners are up, cancelled at shutdown (the demo's loggers)."""
        self._companions.append(companion)

    @classmethod
    def open(cls, settings: Settings, *, store: Store | None = None, state: StateDB | None = None) -> "Service":
        """Load the configuration and open the store and state; StartupError saying what to fix."""
        try:
            config = Configuration.load(settings.config_dir)
            rules = AlertConfig.load(config.folder)
        except ConfigError as error:
            raise StartupError(f"configuration (WQMON_CONFIG_DIR={settings.config_dir}): {error}") from None
        if settings.dask_address is not None and not settings.store.startswith(("influxdb://", "influxdbs://")):
            raise StartupError(
                f"WQMON_DASK_ADDRESS={settings.dask_address}: Dask workers read the store themselves, and "
                f"this process holds the DuckDB file {settings.store} for writing, which shuts every other "
                "process out; use InfluxDB (WQMON_STORE=influxdb://…) with WQMON_DASK_ADDRESS"
            )
        try:
            store = store or open_reading_store(settings.store)
        except (StoreError, ValueError, OSError) as error:
            raise StartupError(f"store (WQMON_STORE={redacted_url(settings.store)}): {error}") from None
        try:
            state = state or StateDB(settings.state_path)
        except Exception as error:
            store.close()
            raise StartupError(f"state file (WQMON_STATE_PATH={settings.state_path}): {error}") from None
        return cls(settings, config=config, store=store, state=state, rules=rules)

    def _stored(self, readings: pd.DataFrame) -> None:
        """Called by the HJ 212 server (in a worker thread), the pull scheduler and the lab inbox after they
        stored readings: stale answers and the ingest counter.

        The alert rules are not run here: the store queued the batch for the alert worker.
        """
        if readings.empty:
            return
        self.generation.bump(readings)
        channel = str(readings["source"].iloc[0]).split(":")[0]
        self.metrics.readings_ingested.labels(channel=channel).inc(len(readings))

    def _inbox_report(self, report: InboxReport) -> None:
        """A lab file dropped into the inbox was imported (its readings went through `_stored`)."""
        if report.problems or report.error:
            log.warning(
                "lab inbox: %s %s (%d problems) %s",
                report.file,
                report.outcome,
                len(report.problems),
                report.error or "",
            )

    def _source_error(self, name: str, message: str) -> None:
        self.engine.source_error(name, message)

    async def _check_alerts(self) -> None:
        while True:
            await asyncio.sleep(self.settings.alert_check_interval_s)
            try:
                await asyncio.to_thread(self.engine.check)
            except Exception:
                log.exception("the periodic alert check failed")

    @asynccontextmanager
    async def _lifespan(self, app: FastAPI) -> AsyncIterator[None]:
        settings = self.settings
        checker: asyncio.Task[None] | None = None
        inbox: asyncio.Task[None] | None = None
        companions: list[asyncio.Task[None]] = []
        self.engine.start()
        self.worker.start()
        try:
            if settings.hj212_enabled:
                server = Hj212Server(self.config, self.store, self.state, settings, on_stored=self._stored)
                try:
                    await server.start()
                except OSError as error:
                    self._startup_error = StartupError(
                        f"cannot listen for HJ 212 on {settings.hj212_host}:{settings.hj212_port} ({error.strerror}); "
                        "set WQMON_HJ212_PORT or --hj212-port to a free port"
                    )
                    raise self._startup_error from None
                self.hj212 = server
                self.engine.heard = lambda: dict(server.last_heard)
            sources = settings.sources_file or self.config.folder / "sources.yaml"
            if settings.pull_enabled and sources.exists():
                self.pull = PullScheduler.from_file(
                    sources,
                    store=self.store,
                    watermarks=Watermarks(self.state),
                    config=self.config,
                    on_source_error=self._source_error,
                    on_readings=self._stored,
                )
                self.pull.start()
            checker = asyncio.create_task(self._check_alerts(), name="alert-check")
            companions = [asyncio.create_task(c(self), name="companion") for c in self._companions]
            if settings.lab_inbox_dir is not None:
                inbox = asyncio.create_task(
                    watch_inbox(
                        settings.lab_inbox_dir,
                        config=self.config,
                        store=self.store,
                        interval_seconds=settings.lab_inbox_interval_seconds,
                        timezone=settings.timezone,
                        on_report=self._inbox_report,
                        on_stored=self._stored,  # stale answers and counters; the store queues the alert rules
                    ),
                    name="lab-inbox",
                )
            yield
        finally:
            for task in (*companions, checker, inbox):
                if task is not None:
                    task.cancel()
                    await asyncio.gather(task, return_exceptions=True)
            if self.pull is not None:
                await self.pull.stop()
            if self.hj212 is not None:
                await self.hj212.stop()  # flushes every acknowledged packet to the store
            await asyncio.to_thread(self.worker.close)  # judges what is queued, for a while; the rest on next start
            self.engine.close()

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
        """Serve until SIGTERM/SIGINT (or `stop()`), then shut everything down in order.

        StartupError when a listener cannot start (the HJ 212 port is taken…).
        """
        sock = sock or self.bind()
        host, port = sock.getsockname()[:2]
        # keep-alive longer than uvicorn's 5 s: clients (the scoring system, dashboards) poll on a timer
        config = uvicorn.Config(self.app, log_level="warning", access_log=False, lifespan="on", timeout_keep_alive=30)
        self.server = uvicorn.Server(config)
        # Our handlers stay in place around uvicorn's: uvicorn re-raises the signal it caught once it has
        # stopped, and that must land here (a no-op) rather than kill the process before the store is flushed.
        previous = {}
        if threading.current_thread() is threading.main_thread():
            previous = {sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
        server = self.server
        if on_ready is not None:
            announce = server.startup

            async def startup(sockets: list[socket.socket] | None = None) -> None:
                await announce(sockets=sockets)
                if server.started:
                    on_ready(f"http://{host}:{port}")

            server.startup = startup  # type: ignore[method-assign]
        # What start-up made (configuration, catalogue, the app, the libraries) lives as long as the
        # process: freezing it keeps it out of every later full collection, which otherwise paused
        # the event loop for ~100 ms every few thousand requests.
        gc.collect()
        gc.freeze()
        try:
            server.run(sockets=[sock])
        finally:
            self.close()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if self._startup_error is not None:
            raise self._startup_error

    def _on_signal(self, signum: int, frame: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Ask the HTTP server to finish (as SIGTERM does)."""
        if self.server is not None:
            self.server.should_exit = True

    def close(self) -> None:
        """Flush and close the store, the alert queue and the state."""
        self.store.close()
        self.worker.queue.close()
        self.state.close()
