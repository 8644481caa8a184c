"""`wqmon hj212 …`: decode packets, replay a capture to a server, list the quarantine."""

import json
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer

from ingest.hj212.framing import BadFrame, Frame, StreamFramer
from ingest.hj212.packet import Packet, PacketError, parse_segment
from ingest.hj212.values import WireCodes, packet_values
from models.configuration import Configuration
from models.errors import ConfigError
from service.commands.failure import fail
from service.settings import Settings
from store.quarantine import QUARANTINE_REASONS, Quarantine
from store.state import StateDB

app = typer.Typer(name="hj212", no_args_is_help=True, add_completion=False, help="HJ 212 data-logger protocol.")


def packet_json(packet: Packet, codes: WireCodes) -> dict[str, Any]:
    """The decode contract of issue 4: one JSON object per good packet (values as on the wire)."""
    data_time = packet.data_time
    values = packet_values(packet, codes)
    return {
        "ok": True,
        "edition": packet.edition,
        "qn": packet.qn,
        "st": packet.st,
        "cn": packet.cn,
        "pw": packet.pw,
        "mn": packet.mn,
        "flag": packet.flag,
        "data_time": None
        if data_time is None
        else data_time.isoformat(timespec="milliseconds" if data_time.microsecond else "seconds"),
        "values": [{"code": v.code, "field": v.field, "value": v.value, "flag": v.flag} for v in values.values],
    }


def decode_lines(data: bytes, codes: WireCodes) -> Iterator[dict[str, Any]]:
    """Decode a capture (one packet per line, or a raw CR LF stream); one JSON-able dict per packet."""
    for number, line in enumerate(data.split(b"\n"), start=1):
        line = line.rstrip(b"\r")
        if not line.strip():
            continue
        framer = StreamFramer(max_garbage_bytes=len(line) + 3)
        for item in framer.feed(line + b"\r\n") + framer.close():
            if isinstance(item, BadFrame):
                yield {"ok": False, "line": number, "error": f"{item.reason}: {item.message}"}
                continue
            try:
                yield packet_json(parse_segment(item.segment), codes)
            except PacketError as error:
                yield {"ok": False, "line": number, "error": f"bad_field: {error}"}


@app.command("decode")
def decode(
    file: Annotated[Path | None, typer.Argument(help="capture file; stdin when absent")] = None,
    config_dir: Annotated[Path | None, typer.Option(envvar="WQMON_CONFIG_DIR", help="configuration folder")] = None,
) -> None:
    """Decode HJ 212 packets and print one JSON object per packet."""
    try:
        config = Configuration.load(config_dir)
    except ConfigError as error:
        raise fail(str(error)) from None
    if file is None:
        data = sys.stdin.buffer.read()
    else:
        try:
            data = file.read_bytes()
        except OSError as error:
            raise fail(f"{file}: {error.strerror}") from None
    codes = WireCodes(config.catalogue)
    out = sys.stdout
    for record in decode_lines(data, codes):
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
    out.flush()


@app.command("send")
def send(
    address: Annotated[str, typer.Argument(metavar="HOST:PORT", help="the HJ 212 server")],
    file: Annotated[Path, typer.Argument(help="capture to replay, sent byte for byte")],
    wait: Annotated[float, typer.Option(help="stop waiting for replies after this many silent seconds")] = 5.0,
    chunk: Annotated[int, typer.Option(help="bytes per send", min=1)] = 65536,
) -> None:
    """Replay a capture to a server and print what was sent and how many replies came back."""
    host, sep, port_text = address.rpartition(":")
    if not sep or not port_text.isdigit():
        raise fail(f"address {address!r} is not HOST:PORT")
    try:
        data = file.read_bytes()
    except OSError as error:
        raise fail(f"{file}: {error.strerror}") from None
    received = bytearray()
    try:
        with socket.create_connection((host or "127.0.0.1", int(port_text)), timeout=10) as connection:
            connection.setblocking(True)
            for start in range(0, len(data), chunk):
                connection.sendall(data[start : start + chunk])
                received += _drain(connection, 0.0)
            connection.shutdown(socket.SHUT_WR)
            # read replies until the server hangs up (it does once it has handled the whole stream)
            # or stays silent for `wait` seconds
            connection.settimeout(wait)
            while True:
                try:
                    more = connection.recv(65536)
                except TimeoutError:
                    break
                if not more:
                    break
                received += more
    except OSError as error:
        raise fail(f"cannot send to {address}: {error}") from None
    typer.echo(json.dumps({"sent_bytes": len(data), **_count_packets(data, received)}))


def _count_packets(sent: bytes, received: bytes | bytearray) -> dict[str, Any]:
    """Packets framed in what was sent and in the replies (not "##" counted: a value may hold one), by CN."""
    framer = StreamFramer(max_garbage_bytes=len(sent) + 1)
    sent_packets = len(framer.feed(sent) + framer.close())  # good and bad frames: what the server will count
    framer = StreamFramer(max_garbage_bytes=len(received) + 1)
    replies = [item for item in framer.feed(bytes(received)) + framer.close() if isinstance(item, Frame)]
    by_cn: dict[str, int] = {}
    for reply in replies:
        try:
            cn = parse_segment(reply.segment).cn
        except PacketError:
            cn = "?"
        by_cn[cn] = by_cn.get(cn, 0) + 1
    return {
        "sent_packets": sent_packets,
        "replies": len(replies),
        "replies_by_cn": dict(sorted(by_cn.items())),
        "acknowledged": by_cn.get("9014", 0),  # data uploads the server stored (HJ 212-2017 CN 9014)
    }


def _drain(connection: socket.socket, timeout: float) -> bytes:
    """What the server has sent so far (waiting up to `timeout`); b'' when nothing or closed."""
    connection.settimeout(timeout if timeout > 0 else 0.0001)
    chunks = []
    try:
        while True:
            data = connection.recv(65536)
            if not data:
                break
            chunks.append(data)
            connection.settimeout(0.0001)
    except (TimeoutError, BlockingIOError):
        pass
    finally:
        connection.settimeout(None)
    return b"".join(chunks)


@app.command("quarantine")
def quarantine(
    limit: Annotated[int, typer.Option(help="newest N entries", min=1)] = 20,
    reason: Annotated[str | None, typer.Option(help=f"only this reason: {', '.join(QUARANTINE_REASONS)}")] = None,
    mn: Annotated[str | None, typer.Option(help="only this logger")] = None,
) -> None:
    """List quarantined packets, newest first, one JSON object each."""
    if reason is not None and reason not in QUARANTINE_REASONS:
        raise fail(f"--reason {reason!r} is not one of {', '.join(QUARANTINE_REASONS)}")
    settings = Settings()
    state = StateDB(settings.state_path)
    try:
        entries = Quarantine(state).list(limit=limit, reason=reason, mn=mn)
    finally:
        state.close()
    for entry in entries:
        typer.echo(json.dumps(entry.to_json(), ensure_ascii=False))
