"""The HJ 212 server over real sockets, writing a real DuckDB store and a real quarantine."""

import asyncio
import datetime as dt
import functools
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from ingest.hj212.codec import decode, encode
from ingest.hj212.framing import frame
from ingest.hj212.packet import Packet
from ingest.hj212.server import Hj212Server
from models.configuration import Configuration
from service.cli import app
from service.settings import Settings
from store.duckdb_store import DuckDBStore
from store.quarantine import Quarantine
from store.state import StateDB

# Water loggers of the capture registered as sites (password 123456 as in the traffic), plus one
# registered with another password to exercise the bad-password path.
WATER_LOGGERS = {
    "LD130133000015": "123456",  # the digest's 2005 vector comes from this one
    "LD130182000126": "123456",
    "LD130104000268": "123456",
    "LD130185000294": "123456",  # three flow meters: B01-Rtd repeated in one packet
    "LD130124000223": "123456",  # sends QN, 14-digit DataTime, 2051 and 2061
    "LD130182000295": "123456",  # re-sends 2015 data: clock far in the past
    "LD130131000211": "123456",  # air logger whose clock says 2000
    "ZG130108201316": "123456",  # ammonia analyser in fault (060-Flag=D)
    "LD130182000052": "123456",  # an air logger registered by mistake: no code the water catalogue knows
    "ZG130182201205": "654321",  # heartbeats with PW=123456: wrong password
}
STORING = [
    "LD130133000015", "LD130182000126", "LD130104000268", "LD130185000294", "LD130124000223", "ZG130108201316",
    "LD130182000295",
]  # fmt: skip
# Counted independently of the server (a regex over the capture): valid-CRC packets of registered
# MNs with a data CN and a 2016 DataTime; other CNs; unregistered MNs.
STORED, HANDLED, QUARANTINED = 764, 778, 16609
NO_READINGS, UNKNOWN_MN, READINGS = 255, 16100, 2448
TEST_MN = "TEST000000000000000000"
NOW = dt.datetime(2016, 8, 24, 6, 0, tzinfo=dt.UTC)  # the platform clock during the capture


def in_loop(test: Callable[..., Coroutine[Any, Any, None]]) -> Callable[..., None]:
    """Run an async test in a fresh event loop (no plugin needed)."""

    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> None:
        asyncio.run(test(*args, **kwargs))

    return run


def write_sites(folder: Path, loggers: dict[str, str]) -> Configuration:
    sites = [
        {
            "id": f"plant-{mn}",
            "name": f"污水处理厂 {mn}",
            "kind": "plant",
            "standard": "GB18918-2002",
            "target": "1A",
            "logger": {"mn": mn, "password": password},
        }
        for mn, password in loggers.items()
    ]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sites.yaml").write_text(yaml.safe_dump({"sites": sites}, allow_unicode=True), encoding="utf-8")
    return Configuration.load(folder)


@pytest.fixture
def site_config(tmp_path: Path) -> Configuration:
    return write_sites(tmp_path / "config", {**WATER_LOGGERS, TEST_MN: "123456"})


def server_settings(**overrides: Any) -> Settings:
    return Settings(**{"hj212_host": "127.0.0.1", "hj212_port": 0, **overrides})


@asynccontextmanager
async def running(config: Configuration, store: Any, state: StateDB, **options: Any) -> AsyncIterator[Hj212Server]:
    on_stored = options.pop("on_stored", None)
    server = Hj212Server(config, store, state, server_settings(**options), clock=lambda: NOW, on_stored=on_stored)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


