"""HJ 212 codec: CRC16, framing, fields, CP values, editions and the platform's replies."""

import datetime as dt

import pytest

from ingest.hj212.codec import decode, encode, encode_data_reply, encode_exe_reply, encode_notice_reply, encode_qn_reply
from ingest.hj212.crc import crc16, crc16_hex
from ingest.hj212.framing import FrameError, frame, unframe
from ingest.hj212.packet import BEIJING, Packet, PacketError, parse_segment
from ingest.hj212.values import WireCodes, packet_values
from models.configuration import Configuration

# HJ 212-2017 Appendix A worked example (the standard's prose misprints the CRC as 1C08).
STANDARD_EXAMPLE = b"##0101QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;CP=&&RtdInterval=30&&1C80\r\n"  # noqa: E501
# HJ/T 212-2005 style vector of the standards digest §4.7.
VECTOR_2005 = (
    b"##0136ST=32;CN=2011;PW=000000;MN=LD130133000015;CP=&&DataTime=20160824003817;"
    b"011-Rtd=231.0,011-Flag=N;B01-Rtd=36.91;060-Rtd=1.803,060-Flag=N&&1DC0\r\n"
)


@pytest.fixture(scope="module")
def codes(config: Configuration) -> WireCodes:
    return WireCodes(config.catalogue)


def _reference_crc(data: bytes) -> int:
    """The bit-by-bit algorithm exactly as HJ 212-2017 Appendix A writes it."""
    register = 0xFFFF
    for byte in data:
        register = (register >> 8) ^ byte
        for _ in range(8):
            carry = register & 1
            register >>= 1
            if carry:
                register ^= 0xA001
    return register


def test_crc_of_the_standards_example_is_1c80() -> None:
    segment = STANDARD_EXAMPLE[6:-6]
    assert len(segment) == 101
    assert crc16_hex(segment) == "1C80"


def test_crc_of_the_2005_vector_is_1dc0() -> None:
    assert crc16_hex(VECTOR_2005[6:-6]) == "1DC0"


def test_crc_is_not_modbus() -> None:
    # Modbus CRC16 of the same segment is 0759 (digest §4.7)
    assert crc16(STANDARD_EXAMPLE[6:-6]) != 0x0759


@pytest.mark.parametrize("length", [0, 1, 2, 3, 17, 100, 1024])
def test_table_crc_matches_the_bitwise_algorithm(length: int) -> None:
    data = bytes((i * 37 + 11) % 256 for i in range(length))
    assert crc16(data) == _reference_crc(data)


def test_decode_the_standards_example() -> None:
    packet = decode(STANDARD_EXAMPLE)
    assert packet.qn == "20160801085857223"
    assert (packet.st, packet.cn, packet.pw) == ("32", "1062", "100000")
    assert packet.mn == "010000A8900016F000169DC0"
    assert packet.flag == 5 and packet.edition == "2017"
    assert packet.wants_ack and not packet.is_split
    assert packet.cp_value("RtdInterval") == "30"


def test_decode_the_2005_vector_maps_old_codes(codes: WireCodes) -> None:
    packet = decode(VECTOR_2005)
    assert packet.edition == "2005" and packet.flag is None and packet.qn is None
    assert packet.data_time == dt.datetime(2016, 8, 24, 0, 38, 17, tzinfo=BEIJING)
    values = packet_values(packet, codes)
    assert [(v.wire_code, v.code, v.parameter, v.field, v.value, v.flag) for v in values.values] == [
        ("011", "w01018", "w01018", "Rtd", 231.0, "N"),
        ("B01", "w00000", "w00000", "Rtd", 36.91, "N"),
        ("060", "w21003", "w21003", "Rtd", 1.803, "N"),
    ]


def test_crc_is_compared_case_insensitively() -> None:
    lower = VECTOR_2005.replace(b"1DC0\r\n", b"1dc0\r\n")
    assert decode(lower).mn == "LD130133000015"


@pytest.mark.parametrize(
    ("packet", "reason"),
    [
        (VECTOR_2005.replace(b"231.0", b"231.1"), "bad_crc"),
        (VECTOR_2005.replace(b"##0136", b"##0137"), "bad_length"),
        (VECTOR_2005.replace(b"##0136", b"##01x6"), "bad_length"),
        (b"##2000" + b"A" * 2000 + b"0000\r\n", "too_long"),
        (b"hello", "garbage"),
    ],
)
def test_framing_errors_say_why(packet: bytes, reason: str) -> None:
    with pytest.raises(FrameError) as error:
        unframe(packet)
    assert error.value.reason == reason


