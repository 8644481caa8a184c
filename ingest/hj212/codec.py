"""Decode and encode whole HJ 212 packets, and build the platform's replies (HJ 212-2017 §6.6, Table 9).

Replies: 9011 request answer (QnRtn, Table 7), 9012 execution result (ExeRtn, Table 6), 9013
notice answer, 9014 data answer (sent for an upload whose Flag has bit A set; QN echoes it).
Replies use ST=91 and a Flag carrying the logger's edition with A and D clear (Flag=4 for 2017).
"""

from typing import Final, Literal

from ingest.hj212.framing import MAX_SEGMENT_BYTES, frame, unframe
from ingest.hj212.packet import VERSION_BY_EDITION, Packet, encode_segment, parse_segment

QnRtn = Literal[1, 2, 3, 4, 5, 6, 7, 8, 9, 100]
QN_READY: Final = 1
QN_REJECTED: Final = 2
QN_BAD_PASSWORD: Final = 3
QN_BAD_MN: Final = 4
QN_BAD_ST: Final = 5
QN_BAD_FLAG: Final = 6
QN_BAD_QN: Final = 7
QN_BAD_CN: Final = 8
QN_BAD_CRC: Final = 9
QN_UNKNOWN: Final = 100
ExeRtn = Literal[1, 2, 3, 4, 5, 6, 100]

SYSTEM_ST: Final[str] = "91"  # ST 91: system interaction


def decode(packet: bytes, *, max_segment_bytes: int = MAX_SEGMENT_BYTES) -> Packet:
    """Check a framed packet's length and CRC and decode it; FrameError or PacketError."""
    return parse_segment(unframe(packet, max_segment_bytes=max_segment_bytes))


def encode(packet: Packet) -> bytes:
    """The framed bytes of a packet, CR LF included."""
    return frame(encode_segment(packet))


def _reply(to: Packet, cn: str, cp: tuple[tuple[tuple[str, str], ...], ...]) -> bytes:
    flag = None if to.flag is None else VERSION_BY_EDITION[to.edition] << 2
    reply = Packet(qn=to.qn, st=SYSTEM_ST, cn=cn, pw=to.pw, mn=to.mn, flag=flag, cp=cp)
    return encode(reply)


def encode_qn_reply(to: Packet, code: int) -> bytes:
    """9011 request answer with QnRtn `code` (1 ready, 3 PW error, 4 MN error, 9 CRC error …)."""
    return _reply(to, "9011", ((("QnRtn", str(code)),),))


def encode_exe_reply(to: Packet, code: int) -> bytes:
    """9012 execution result with ExeRtn `code` (1 success, 2 failed, 100 no data …)."""
    return _reply(to, "9012", ((("ExeRtn", str(code)),),))


def encode_notice_reply(to: Packet) -> bytes:
    """9013 notice answer."""
    return _reply(to, "9013", ())


def encode_data_reply(to: Packet) -> bytes:
    """9014 data answer to an upload sent with Flag bit A.

    One per stored packet, on the live path's hot loop: the segment is written out directly, the
    same bytes `_reply` would build (tests/hj212/test_hj212_codec.py holds them equal).
    """
    qn = "" if to.qn is None else f"QN={to.qn};"
    pw = "" if to.pw is None else f";PW={to.pw}"
    flag = "" if to.flag is None else f";Flag={VERSION_BY_EDITION[to.edition] << 2}"
    return frame(f"{qn}ST={SYSTEM_ST};CN=9014{pw};MN={to.mn}{flag};CP=&&&&".encode())
