"""Stream framing and property tests: every byte comes out, nothing crashes, round trips hold."""

import string

from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.hj212.codec import decode, encode
from ingest.hj212.framing import BadFrame, Frame, FrameError, StreamFramer
from ingest.hj212.packet import Packet, PacketError, parse_segment
from ingest.hj212.values import WireCodes, packet_values
from models.configuration import Configuration

ONE = b"##0136ST=32;CN=2011;PW=000000;MN=LD130133000015;CP=&&DataTime=20160824003817;011-Rtd=231.0,011-Flag=N;B01-Rtd=36.91;060-Rtd=1.803,060-Flag=N&&1DC0\r\n"  # noqa: E501
HEARTBEAT = b"##0073ST=32;CN=8013;PW=123456;MN=ZG130182201205;Flag=0;CP=&&HeartbeatTime=120&&0500\r\n"


def _feed(chunks: list[bytes], **options: int) -> list[Frame | BadFrame]:
    framer = StreamFramer(**options)
    out: list[Frame | BadFrame] = []
    for chunk in chunks:
        out += framer.feed(chunk)
    return out + framer.close()


def test_several_packets_in_one_read() -> None:
    out = _feed([ONE + HEARTBEAT + ONE])
    assert [type(i) for i in out] == [Frame, Frame, Frame]
    assert [i.raw for i in out] == [ONE, HEARTBEAT, ONE]


def test_a_packet_split_across_reads_one_byte_at_a_time() -> None:
    data = ONE + HEARTBEAT
    out = _feed([data[i : i + 1] for i in range(len(data))])
    assert [i.raw for i in out] == [ONE, HEARTBEAT]


def test_garbage_between_packets_is_reported_once_and_framing_resyncs() -> None:
    out = _feed([b"\x00\xffjunk" + ONE + b"more junk#" + HEARTBEAT])
    assert [(type(i).__name__, getattr(i, "reason", None)) for i in out] == [
        ("BadFrame", "garbage"),
        ("Frame", None),
        ("BadFrame", "garbage"),
        ("Frame", None),
    ]
    assert out[0].raw == b"\x00\xffjunk" and out[2].raw == b"more junk#"


def test_a_wrong_length_does_not_swallow_the_next_packet() -> None:
    short = ONE.replace(b"##0136", b"##0200")  # says more than it has
    long = ONE.replace(b"##0136", b"##0100")  # says less than it has
    out = _feed([short + HEARTBEAT + long + HEARTBEAT])
    assert [getattr(i, "reason", "ok") for i in out] == ["bad_length", "ok", "bad_length", "ok"]
    assert out[1].raw == HEARTBEAT and out[3].raw == HEARTBEAT


def test_bad_crc_is_reported_and_the_next_packet_is_kept() -> None:
    out = _feed([ONE.replace(b"231.0", b"231.9") + HEARTBEAT])
    assert [getattr(i, "reason", "ok") for i in out] == ["bad_crc", "ok"]


def test_a_declared_length_over_the_maximum_is_too_long() -> None:
    out = _feed([b"##2000" + b"x" * 50 + b"\r\n" + HEARTBEAT])
    assert [getattr(i, "reason", "ok") for i in out] == ["too_long", "ok"]


def test_a_stream_ending_inside_a_packet_is_truncated() -> None:
    out = _feed([HEARTBEAT + ONE[:50]])
    assert [getattr(i, "reason", "ok") for i in out] == ["ok", "truncated"]
    assert out[1].raw == ONE[:50]


def test_a_long_run_without_header_overflows_with_a_bounded_record() -> None:
    framer = StreamFramer(max_garbage_bytes=1000)
    out = framer.feed(b"x" * 5000)
    assert framer.overflowed
    assert len(out) == 1 and out[0].reason == "garbage" and len(out[0].raw) == 1000
    assert "5000 bytes" in out[0].message


def test_the_captured_traffic_frames_completely(captured: list[bytes]) -> None:
    for data in captured:
        out = _feed([data[i : i + 4096] for i in range(0, len(data), 4096)])
        assert sum(len(i.raw) for i in out) == len(data)  # every byte accounted for


# --- properties --------------------------------------------------------------------------------

_TEXT = st.text(alphabet=string.ascii_letters + string.digits + ".-_", min_size=1, max_size=12)
_NAME = st.text(alphabet=string.ascii_letters + string.digits + "-", min_size=1, max_size=12)
_VALUE = st.text(alphabet=string.ascii_letters + string.digits + ".-_ ", max_size=12)
_ITEM = st.lists(st.tuples(_NAME, _VALUE), min_size=1, max_size=4).map(tuple)
_PACKETS = st.builds(
    Packet,
    cn=st.from_regex(r"[0-9]{4}", fullmatch=True),
    mn=_TEXT,
    st=st.none() | st.from_regex(r"[0-9]{2}", fullmatch=True),
    pw=st.none() | _TEXT,
    qn=st.none() | st.from_regex(r"[0-9]{17}", fullmatch=True),
    flag=st.none() | st.integers(0, 11),
    pnum=st.none() | st.integers(0, 9999),
    pno=st.none() | st.integers(0, 9999),
    cp=st.lists(_ITEM, max_size=8).map(tuple),
)


@settings(max_examples=200, deadline=None)
@given(_PACKETS)
def test_encode_then_decode_gives_the_packet_back(packet: Packet) -> None:
    wire = encode(packet)
    assert decode(wire) == packet
    out = _feed([wire])
    assert len(out) == 1 and isinstance(out[0], Frame) and parse_segment(out[0].segment) == packet


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=3000), st.integers(1, 64))
def test_arbitrary_bytes_never_crash_the_framer(data: bytes, step: int) -> None:
    out = _feed([data[i : i + step] for i in range(0, len(data), step)], max_garbage_bytes=4096)
    assert sum(len(i.raw) for i in out) <= len(data)
    for item in out:
        assert isinstance(item, Frame | BadFrame)


_config = Configuration.load()
_codes = WireCodes(_config.catalogue)


@settings(max_examples=200, deadline=None)
@given(
    st.binary(max_size=600)
    | st.text(alphabet="#&;,=-CPNMSTQFlagDtime0123456789wB.", max_size=300).map(str.encode)
    | st.text(max_size=200).map(lambda t: ("QN=1;ST=32;CN=2011;Flag=" + t + ";MN=" + t + ";CP=&&" + t).encode())
)
def test_arbitrary_bytes_never_crash_the_decoder(data: bytes) -> None:
    for candidate in (data, b"ST=32;CN=2011;PW=1;MN=A;CP=&&" + data + b"&&"):
        try:
            packet = parse_segment(candidate)
            packet_values(packet, _codes)
            _ = packet.data_time
        except PacketError:
            pass
        try:
            decode(candidate)
        except (FrameError, PacketError):
            pass