def test_editions_from_flag_version_bits() -> None:
    def edition(flag: int | None) -> str:
        return Packet(cn="2011", mn="X", flag=flag).edition

    assert edition(None) == "2005"
    assert edition(0) == edition(1) == "2005"
    assert edition(4) == edition(5) == edition(6) == edition(7) == "2017"
    assert edition(8) == edition(9) == "2025"  # version 000010, unverified (digest §8 point 2)


def test_unknown_version_bits_are_a_field_error() -> None:
    with pytest.raises(PacketError, match="version bits"):
        parse_segment(b"ST=32;CN=2011;PW=1;MN=A;Flag=12;CP=&&&&")


def test_split_packet_fields() -> None:
    packet = parse_segment(
        b"QN=20160801085857223;ST=32;CN=2061;PW=1;MN=A;Flag=7;PNUM=2;PNO=1;CP=&&DataTime=20160801080000&&"
    )
    assert (packet.pnum, packet.pno, packet.is_split, packet.wants_ack) == (2, 1, True, True)


@pytest.mark.parametrize(
    ("segment", "message"),
    [
        (b"ST=32;PW=1;MN=A;CP=&&&&", "no CN"),
        (b"ST=32;CN=20;PW=1;MN=A;CP=&&&&", "CN='20'"),
        (b"ST=32;CN=2011;PW=1;CP=&&&&", "no MN"),
        (b"ST=32;CN=2011;PW=1;MN=A", "CP=&&"),
        (b"ST=32;CN=2011;PW=1;MN=A;CP=&&DataTime=1", "does not end"),
        (b"ST=32;XX=1;CN=2011;PW=1;MN=A;CP=&&&&", "'XX'"),
        (b"ST=32;CN=2011;PW=1;MN=A;CP=&&w01018-Rtd&&", "NAME=VALUE"),
        (b"ST=32;CN=2011;PW=1;MN=A;Flag=x;CP=&&&&", "Flag='x'"),
    ],
)
def test_segment_errors_name_the_field(segment: bytes, message: str) -> None:
    with pytest.raises(PacketError, match=message):
        parse_segment(segment)


def test_17_digit_data_time_keeps_milliseconds() -> None:
    packet = parse_segment(b"ST=32;CN=2011;PW=1;MN=A;CP=&&DataTime=20160824003817123&&")
    assert packet.data_time == dt.datetime(2016, 8, 24, 0, 38, 17, 123000, tzinfo=BEIJING)
    assert packet.data_time.astimezone(dt.UTC) == dt.datetime(2016, 8, 23, 16, 38, 17, 123000, tzinfo=dt.UTC)


@pytest.mark.parametrize("text", ["2016082400381", "20161324003817", "2016082400381x"])
def test_bad_data_time_is_a_field_error(text: str) -> None:
    packet = parse_segment(f"ST=32;CN=2011;PW=1;MN=A;CP=&&DataTime={text}&&".encode())
    with pytest.raises(PacketError, match="DataTime"):
        _ = packet.data_time


def test_values_flags_units_and_unknown_codes(codes: WireCodes) -> None:
    packet = parse_segment(
        b"ST=32;CN=2061;PW=1;MN=A;CP=&&DataTime=20160824010000;"
        b"w20111-Avg=0.5,w20111-Flag=D;026-Max=-3,026-Min=1e1;S01-Avg=4;w01018-ZsAvg=1;w01018-Avg=20,"
        b"w01018-SampleTime=20160824010000,w01018-EFlag=A01;SB1-RS=1;w01018-Avg=21&&"
    )
    values = packet_values(packet, codes)
    got = [(v.code, v.parameter, v.field, v.value, v.factor, v.flag) for v in values.values]
    assert got == [
        ("w20111", "w20111", "Avg", 0.5, pytest.approx(1e-3), "D"),  # mercury: µg/L on the wire, mg/L stored
        ("w20119", "w20119", "Max", -3.0, pytest.approx(1e-3), "N"),  # 2005 code 026 = arsenic, µg/L
        ("w20119", "w20119", "Min", 10.0, pytest.approx(1e-3), "N"),
        ("S01", None, "Avg", 4.0, 1.0, "N"),
        ("w01018", "w01018", "ZsAvg", 1.0, 1.0, "N"),
        ("w01018", "w01018", "Avg", 20.0, 1.0, "N"),
    ]
    assert values.unknown_codes == ("S01",)
    assert values.repeated_keys == ("w01018-Avg",)  # the first value is kept


