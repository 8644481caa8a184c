"""HJ 212 framing: `##` + 4-digit length + data segment + 4 hex CRC + CR LF (HJ 212-2017 Table 2).

`unframe` checks one packet; `StreamFramer` cuts a TCP byte stream into packets, handling
several packets in one read, a packet split across reads and garbage between packets (it
resynchronises on the next `##`). Every byte it is fed comes out again, either in a good frame
or in a bad one with its reason, so a caller can account for all of it.
"""

from dataclasses import dataclass
from typing import Final, Literal

from ingest.hj212.crc import crc16, crc16_hex

MAX_SEGMENT_BYTES: Final[int] = 1024  # HJ 212-2017 Table 2: 0 <= data segment length <= 1024
HEADER: Final[bytes] = b"##"
TRAILER: Final[bytes] = b"\r\n"
OVERHEAD: Final[int] = 2 + 4 + 4 + 2  # "##", length, CRC, CR LF

FrameErrorReason = Literal["bad_length", "bad_crc", "too_long", "garbage", "truncated"]


class FrameError(ValueError):
    """A packet's framing is wrong; `reason` is one of FrameErrorReason."""

    def __init__(self, reason: FrameErrorReason, message: str) -> None:
        super().__init__(message)
        self.reason: FrameErrorReason = reason


@dataclass(frozen=True, slots=True)
class Frame:
    """One framed packet: the raw bytes as received and its data segment (CRC checked)."""

    raw: bytes
    segment: bytes


@dataclass(frozen=True, slots=True)
class BadFrame:
    """Bytes that are not a valid packet, with the reason and a message saying what is wrong."""

    raw: bytes
    reason: FrameErrorReason
    message: str


def frame(segment: bytes) -> bytes:
    """Wrap a data segment into a packet: `##` + length + segment + CRC + CR LF."""
    if len(segment) > MAX_SEGMENT_BYTES:
        raise FrameError("too_long", f"data segment of {len(segment)} bytes; at most {MAX_SEGMENT_BYTES} allowed")
    return b"##%04d%s%s\r\n" % (len(segment), segment, crc16_hex(segment).encode())


def unframe(packet: bytes, *, max_segment_bytes: int = MAX_SEGMENT_BYTES) -> bytes:
    """The data segment of one packet (trailing CR LF optional); FrameError saying what is wrong."""
    if packet.endswith(TRAILER):
        packet = packet[:-2]
    if not packet.startswith(HEADER):
        raise FrameError("garbage", f"packet starts with {packet[:8]!r}; a packet starts with '##'")
    length_text = packet[2:6]
    if len(length_text) < 4 or not length_text.isdigit():
        raise FrameError("bad_length", f"length field {length_text!r} is not 4 decimal digits")
    length = int(length_text)
    if length > max_segment_bytes:
        raise FrameError("too_long", f"length {length} exceeds the maximum data segment of {max_segment_bytes} bytes")
    segment = packet[6:-4]
    if len(segment) != length:
        raise FrameError("bad_length", f"length field says {length} bytes but the data segment has {len(segment)}")
    _check_crc(segment, packet[-4:])
    return segment


def _check_crc(segment: bytes, crc_text: bytes) -> None:
    try:
        received = int(crc_text, 16)
    except ValueError:
        raise FrameError("bad_crc", f"CRC field {crc_text!r} is not 4 hex digits") from None
    if len(crc_text) != 4 or received != crc16(segment):
        raise FrameError("bad_crc", f"CRC {crc_text.decode('latin-1')} does not match the data ({crc16_hex(segment)})")


