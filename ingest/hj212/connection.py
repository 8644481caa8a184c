"""One logger's TCP connection, as an asyncio Protocol: bytes in, framed items out to the server.

A Protocol (not streams) because the hot path is one small read per packet from thousands of
loggers: no coroutine per connection and no timer per read. Idle connections are closed by the
server's sweep (`idle_for`), and reading pauses while the store is behind (backpressure).
"""

import asyncio
import logging
from typing import TYPE_CHECKING, Protocol, cast

from ingest.hj212.framing import Frame, StreamFramer
from ingest.hj212.split import SplitTracker

if TYPE_CHECKING:
    from ingest.hj212.server import Hj212Server

log = logging.getLogger("wqmon.hj212")


class ReplyWriter(Protocol):
    """Where replies go: a transport (or anything with write and is_closing)."""

    def write(self, data: bytes) -> None: ...

    def is_closing(self) -> bool: ...


class LoggerConnection(asyncio.Protocol):
    """Frames a connection's bytes and hands every item to the server; accounts for the rest at the end."""

    def __init__(self, server: "Hj212Server") -> None:
        self.server = server
        settings = server.settings
        self.framer = StreamFramer(
            max_segment_bytes=settings.hj212_max_segment_bytes, max_garbage_bytes=settings.hj212_max_garbage_bytes
        )
        self.splits = SplitTracker()
        self.peer = "?"
        self.address = "?"  # the peer's host, for the per-address connection cap
        self.admitted = False
        self.opened_at = 0.0
        self.framed = False  # a well-framed packet (header, length, CRC) has arrived
        self.partial_since: float | None = None  # when the packet now held back began to arrive
        self.transport: asyncio.Transport | None = None
        self.last_seen = 0.0
        self.paused = False
        self.awaiting = 0  # data packets of this connection waiting for the store (their replies are owed)
        self.half_closed = False  # the logger sent EOF: hang up once every owed reply is sent
        self._loop = asyncio.get_running_loop()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)
        address = transport.get_extra_info("peername")
        self.peer = f"{address[0]}:{address[1]}" if isinstance(address, tuple) else str(address)
        self.address = str(address[0]) if isinstance(address, tuple) else str(address)
        self.last_seen = self.opened_at = self._loop.time()
        refusal = self.server._admission(self)
        if refusal is not None:
            log.warning("%s: connection refused: %s", self.peer, refusal)
            self.transport.abort()
            return
        self.admitted = True
        self.server._opened(self)

    def data_received(self, data: bytes) -> None:
        self.last_seen = self._loop.time()
        accept = self.server._accept
        for item in self.framer.feed(data):
            self.framed = self.framed or isinstance(item, Frame)
            accept(item, self.peer, self, self.splits)
        if not self.framer.pending:
            self.partial_since = None
        elif self.partial_since is None:
            self.partial_since = self.last_seen
        if self.framer.overflowed:
            log.warning("%s: too many bytes without '##', closing", self.peer)
            self.close()
        elif self.server._store_is_behind():
            self.pause()

    def eof_received(self) -> bool:
        # The logger is done sending but may still read: what it sent is judged now, and our side
        # closes once the replies owed for its stored data are sent (HJ 212 loggers that send a
        # burst and shut down their writing half still get their 9014s).
        self.half_closed = True
        self._flush_framer()
        self.close_if_done()
        return True

    def close_if_done(self) -> None:
        """After EOF from the logger: hang up when no reply is owed any more."""
        if self.half_closed and self.awaiting == 0:
            self.close()

    def _flush_framer(self) -> None:
        for item in self.framer.close():
            self.server._accept(item, self.peer, self, self.splits)

    def write(self, data: bytes) -> None:
        """Send a reply (ReplyWriter)."""
        if self.transport is not None:
            self.transport.write(data)

    def is_closing(self) -> bool:
        """Whether replies can no longer be sent (ReplyWriter)."""
        return self.transport is None or self.transport.is_closing()

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.admitted:
            return  # refused at the door: nothing was read
        if exc is not None:
            log.info("%s: connection lost: %s", self.peer, exc)
        if not self.half_closed:
            self._flush_framer()
        for description in self.splits.close():
            self.server.counters.splits_incomplete += 1
            log.warning("%s: split upload incomplete: %s", self.peer, description)
        self.server._closed(self)

    def idle_for(self, now: float) -> float:
        """Seconds since the last byte arrived."""
        return now - self.last_seen

    def overdue(self, now: float, *, idle: float, first_packet: float, packet: float) -> str | None:
        """Why the connection should be closed now (idle, no valid packet yet, a packet too slow), or None."""
        if self.paused:
            return None  # waiting for the store is not the logger's doing
        if now - self.last_seen >= idle:
            return f"idle for {idle:.0f} s"
        if not self.framed and now - self.opened_at >= first_packet:
            return f"no valid packet within {first_packet:.0f} s of connecting"
        if self.partial_since is not None and now - self.partial_since >= packet:
            return f"a packet took longer than {packet:.0f} s to arrive"
        return None

    def pause(self) -> None:
        """Stop reading until resume() (the store is behind)."""
        if not self.paused and self.transport is not None and not self.transport.is_closing():
            self.transport.pause_reading()
            self.paused = True

    def resume(self) -> None:
        """Read again."""
        if self.paused and self.transport is not None and not self.transport.is_closing():
            self.transport.resume_reading()
        self.paused = False

    def close(self, *, abort: bool = False) -> None:
        """Hang up (abort: drop unsent replies too, for stop())."""
        if self.transport is not None:
            if abort:
                self.transport.abort()
            elif not self.transport.is_closing():
                self.transport.close()