def hour_packet(mn: str = TEST_MN, *, hour: int = 5, flag: int = 5, cod: float = 20.5, pw: str = "123456") -> bytes:
    local = dt.datetime(2016, 8, 24, hour, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    packet = Packet(
        qn=local.strftime("%Y%m%d%H%M%S") + "123",
        st="32",
        cn="2061",
        pw=pw,
        mn=mn,
        flag=flag,
        cp=(
            (("DataTime", local.strftime("%Y%m%d%H%M%S")),),
            (("w01018-Avg", str(cod)), ("w01018-Max", "30"), ("w01018-Flag", "N")),
            (("w21003-Avg", "1.25"), ("w21003-Flag", "D")),
            (("w20111-Avg", "0.5"),),  # mercury in µg/L on the wire
        ),
    )
    return encode(packet)


async def read_reply(reader: asyncio.StreamReader) -> Packet:
    return decode(await asyncio.wait_for(reader.readuntil(b"\r\n"), 10))


def assert_accounted(server: Hj212Server, quarantine: Quarantine) -> None:
    c = server.counters
    assert c.packets_received == c.packets_stored + c.packets_handled + c.packets_quarantined
    assert quarantine.count() == c.packets_quarantined


@in_loop
async def test_replay_of_the_captured_traffic_accounts_for_every_packet(
    site_config: Configuration, store: DuckDBStore, state: StateDB, capture_paths: list[Path]
) -> None:
    first, second = capture_paths
    async with running(site_config, store, state) as server:
        # one file through the operator's replay command, one through a plain socket
        args = ["hj212", "send", f"127.0.0.1:{server.port}", str(first)]
        result = await asyncio.to_thread(CliRunner().invoke, app, args)  # blocking sockets: off the loop
        assert result.exit_code == 0, result.stderr
        assert '"sent_bytes": 2475848' in result.stdout
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(second.read_bytes())
        await writer.drain()
        writer.write_eof()
        await reader.read()  # the server closes after the stream ends
        writer.close()
    c = server.counters
    quarantine = Quarantine(state)
    assert_accounted(server, quarantine)
    assert c.packets_received == 18151  # 18139 framed packets + 12 bad frames and junk runs
    assert (c.packets_stored, c.packets_handled, c.packets_quarantined) == (STORED, HANDLED, QUARANTINED)
    assert quarantine.counts_by_reason() == {
        "bad_crc": 1,
        "bad_length": 10,
        "bad_password": 123,  # every packet of ZG130182201205
        "clock": 119,  # LD130131000211 (year 2000) and LD130182000295 re-sending 2015 data
        "garbage": 1,
        "no_readings": NO_READINGS,  # LD130182000052: S01, B02, 01 … are air codes
        "unknown_mn": UNKNOWN_MN,
    }
    assert c.values_repeated == 160  # LD130185000294 repeats B01 fields; the first is kept
    assert {"S01", "B02", "01"} <= set(c.unknown_codes)
    readings = store.read()
    assert len(readings) == c.readings_stored == READINGS
    assert set(readings["site"]) == {f"plant-{mn}" for mn in STORING}
    first = readings[
        (readings["source"] == "hj212:LD130133000015")
        & (readings["parameter"] == "w01018")
        & (readings["time"] == pd.Timestamp("2016-08-23T16:38:17Z"))  # DataTime 20160824003817000, Beijing
    ]
    assert first[["statistic", "value", "flag"]].values.tolist() == [["rtd", 231.0, "N"]]
    fault = readings[
        (readings["source"] == "hj212:ZG130108201316")
        & (readings["parameter"] == "w21003")
        & (readings["statistic"] == "rtd")
    ]
    assert set(fault["flag"]) == {"D"} and len(fault) == 240
    statistics = set(readings["statistic"])
    assert {"rtd", "minute_avg", "hour_avg", "hour_cou", "day_avg"} <= statistics


@in_loop
async def test_a_data_packet_with_the_ack_bit_is_answered_after_it_is_stored(
    site_config: Configuration, store: DuckDBStore, state: StateDB
) -> None:
    async with running(site_config, store, state) as server:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(hour_packet())
        reply = await read_reply(reader)
        stored = store.read(sites=[f"plant-{TEST_MN}"])  # already there when the 9014 arrives
        writer.close()
    assert (reply.cn, reply.st, reply.qn, reply.flag) == ("9014", "91", "20160824050000123", 4)
    expected = pd.DataFrame(
        {
            "parameter": ["w01018", "w01018", "w20111", "w21003"],
            "statistic": ["hour_avg", "hour_max", "hour_avg", "hour_avg"],
            "value": [20.5, 30.0, 0.0005, 1.25],
            "flag": ["N", "N", "N", "D"],
        }
    )
    got = stored[["parameter", "statistic", "value", "flag"]].sort_values(["parameter", "statistic"])
    pd.testing.assert_frame_equal(got.reset_index(drop=True), expected, check_dtype=False)
    assert set(stored["time"]) == {pd.Timestamp("2016-08-23T21:00:00Z")}  # 05:00 Beijing
    assert set(stored["source"]) == {f"hj212:{TEST_MN}"}


@in_loop
async def test_unknown_mn_and_wrong_password_get_their_return_codes(
    site_config: Configuration, store: DuckDBStore, state: StateDB
) -> None:
    async with running(site_config, store, state) as server:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(hour_packet("NOBODY"))
        unknown = await read_reply(reader)
        writer.write(hour_packet(pw="999999"))
        wrong = await read_reply(reader)
        writer.close()
    assert (unknown.cn, unknown.cp_value("QnRtn")) == ("9011", "4")
    assert (wrong.cn, wrong.cp_value("QnRtn")) == ("9011", "3")
    quarantine = Quarantine(state)
    assert quarantine.counts_by_reason() == {"bad_password": 1, "unknown_mn": 1}
    assert [e.mn for e in quarantine.list()] == [TEST_MN, "NOBODY"]
    assert store.read().empty


@in_loop
async def test_a_bad_crc_is_answered_qnrtn_9_so_the_logger_sends_again(
    site_config: Configuration, store: DuckDBStore, state: StateDB
) -> None:
    """HJ 212-2017 Table 7: QnRtn 9 is the CRC error. A 2017 logger that asked for a reply (Flag 5)
    gets 9011 QnRtn=9 with its QN; its packet is quarantined, and the same packet with the right
    CRC, sent again, is stored and acknowledged."""
    good = hour_packet()
    corrupted = good[:-6] + (b"0000" if good[-6:-2] != b"0000" else b"FFFF") + b"\r\n"
    async with running(site_config, store, state) as server:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(corrupted)
        refused = await read_reply(reader)
        writer.write(good)
        stored = await read_reply(reader)
        writer.close()
    assert (refused.cn, refused.cp_value("QnRtn"), refused.qn) == ("9011", "9", decode(good).qn)
    assert stored.cn == "9014"
    assert Quarantine(state).counts_by_reason() == {"bad_crc": 1}
    assert not store.read().empty


@in_loop
async def test_a_2017_packet_without_a_system_code_is_refused_qnrtn_5_and_a_2005_one_is_kept(
    site_config: Configuration, store: DuckDBStore, state: StateDB
) -> None:
    """HJ 212-2017 Table 5 codes are 10-69, 91-99 and A0-Z9: ST=00 in a 2017 packet is refused with
    QnRtn 5 (ST error). Field loggers of HJ/T 212-2005 send ST as two NUL bytes with good data (seen in
    the captured traffic): such a packet is stored."""
    bad_st = encode(replace(decode(hour_packet()), st="00"))
    old = decode(hour_packet(hour=6, flag=0))  # Flag version 000000: HJ/T 212-2005, no reply asked
    old_with_nul_st = encode(replace(old, st="\x00\x00", flag=None, qn=None))
    async with running(site_config, store, state) as server:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(bad_st)
        refused = await read_reply(reader)
        writer.write(old_with_nul_st)
        writer.write(hour_packet(hour=7))  # a reply to this one shows the 2005 packet was handled first
        after = await read_reply(reader)
        writer.close()
    assert (refused.cn, refused.cp_value("QnRtn")) == ("9011", "5")
    assert after.cn == "9014"
    assert Quarantine(state).counts_by_reason() == {"bad_field": 1}
    hours = store.read()["time"].dt.tz_convert("Asia/Shanghai").dt.hour.unique().tolist()
    assert sorted(hours) == [6, 7]


@in_loop
async def test_a_clock_far_off_is_quarantined(site_config: Configuration, store: DuckDBStore, state: StateDB) -> None:
    async with running(site_config, store, state, hj212_clock_ahead_minutes=30) as server:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(hour_packet(hour=15, flag=4))  # 07:00 UTC: one hour ahead of the platform
        writer.write(hour_packet(hour=14, flag=5))  # 06:00 UTC: now
        assert (await read_reply(reader)).cn == "9014"
        writer.close()
    assert Quarantine(state).counts_by_reason() == {"clock": 1}
    assert server.counters.packets_stored == 1


@in_loop
async def test_the_on_stored_hook_sees_each_batch_and_its_failure_loses_nothing(
    site_config: Configuration, store: DuckDBStore, state: StateDB
) -> None:
    batches: list[pd.DataFrame] = []

    def hook(frame: pd.DataFrame) -> None:
        batches.append(frame)
        raise RuntimeError("alert engine down")

    async with running(site_config, store, state, on_stored=hook) as server:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(hour_packet())
        assert (await read_reply(reader)).cn == "9014"
        writer.close()
    assert len(batches) == 1 and len(batches[0]) == 4
    assert len(store.read()) == 4
    assert server.counters.packets_stored == 1


@in_loop
async def test_split_upload_parts_are_joined_by_pnum_pno(
    site_config: Configuration, store: DuckDBStore, state: StateDB
) -> None:
    def part(number: int, cp: tuple[tuple[tuple[str, str], ...], ...]) -> bytes:
        return encode(Packet(qn=f"2016082405000012{number}", st="32", cn="2061", pw="123456", mn=TEST_MN,
                             flag=7, pnum=2, pno=number, cp=cp))  # fmt: skip

    async with running(site_config, store, state) as server:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(part(1, ((("DataTime", "20160824050000"),), (("w01018-Avg", "20"),))))
        first = await read_reply(reader)
        writer.write(part(2, ((("w21003-Avg", "1.5"),),)))  # no DataTime: takes part 1's
        second = await read_reply(reader)
        writer.close()
    assert (first.cn, first.qn, second.cn, second.qn) == ("9014", "20160824050000121", "9014", "20160824050000122")
    stored = store.read()
    assert sorted(stored["parameter"]) == ["w01018", "w21003"]
    assert set(stored["time"]) == {pd.Timestamp("2016-08-23T21:00:00Z")}
    assert server.counters.splits_incomplete == 0


@in_loop
async def test_a_client_sending_one_byte_a_second_is_timed_out_without_harm(
    site_config: Configuration, store: DuckDBStore, state: StateDB
) -> None:
    async with running(site_config, store, state, hj212_idle_timeout_s=0.5) as server:
        slow_reader, slow_writer = await asyncio.open_connection("127.0.0.1", server.port)
        packet = hour_packet(flag=4)
        closed = False
        for byte in packet[:3]:
            slow_writer.write(bytes([byte]))
            await slow_writer.drain()
            # meanwhile a normal logger is served
            reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
            writer.write(hour_packet(hour=byte % 5, cod=float(byte)))
            assert (await read_reply(reader)).cn == "9014"
            writer.close()
            if await slow_reader.read(1) == b"":  # waits up to a second: the server hangs up
                closed = True
                break
        slow_writer.close()
    assert closed
    quarantine = Quarantine(state)
    assert [(e.reason, e.raw) for e in quarantine.list()] == [("truncated", packet[:1])]
    assert_accounted(server, quarantine)


@in_loop
async def test_ten_megabytes_without_a_header_are_cut_off(
    site_config: Configuration, store: DuckDBStore, state: StateDB
) -> None:
    async with running(site_config, store, state, hj212_max_garbage_bytes=65536) as server:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        sent = 0
        try:
            while sent < 10_000_000:
                writer.write(b"x" * 100_000)
                await writer.drain()
                sent += 100_000
        except ConnectionError:
            pass  # the server hung up on us
        try:
            assert await reader.read() == b""
        except ConnectionError:
            pass  # or reset the connection, with our bytes still unread
        writer.close()
        # the server still serves others
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(hour_packet())
        assert (await read_reply(reader)).cn == "9014"
        writer.close()
    entries = Quarantine(state).list()
    assert [e.reason for e in entries] == ["garbage"]
    assert len(entries[0].raw) == 65536
    assert sent < 10_000_000 or server.counters.connections_total == 2


@in_loop
async def test_five_hundred_clients_at_once(tmp_path: Path, store: DuckDBStore, state: StateDB) -> None:
    mns = [f"LOAD{i:020d}" for i in range(500)]
    config = write_sites(tmp_path / "many", dict.fromkeys(mns, "123456"))

    async def logger(mn: str) -> str:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(hour_packet(mn, hour=4) + hour_packet(mn, hour=5))
        replies = [await read_reply(reader), await read_reply(reader)]
        writer.close()
        return "".join(r.cn for r in replies)

    async with running(config, store, state, hj212_max_connections_per_address=500) as server:
        answers = await asyncio.gather(*(logger(mn) for mn in mns))
    assert answers == ["90149014"] * 500
    assert server.counters.packets_stored == 1000
    assert len(store.read()) == 4000
    assert server.counters.connections_total == 500


@in_loop
async def test_a_store_that_refuses_the_batch_quarantines_it_unacknowledged(
    site_config: Configuration, tmp_path: Path, state: StateDB
) -> None:
    broken = DuckDBStore(tmp_path / "closed.duckdb")
    broken.close()  # every write now fails
    quarantine = Quarantine(state)
    async with running(site_config, broken, state) as server:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(hour_packet())
        for _ in range(200):  # until the failed batch is in the quarantine
            if quarantine.count():
                break
            await asyncio.sleep(0.05)
        # a heartbeat asking for an answer is answered at once: its 9014 is the first reply,
        # so none was sent for the data packet
        heartbeat = Packet(qn="20160824050000999", st="32", cn="8013", pw="123456", mn=TEST_MN, flag=5)
        writer.write(encode(heartbeat))
        reply = await read_reply(reader)
        writer.close()
    assert (reply.cn, reply.qn) == ("9014", "20160824050000999")
    entries = quarantine.list()
    assert [(e.reason, e.mn, e.raw) for e in entries] == [("store_error", TEST_MN, hour_packet())]
    c = server.counters
    assert (c.packets_stored, c.packets_handled, c.packets_quarantined) == (0, 1, 1)


@in_loop
async def test_each_edition_is_stored_and_a_bad_field_is_quarantined(
    site_config: Configuration, store: DuckDBStore, state: StateDB
) -> None:
    def realtime(flag: int | None, qn: str | None, cp: str) -> bytes:
        head = f"QN={qn};" if qn else ""
        flag_field = f";Flag={flag}" if flag is not None else ""
        segment = f"{head}ST=32;CN=2011;PW=123456;MN={TEST_MN}{flag_field};CP=&&DataTime=20160824050000;{cp}&&"
        return frame(segment.encode())

    async with running(site_config, store, state) as server:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(realtime(None, None, "011-Rtd=30.5,011-Flag=N"))  # HJ/T 212-2005
        writer.write(realtime(4, "20160824050000001", "w21003-Rtd=1.5,w21003-SampleTime=20160824045500"))  # 2017
        writer.write(realtime(9, "20160824050000002", "w21011-Rtd=0.2,w21011-Flag=M,w21011-EFlag=A01"))  # 2025
        assert (await read_reply(reader)).qn == "20160824050000002"  # the 2025 one asked (bit A)
        writer.write(realtime(4, "20160824050000003", "w01018-Rtd=12..5"))
        writer.write_eof()
        await reader.read()
        writer.close()
    stored = store.read().sort_values("parameter")
    assert stored[["parameter", "statistic", "value", "flag"]].values.tolist() == [
        ["w01018", "rtd", 30.5, "N"],
        ["w21003", "rtd", 1.5, "N"],
        ["w21011", "rtd", 0.2, "M"],
    ]
    entries = Quarantine(state).list()
    assert [(e.reason, e.message) for e in entries] == [("bad_field", "w01018-Rtd='12..5' is not a number")]
    assert_accounted(server, Quarantine(state))


def hour_upload(hour: dt.datetime, cod: float) -> bytes:
    """CN 2061 of TEST_MN asking for the 9014 (Flag 5: HJ 212-2017, bit A set)."""
    stamp = hour.astimezone(dt.timezone(dt.timedelta(hours=8))).strftime("%Y%m%d%H%M%S")
    packet = Packet(
        qn=stamp + "000", st="32", cn="2061", pw="123456", mn=TEST_MN, flag=5,
        cp=((("DataTime", stamp),), (("w01018-Avg", f"{cod}"), ("w01018-Flag", "N"))),
    )  # fmt: skip
    return encode(packet)


@in_loop
async def test_a_logger_that_half_closes_after_sending_gets_every_acknowledgement(
    site_config: Configuration, store: DuckDBStore, state: StateDB
) -> None:
    """Send three uploads, shut the writing half (EOF), keep reading: three 9014s, then the server hangs up."""
    async with running(site_config, store, state, hj212_flush_linger_s=0.2) as server:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(b"".join(hour_upload(NOW - dt.timedelta(hours=h), 20.0 + h) for h in (1, 2, 3)))
        await writer.drain()
        writer.write_eof()  # before the batch is written (the linger is 0.2 s)
        replies = await asyncio.wait_for(reader.read(), 10)  # until the server closes
        writer.close()
    assert [decode(line + b"\r\n").cn for line in replies.split(b"\r\n") if line] == ["9014"] * 3
    assert len(store.read(sites=[f"plant-{TEST_MN}"])) == 3


@in_loop
async def test_hj212_send_counts_the_replies_it_got(
    tmp_path: Path, site_config: Configuration, store: DuckDBStore, state: StateDB
) -> None:
    capture = tmp_path / "three.h212"
    capture.write_bytes(b"".join(hour_upload(NOW - dt.timedelta(hours=h), 20.0) for h in (1, 2)) + b"##0000junk\r\n")
    async with running(site_config, store, state) as server:
        args = ["hj212", "send", f"127.0.0.1:{server.port}", str(capture), "--wait", "5"]
        result = await asyncio.to_thread(CliRunner().invoke, app, args)
    assert result.exit_code == 0, result.output
    summary = yaml.safe_load(result.stdout)
    # two good uploads (each acknowledged) and one bad frame (quarantined, no reply)
    assert (summary["sent_packets"], summary["replies"], summary["acknowledged"]) == (3, 2, 2)
    assert summary["replies_by_cn"] == {"9014": 2}


@in_loop
async def test_a_store_write_holds_at_most_hj212_flush_packets_and_each_is_acknowledged_once_stored(
    site_config: Configuration, store: DuckDBStore, state: StateDB
) -> None:
    """Seven uploads waiting at once with hj212_flush_packets=3 are written as 3 + 3 + 1 packets
    (4 readings each), oldest first; every upload gets its 9014, in the order sent, after its write."""
    written: list[int] = []
    async with running(
        site_config, store, state, on_stored=lambda frame: written.append(len(frame)), hj212_flush_packets=3
    ) as server:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(b"".join(hour_packet(hour=h) for h in range(1, 8)))
        replies = [await read_reply(reader) for _ in range(7)]
        writer.close()
    assert written == [12, 12, 4]
    assert [r.qn for r in replies] == [f"201608240{h}0000123" for h in range(1, 8)]
    assert {r.cn for r in replies} == {"9014"} and len(store.read()) == 28
    assert server.counters.packets_stored == 7 and server.counters.replies_sent == 7


def test_the_connection_cap_fits_the_open_file_limit() -> None:
    """A full descriptor table fails every HTTP request too: the server raises its soft open-file
    limit to hold the connections asked for and 256 more files, and where the hard limit is lower,
    takes fewer connections (hard 600: 600 - 256 = 344) and says so."""
    script = (
        "import resource\n"
        "from ingest.hj212.server import connection_capacity\n"
        "resource.setrlimit(resource.RLIMIT_NOFILE, (512, 8192))\n"
        "print(connection_capacity(4000), resource.getrlimit(resource.RLIMIT_NOFILE)[0])\n"
        "resource.setrlimit(resource.RLIMIT_NOFILE, (512, 600))\n"
        "print(connection_capacity(4000), resource.getrlimit(resource.RLIMIT_NOFILE)[0])\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=Path(__file__).parents[2]
    )
    assert run.stdout.split("\n")[:2] == ["4000 4256", "344 600"]
    assert "holds 344 HJ 212 connections, not 4000" in run.stderr
