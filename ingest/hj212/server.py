"""The HJ 212 TCP server: data loggers connect, upload packets, and get their replies.

Every packet received ends in exactly one of three places, counted in `Hj212Server.counters`:

- stored: a data upload (CN 2011/2051/2061/2031) whose readings the store accepted; only then is
  it acknowledged (9014, when the logger set Flag bit A);
- handled: a valid command that carries no readings (heartbeat 8013, status 2021, alarms 2072,
  the logger's own replies 9011/9012, …); answered when it asks for an answer;
- quarantined: everything else, with its reason (store/quarantine.py).

So `received == stored + handled + quarantined` once the server has stopped (while it runs, the
packets of the batch being written are in none of the three yet).
"""

import asyncio
import collections
import datetime as dt
import logging
import re
import resource
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

import pandas as pd

from ingest.hj212.codec import (
    QN_BAD_CRC,
    QN_BAD_MN,
    QN_BAD_PASSWORD,
    QN_BAD_ST,
    encode_data_reply,
    encode_notice_reply,
    encode_qn_reply,
)
from ingest.hj212.connection import LoggerConnection, ReplyWriter
from ingest.hj212.framing import BadFrame, Frame
from ingest.hj212.packet import Packet, PacketError, is_system_code, parse_segment
from ingest.hj212.readings import DATA_COMMANDS, ReadingRows
from ingest.hj212.registry import LoggerRegistry
from ingest.hj212.split import SplitTracker
from ingest.hj212.values import WireCodes, packet_values
from models.configuration import Configuration
from models.plausibility import is_off_clock
from service.settings import Settings
from store.base import Store
from store.quarantine import Quarantine, QuarantinedPacket, QuarantineReason
from store.state import StateDB

log = logging.getLogger("wqmon.hj212")

Clock = Callable[[], dt.datetime]
OnStored = Callable[[pd.DataFrame], None]
_MN_PATTERN = re.compile(rb"MN=([^;&]{1,64})")


@dataclass
class Hj212Counters:
    """What the server has seen since it started (for /metrics)."""

    packets_received: int = 0
    packets_stored: int = 0
    packets_handled: int = 0
    packets_quarantined: int = 0
    readings_stored: int = 0
    values_skipped: int = 0  # Zs* values, fields that do not fit the command, unknown codes
    values_repeated: int = 0  # a key given again in one packet: the first one is kept
    # stored values outside their plausible range in the unit assumed (a wrong wire unit?): the
    # "implausible" alert rule raises on them; sites.yaml logger.units corrects a logger's unit
    values_implausible: int = 0
    implausible_codes: collections.Counter[str] = field(default_factory=collections.Counter)
    replies_sent: int = 0
    connections_open: int = 0
    connections_total: int = 0
    connections_refused: int = 0  # over the total or per-address cap
    connections_timed_out: int = 0  # idle, no valid packet in time, or a packet too slow
    splits_incomplete: int = 0
    unknown_codes: collections.Counter[str] = field(default_factory=collections.Counter)
    quarantined_by_reason: collections.Counter[str] = field(default_factory=collections.Counter)
    handled_by_cn: collections.Counter[str] = field(default_factory=collections.Counter)


@dataclass(slots=True)
class _Pending:
    """A stored-to-be data packet: where it came from and the reply owed after the write."""

    raw: bytes
    peer: str
    packet: Packet
    writer: ReplyWriter
    received_at: dt.datetime
    readings: int  # how many of the pending readings (ReadingRows) are this packet's