@pytest.mark.parametrize(
    ("cp", "message"),
    [(b"w01018-Rtd=abc", "'abc' is not a number"), (b"w01018-Rtd=nan", "finite"), (b"w01018-Flag=Q", "data flag")],
)
def test_bad_values_are_field_errors(codes: WireCodes, cp: bytes, message: str) -> None:
    packet = parse_segment(b"ST=32;CN=2011;PW=1;MN=A;CP=&&" + cp + b"&&")
    with pytest.raises(PacketError, match=message):
        packet_values(packet, codes)


def test_encode_decode_round_trip() -> None:
    packet = Packet(
        qn="20160801085857223",
        st="32",
        cn="2061",
        pw="123456",
        mn="010000A8900016F000169DC0",
        flag=7,
        pnum=2,
        pno=1,
        cp=((("DataTime", "20160801080000"),), (("w01018-Avg", "20.1"), ("w01018-Flag", "N"))),
    )
    wire = encode(packet)
    assert wire.startswith(b"##") and wire.endswith(b"\r\n")
    assert decode(wire) == packet


def test_frame_refuses_a_long_segment() -> None:
    with pytest.raises(FrameError, match="at most 1024"):
        frame(b"x" * 1025)


def test_replies() -> None:
    upload = decode(STANDARD_EXAMPLE)
    data = decode(encode_data_reply(upload))
    assert (data.st, data.cn, data.qn, data.flag, data.mn, data.cp) == ("91", "9014", upload.qn, 4, upload.mn, ())
    qn = decode(encode_qn_reply(upload, 3))
    assert (qn.cn, qn.cp_value("QnRtn")) == ("9011", "3")
    exe = decode(encode_exe_reply(upload, 1))
    assert (exe.cn, exe.cp_value("ExeRtn")) == ("9012", "1")
    assert decode(encode_notice_reply(upload)).cn == "9013"


def test_reply_to_a_2005_packet_has_no_flag() -> None:
    reply = decode(encode_qn_reply(decode(VECTOR_2005), 4))
    assert reply.flag is None and reply.edition == "2005" and reply.cp_value("QnRtn") == "4"


@pytest.mark.parametrize("field", ["Flag=²", "PNUM=٣", "CN=２０１１"])
def test_non_ascii_digits_are_field_errors(field: str) -> None:
    segment = f"ST=32;CN=2011;PW=1;MN=A;{field};CP=&&&&".replace("CN=2011;", "", 1 if "CN=" in field else 0)
    with pytest.raises(PacketError):
        parse_segment(segment.encode())


@pytest.mark.parametrize(
    ("qn", "pw", "flag", "reply_flag"),
    [
        ("20160801085857223", "123456", 5, 4),  # HJ 212-2017 (version bits 000001), bit A
        ("20160801085857223", "123456", 7, 4),  # … split upload (bit D) too: the reply has neither bit
        (None, None, 1, 0),  # HJ/T 212-2005 with a Flag (version 0), no QN, no PW
        ("20160801085857223", "123456", None, None),  # no Flag at all (HJ/T 212-2005)
    ],
)
def test_the_9014_is_the_packet_the_standard_describes(
    qn: str | None, pw: str | None, flag: int | None, reply_flag: int | None
) -> None:
    """9014 (HJ 212-2017 Table 9): QN echoed, ST=91, the logger's PW and MN, Flag with the edition
    and bits A and D clear, an empty CP; written out field by field on the hot path."""
    upload = Packet(qn=qn, st="32", cn="2061", pw=pw, mn="88888880000001", flag=flag, cp=((("DataTime", "1"),),))
    expected = Packet(qn=qn, st="91", cn="9014", pw=pw, mn="88888880000001", flag=reply_flag, cp=())
    assert encode_data_reply(upload) == encode(expected)
