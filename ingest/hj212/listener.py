"""The HJ 212 server on its own thread and event loop, with the synchronous start()/stop() that the
service runtime gives its listeners (service/ports.py PullPort), beside uvicorn's loop."""

import asyncio
import threading

from ingest.hj212.server import Clock, Hj212Counters, Hj212Server, OnStored
from models.configuration import Configuration
from service.settings import Settings
from store.base import Store
from store.state import StateDB


class Hj212Listener:
    """Run an Hj212Server in a background thread: start() returns once it listens, stop() once it has flushed."""

    def __init__(
        self,
        config: Configuration,
        store: Store,
        state: StateDB,
        settings: Settings,
        *,
        on_stored: OnStored | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.server = Hj212Server(config, store, state, settings, on_stored=on_stored, clock=clock)
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    @property
    def counters(self) -> Hj212Counters:
        """The server's counters (for /metrics)."""
        return self.server.counters

    @property
    def port(self) -> int:
        """The TCP port listened on."""
        return self.server.port

    def start(self) -> None:
        """Bind and serve in a thread; OSError saying which setting to change when the port is taken."""
        self._thread = threading.Thread(target=asyncio.run, args=(self._main(),), name="hj212", daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._error is not None:
            self._thread.join()
            settings = self.server.settings
            raise OSError(
                f"HJ 212 cannot listen on {settings.hj212_host}:{settings.hj212_port} ({self._error}); "
                "set WQMON_HJ212_PORT to a free port"
            ) from self._error

    def stop(self) -> None:
        """Stop accepting, end the connections, write what was received, and end the thread."""
        if self._loop is not None and self._stop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
            self._thread.join()
        self._loop = None

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        try:
            await self.server.start()
        except OSError as error:
            self._error = error
            self._ready.set()
            return
        self._ready.set()
        try:
            await self._stop.wait()
        finally:
            await self.server.stop()