class Hj212Server:
    """asyncio TCP listener for HJ 212 loggers, writing readings to a Store in batches."""

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
        self.config = config
        self.store = store
        self.quarantine = Quarantine(state)
        self.settings = settings
        self.on_stored = on_stored
        self.clock: Clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self.registry = LoggerRegistry.from_configuration(config)
        self.codes = WireCodes(config.catalogue)
        self._codes_by_mn: dict[str, WireCodes] = {}
        self.counters = Hj212Counters()
        self.last_heard: dict[str, dt.datetime] = {}  # MN -> when its last valid packet arrived
        self._ahead = dt.timedelta(minutes=settings.hj212_clock_ahead_minutes)
        self._behind = dt.timedelta(days=settings.hj212_clock_behind_days)
        self._rows = ReadingRows()
        self._pending: list[_Pending] = []
        self._quarantine: list[QuarantinedPacket] = []
        self._flush_lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self._backlog_limit = 10 * settings.hj212_flush_packets
        self._server: asyncio.Server | None = None
        self._flusher: asyncio.Task[None] | None = None
        self._connections: set[LoggerConnection] = set()
        self._all_closed = asyncio.Event()
        self._sweeper: asyncio.Task[None] | None = None
        self._stopping = False

    @property
    def port(self) -> int:
        """The TCP port actually bound (useful with port 0)."""
        if self._server is None:
            raise RuntimeError("the HJ 212 server is not started")
        return int(self._server.sockets[0].getsockname()[1])

    async def start(self) -> None:
        """Bind the listener and start the batch writer and the idle sweep."""
        self._max_connections = connection_capacity(self.settings.hj212_max_connections)
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            lambda: LoggerConnection(self), self.settings.hj212_host, self.settings.hj212_port, backlog=4096
        )
        self._flusher = asyncio.create_task(self._flush_loop(), name="hj212-flush")
        self._sweeper = asyncio.create_task(self._sweep_idle(), name="hj212-idle")
        log.info(
            "HJ 212 listening on %s:%d (%d loggers registered)", self.settings.hj212_host, self.port, len(self.registry)
        )

    async def stop(self) -> None:
        """Stop accepting, end every connection (accounting for what it sent), flush, and return."""
        self._stopping = True
        if self._server is not None:
            self._server.close()
        if self._sweeper is not None:
            self._sweeper.cancel()
            await asyncio.gather(self._sweeper, return_exceptions=True)
        for connection in list(self._connections):
            connection.close(abort=True)  # replies not yet sent cannot matter: the logger re-sends
        if self._connections:
            await self._all_closed.wait()
        if self._flusher is not None:
            self._wake.set()  # never cancel a flush: a write in its thread would finish uncounted
            await asyncio.gather(self._flusher, return_exceptions=True)
        await self.flush()
        if self._server is not None:
            await self._server.wait_closed()

    async def __aenter__(self) -> "Hj212Server":
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # --- connections (ingest/hj212/connection.py calls these) -----------------------------------

    def _opened(self, connection: LoggerConnection) -> None:
        self._connections.add(connection)
        self._all_closed.clear()
        self.counters.connections_open += 1
        self.counters.connections_total += 1

    def _closed(self, connection: LoggerConnection) -> None:
        self._connections.discard(connection)
        self.counters.connections_open -= 1
        if not self._connections:
            self._all_closed.set()

    def _store_is_behind(self) -> bool:
        """Whether the store is so far behind that connections should stop reading for a while."""
        return len(self._pending) >= self._backlog_limit

    def _admission(self, connection: LoggerConnection) -> str | None:
        """Why a new connection is refused (a cap reached), or None to let it in."""
        settings = self.settings
        if len(self._connections) >= self._max_connections:
            self.counters.connections_refused += 1
            return f"{len(self._connections)} connections are open (WQMON_HJ212_MAX_CONNECTIONS)"
        same_address = sum(1 for c in self._connections if c.address == connection.address)
        if same_address >= settings.hj212_max_connections_per_address:
            self.counters.connections_refused += 1
            return f"{same_address} connections from {connection.address} (WQMON_HJ212_MAX_CONNECTIONS_PER_ADDRESS)"
        return None

    async def _sweep_idle(self) -> None:
        settings = self.settings
        limits = {
            "idle": settings.hj212_idle_timeout_s,
            "first_packet": settings.hj212_first_packet_timeout_s,
            "packet": settings.hj212_packet_timeout_s,
        }
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(min(min(limits.values()) / 4, 5.0))
            now = loop.time()
            for connection in list(self._connections):
                why = connection.overdue(now, **limits)
                if why is not None:
                    log.info("%s: %s, closing", connection.peer, why)
                    self.counters.connections_timed_out += 1
                    connection.close()

    def _accept(self, item: Frame | BadFrame, peer: str, writer: ReplyWriter, splits: SplitTracker) -> None:
        """Route one framed item: stored (pending the batch), handled, or quarantined."""
        self.counters.packets_received += 1
        now = self.clock()
        if isinstance(item, BadFrame):
            self._hold(item.raw, peer, _mn_of(item.raw), item.reason, item.message, now)
            if item.reason == "bad_crc":
                self._answer_bad_crc(item.raw, writer)
            return
        try:
            packet = parse_segment(item.segment)
        except PacketError as error:
            self._hold(item.raw, peer, _mn_of(item.raw), "bad_field", str(error), now)
            return
        if not is_system_code(packet.st):
            # HJ/T 212-2005 loggers in the field send ST as two NUL bytes with good data: kept. From
            # 2017 on a packet must name its system (Table 5), and one that does not is refused.
            if packet.edition != "2005":
                message = f"ST {packet.st!r} is not a system code of HJ 212-2017 Table 5 (10-69, 91-99, A0-Z9)"
                self._hold(item.raw, peer, packet.mn, "bad_field", message, now)
                if packet.wants_ack:
                    self._send(writer, encode_qn_reply(packet, QN_BAD_ST))
                return
        logger = self.registry.get(packet.mn)
        if logger is None:
            self._hold(item.raw, peer, packet.mn, "unknown_mn", f"MN {packet.mn!r} is not a registered logger", now)
            self._send(writer, encode_qn_reply(packet, QN_BAD_MN))
            return
        if packet.pw != logger.password:
            self._hold(item.raw, peer, packet.mn, "bad_password", f"wrong PW for MN {packet.mn}", now)
            self._send(writer, encode_qn_reply(packet, QN_BAD_PASSWORD))
            return
        self.last_heard[packet.mn] = now  # data, heartbeat or status: the logger is alive
        if packet.cn not in DATA_COMMANDS:
            self.counters.packets_handled += 1
            self.counters.handled_by_cn[packet.cn] += 1
            if packet.wants_ack and not packet.cn.startswith("9"):
                self._send(
                    writer, encode_notice_reply(packet) if packet.cn.startswith("1") else encode_data_reply(packet)
                )
            return
        self._data(item.raw, packet, logger.site, peer, writer, splits, now)

    def _answer_bad_crc(self, raw: bytes, writer: ReplyWriter) -> None:
        """QnRtn 9 (CRC error, HJ 212-2017 Table 7) to a 2017 logger that asked for a reply, when the
        packet can still be read: it learns to send it again. An HJ/T 212-2005 logger gets none."""
        try:
            packet = parse_segment(raw[6:-6])  # ## + 4-digit length | segment | 4 CRC digits + CR LF
        except PacketError:
            return
        if packet.edition != "2005" and packet.wants_ack:
            self._send(writer, encode_qn_reply(packet, QN_BAD_CRC))

    def _codes_for(self, mn: str) -> WireCodes:
        """The wire codes of logger `mn`: Table B.1 units, or the logger's own (sites.yaml logger.units)."""
        codes = self._codes_by_mn.get(mn)
        if codes is None:
            logger = self.registry.get(mn)
            units = dict(logger.units) if logger is not None else {}
            codes = self._codes_by_mn[mn] = WireCodes(self.config.catalogue, units) if units else self.codes
        return codes

    def _data(
        self,
        raw: bytes,
        packet: Packet,
        site: str,
        peer: str,
        writer: ReplyWriter,
        splits: SplitTracker,
        now: dt.datetime,
    ) -> None:
        try:
            data_time = packet.data_time
            values = packet_values(packet, self._codes_for(packet.mn))
        except PacketError as error:
            self._hold(raw, peer, packet.mn, "bad_field", str(error), now)
            return
        if packet.is_split:
            data_time = splits.note(packet, data_time)
        if data_time is None:
            self._hold(raw, peer, packet.mn, "bad_field", f"CN {packet.cn} data without CP DataTime", now)
            return
        if is_off_clock(data_time, now, ahead=self._ahead, behind=self._behind):
            message = (
                f"DataTime {data_time.isoformat()} is outside the platform clock {now.isoformat()} "
                f"- {self._behind.days} days / + {self._ahead} (settings hj212_clock_*)"
            )
            self._hold(raw, peer, packet.mn, "clock", message, now)
            return
        self.counters.values_repeated += len(values.repeated_keys)
        implausible = self._codes_for(packet.mn).implausible(values)
        if implausible:
            self.counters.values_implausible += len(implausible)
            for value in implausible:
                key = f"{packet.mn}:{value.wire_code}"
                if key not in self.counters.implausible_codes:  # once per logger and code: it repeats
                    log.warning(
                        "MN %s: %s-%s=%s is outside the plausible range of %s in the unit assumed; "
                        "if the logger sends another unit, set it in sites.yaml logger.units",
                        packet.mn, value.wire_code, value.field, value.value, value.parameter,
                    )  # fmt: skip
                self.counters.implausible_codes[key] += 1
        for code in values.unknown_codes:
            self.counters.unknown_codes[code] += 1
        added, skipped = self._rows.add(site=site, mn=packet.mn, cn=packet.cn, data_time=data_time, values=values)
        self.counters.values_skipped += skipped
        if not added:
            unknown = ", ".join(values.unknown_codes) or "none"
            message = f"CN {packet.cn} packet has no value the catalogue knows (unknown codes: {unknown})"
            self._hold(raw, peer, packet.mn, "no_readings", message, now)
            return
        self._pending.append(_Pending(raw, peer, packet, writer, now, added))
        if isinstance(writer, LoggerConnection):
            writer.awaiting += 1
        self._wake.set()

    def _hold(
        self, raw: bytes, peer: str, mn: str | None, reason: QuarantineReason, message: str, now: dt.datetime
    ) -> None:
        self._quarantine.append(QuarantinedPacket(now, peer, mn, reason, message, raw))
        if len(self._quarantine) >= self.settings.hj212_flush_packets:
            self._wake.set()

    def _send(self, writer: ReplyWriter, reply: bytes, *, count: int = 1) -> None:
        if not writer.is_closing():
            writer.write(reply)
            self.counters.replies_sent += count

    # --- batches -----------------------------------------------------------------------------

    async def _flush_loop(self) -> None:
        """Group commit: a write starts as soon as data waits and the previous write is done.

        Packets arriving during a write form the next batch, so batches grow with the load (up to
        hj212_flush_packets each) and an acknowledging logger waits about one write, not a fixed
        interval. A short linger (hj212_flush_linger_s) gathers a batch first unless
        hj212_flush_packets are waiting; quarantine entries alone are written every
        hj212_flush_interval_s.
        """
        settings = self.settings
        while not self._stopping:
            try:
                await asyncio.wait_for(self._wake.wait(), settings.hj212_flush_interval_s)
            except TimeoutError:
                pass
            self._wake.clear()
            if self._pending and len(self._pending) < settings.hj212_flush_packets and not self._stopping:
                await asyncio.sleep(settings.hj212_flush_linger_s)
            try:
                await self.flush()
            except Exception:  # keep the writer alive; the batch has been quarantined or re-queued
                log.exception("HJ 212 batch flush failed")

    def _next_batch(self) -> tuple[ReadingRows, list[_Pending]]:
        """The oldest pending packets, at most hj212_flush_packets of them, and their readings.

        Capping the batch keeps the live path a pipeline: with many loggers each waiting for its
        9014, the packets they send while one batch is written are decoded meanwhile and form the
        next, instead of every logger's packet joining one batch that is decoded, then written,
        then answered in turn.
        """
        cap = self.settings.hj212_flush_packets
        if len(self._pending) <= cap:
            rows, pending = self._rows, self._pending
            self._rows, self._pending = ReadingRows(), []
            return rows, pending
        pending, self._pending = self._pending[:cap], self._pending[cap:]
        return self._rows.take(sum(p.readings for p in pending)), pending

    async def flush(self) -> None:
        """Write the pending readings (batch by batch) and quarantine entries now; acknowledge what was stored."""
        async with self._flush_lock:
            while self._pending:
                await self._flush_batch(*self._next_batch())
            for connection in self._connections:
                if connection.paused:
                    connection.resume()
            entries, self._quarantine = self._quarantine, []
            if entries:
                try:
                    await asyncio.to_thread(self.quarantine.add_many, entries)
                except Exception:
                    self._quarantine[:0] = entries  # try again next flush
                    raise
                self.counters.packets_quarantined += len(entries)
                self.counters.quarantined_by_reason.update(e.reason for e in entries)

    async def _flush_batch(self, rows: ReadingRows, pending: list[_Pending]) -> None:
        """Write one batch; acknowledge its packets once stored, else quarantine them unacknowledged."""
        if pending:
            stored = await asyncio.to_thread(self._write, rows)
            if stored is None:
                now = self.clock()
                for p in pending:
                    message = "the store refused the batch; not acknowledged"
                    self._quarantine.append(QuarantinedPacket(now, p.peer, p.packet.mn, "store_error", message, p.raw))
            else:
                self.counters.packets_stored += len(pending)
                self.counters.readings_stored += stored
                replies: dict[ReplyWriter, list[bytes]] = {}
                for p in pending:
                    if p.packet.wants_ack:
                        replies.setdefault(p.writer, []).append(encode_data_reply(p.packet))
                for writer, answers in replies.items():  # one send per connection
                    self._send(writer, b"".join(answers), count=len(answers))
            for p in pending:  # a logger that half-closed is hung up on once its replies are sent
                if isinstance(p.writer, LoggerConnection):
                    p.writer.awaiting -= 1
                    p.writer.close_if_done()
        if not self._store_is_behind():
            for connection in self._connections:
                if connection.paused:
                    connection.resume()

    def _write(self, rows: ReadingRows) -> int | None:
        """In a worker thread: write one batch; None when the store failed."""
        try:
            # as_readings runs in the store's write(); the store keeps the last of repeated keys
            # (a packet re-sent in the same batch: the later value is the correction). The frame's
            # values all come from closed sets, so it is not checked twice.
            frame = rows.frame(validate=False)
            accepted = self.store.write(frame)
        except Exception:
            log.exception("HJ 212: store write of %d readings failed", len(rows))
            return None
        if self.on_stored is not None:
            try:
                self.on_stored(frame)
            except Exception:
                log.exception("HJ 212: on_stored hook failed (the readings are stored)")
        return accepted


FILES_KEPT_FOR_THE_REST: Final = 256  # the store, the state file, HTTP clients, logs …


def connection_capacity(wanted: int) -> int:
    """How many logger connections this process can hold: its soft open-file limit is raised toward
    `wanted` plus what the rest of the service needs (up to the hard limit), and the cap lowered, with
    a warning, when the limit stays below it. A full descriptor table fails every HTTP request too."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    needed = wanted + FILES_KEPT_FOR_THE_REST
    if soft != resource.RLIM_INFINITY and soft < needed:
        raised = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (raised, hard))
            soft = raised
        except (ValueError, OSError):
            pass
    if soft != resource.RLIM_INFINITY and soft < needed:
        capacity = max(soft - FILES_KEPT_FOR_THE_REST, 1)
        log.warning(
            "open-file limit %d holds %d HJ 212 connections, not %d (WQMON_HJ212_MAX_CONNECTIONS): "
            "raise the limit (ulimit -n) to take more loggers", soft, capacity, wanted
        )  # fmt: skip
        return capacity
    return wanted


def _mn_of(raw: bytes) -> str | None:
    found = _MN_PATTERN.search(raw)
    return found.group(1).decode("latin-1") if found else None