class StreamFramer:
    """Cuts a byte stream into Frame / BadFrame items; feed() bytes as they arrive, close() at the end."""

    def __init__(self, *, max_segment_bytes: int = MAX_SEGMENT_BYTES, max_garbage_bytes: int = 65536) -> None:
        self.max_segment_bytes = max_segment_bytes
        self.max_garbage_bytes = max_garbage_bytes
        self._buffer = bytearray()
        self._garbage = bytearray()
        self.garbage_run = 0  # bytes of the current run without '##'
        self.overflowed = False  # a run reached max_garbage_bytes: the peer is not speaking HJ 212

    @property
    def pending(self) -> int:
        """Bytes held back waiting for the rest of a packet."""
        return len(self._buffer)

    def feed(self, data: bytes) -> list[Frame | BadFrame]:
        """Add received bytes; return the packets (good or bad) now complete.

        Bytes outside packets are gathered into one `garbage` item per run, given out when the
        next '##' arrives, at close(), or once the run reaches `max_garbage_bytes` (check
        `garbage_run` to decide whether to drop the connection).
        """
        self._buffer += data
        out: list[Frame | BadFrame] = []
        buffer = self._buffer
        position = 0
        while True:
            start = buffer.find(HEADER, position)
            if start < 0:
                # keep a trailing '#' that may begin the next '##'; the rest is garbage
                keep = 1 if buffer.endswith(b"#") else 0
                end = len(buffer) - keep
                if end > position:
                    self._add_garbage(buffer[position:end])
                position = end
                if self.garbage_run >= self.max_garbage_bytes:
                    self.overflowed = True
                    self._emit_garbage(out)
                break
            while buffer[start + 2 : start + 3] == b"#":  # "###…": the packet starts at the last "##"
                start += 1
            if start > position:
                self._add_garbage(buffer[position:start])
            self._emit_garbage(out)
            item, consumed = self._cut(buffer, start)
            if item is None:  # need more bytes
                position = start
                break
            out.append(item)
            position = start + consumed
        del buffer[:position]
        return out

    def close(self) -> list[Frame | BadFrame]:
        """The end of the stream: pending garbage, and whatever is left is an incomplete packet."""
        out: list[Frame | BadFrame] = []
        if self._buffer and not self._buffer.startswith(b"#"):  # a kept '#' may begin a packet
            self._add_garbage(self._buffer)
            self._buffer.clear()
        self._emit_garbage(out)
        if self._buffer:
            raw = bytes(self._buffer)
            self._buffer.clear()
            if raw.endswith(TRAILER) and raw[2:6].isdigit():
                message = _length_message(int(raw[2:6]), len(raw) - OVERHEAD)
                out.append(BadFrame(raw, "bad_length", message))
            else:
                out.append(BadFrame(raw, "truncated", f"stream ended inside a packet after {len(raw)} bytes"))
        return out

    def _add_garbage(self, raw: bytearray | bytes) -> None:
        self.garbage_run += len(raw)
        room = self.max_garbage_bytes - len(self._garbage)
        if room > 0:
            self._garbage += raw[:room]

    def _emit_garbage(self, out: list[Frame | BadFrame]) -> None:
        run = self.garbage_run
        if not run:
            return
        raw = bytes(self._garbage)
        self._garbage.clear()
        self.garbage_run = 0
        if raw.strip(b"\r\n\x00 "):  # stray line ends and padding between packets are not worth a record
            kept = "" if len(raw) == run else f" (first {len(raw)} kept)"
            out.append(BadFrame(raw, "garbage", f"{run} bytes that are not a packet (no '##'){kept}"))

    def _cut(self, buffer: bytearray, start: int) -> tuple[Frame | BadFrame | None, int]:
        """Cut the packet that starts at `start`: (item, bytes consumed), or (None, 0) to wait."""
        available = len(buffer) - start
        if available < 6:
            return None, 0
        length_text = bytes(buffer[start + 2 : start + 6])
        if not length_text.isdigit():
            return self._resync(buffer, start, "bad_length", f"length field {length_text!r} is not 4 decimal digits")
        length = int(length_text)
        if length > self.max_segment_bytes:
            return self._resync(
                buffer, start, "too_long", f"length {length} exceeds the maximum of {self.max_segment_bytes} bytes"
            )
        total = length + OVERHEAD
        # A CR LF before the declared end means the length is wrong: do not wait for bytes that belong
        # to the next packet.
        early = buffer.find(TRAILER, start + 6, min(start + total - 2, len(buffer)))
        if early >= 0:
            return self._resync(buffer, start, "bad_length", _length_message(length, early - start - 10))
        if available < total:
            return None, 0
        if buffer[start + total - 2 : start + total] != TRAILER:
            return self._resync(buffer, start, "bad_length", f"length field says {length} bytes but no CR LF follows")
        raw = bytes(buffer[start : start + total])
        segment = raw[6 : 6 + length]
        try:
            _check_crc(segment, raw[6 + length : 10 + length])
        except FrameError as error:
            return BadFrame(raw, error.reason, str(error)), total
        return Frame(raw, segment), total

    def _resync(
        self, buffer: bytearray, start: int, reason: FrameErrorReason, message: str
    ) -> tuple[BadFrame | None, int]:
        """A bad packet runs to its CR LF or to the next '##', whichever comes first."""
        crlf = buffer.find(TRAILER, start + 2)
        header = buffer.find(HEADER, start + 2)
        ends = [e for e in (crlf + 2 if crlf >= 0 else -1, header) if e >= 0]
        if not ends:
            if len(buffer) - start <= self.max_segment_bytes + OVERHEAD:
                return None, 0  # the end may still come
            end = start + self.max_segment_bytes + OVERHEAD
        else:
            end = min(ends)
        return BadFrame(bytes(buffer[start:end]), reason, message), end - start


def _length_message(declared: int, actual: int) -> str:
    return f"length field says {declared} bytes but the packet ends (CR LF) after {max(actual, 0)}"
