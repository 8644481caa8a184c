"""The HJ 212 data segment: header fields QN ST CN PW MN Flag PNUM PNO and the CP data area.

HJ 212-2017 Table 3 and §6.3. HJ/T 212-2005 uploads often omit QN and Flag; they are None then.
The edition is carried in the Flag version bits (bits 2-7): 000000 HJ/T 212-2005, 000001
HJ 212-2017. HJ 212-2025 (in force 2026-01-01) could not be read here: we take version 000010
to mean 2025 and decode it as 2017 — unverified.
"""

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Final, Literal

Edition = Literal["2005", "2017", "2025"]
EDITION_BY_VERSION: Final[dict[int, Edition]] = {0: "2005", 1: "2017", 2: "2025"}
VERSION_BY_EDITION: Final[dict[str, int]] = {v: k for k, v in EDITION_BY_VERSION.items()}
# HJ 212-2017 Table 5: environmental quality 10-29, pollution sources 30-49, process monitoring
# 50-69, system interaction 91-99, and A0-Z9 for extensions.
_SYSTEM_CODE: Final = re.compile(r"[1-6][0-9]|9[1-9]|[A-Z][0-9]")


def is_system_code(st: str | None) -> bool:
    """Whether `st` is a system code (ST) of HJ 212-2017 Table 5 or its extension range."""
    return st is not None and _SYSTEM_CODE.fullmatch(st) is not None


FLAG_ACK: Final[int] = 0b01  # bit A: the sender wants a reply
FLAG_SPLIT: Final[int] = 0b10  # bit D: the packet carries PNUM and PNO

# Logger clocks are Beijing time; China has had no daylight saving since 1991, so a fixed offset
# is exact for every time a logger can send and is much faster than a zoneinfo lookup.
BEIJING: Final[dt.timezone] = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")

HEADER_FIELDS: Final[tuple[str, ...]] = ("QN", "ST", "CN", "PW", "MN", "Flag", "PNUM", "PNO")

Item = tuple[tuple[str, str], ...]  # one CP item: its key=value fields in order


class PacketError(ValueError):
    """A data segment breaks the packet syntax; the message names the field and what is allowed."""


@dataclass(frozen=True, slots=True)
class Packet:
    """One decoded data segment. `cp` keeps the data area's items in wire order."""

    cn: str
    mn: str
    st: str | None = None
    pw: str | None = None
    qn: str | None = None
    flag: int | None = None
    pnum: int | None = None
    pno: int | None = None
    cp: tuple[Item, ...] = field(default=())

    @property
    def edition(self) -> Edition:
        """The standard's edition from the Flag version bits (no Flag: HJ/T 212-2005)."""
        if self.flag is None:
            return "2005"
        return EDITION_BY_VERSION[self.flag >> 2]

    @property
    def wants_ack(self) -> bool:
        """Flag bit A: the logger waits for a reply."""
        return self.flag is not None and bool(self.flag & FLAG_ACK)

    @property
    def is_split(self) -> bool:
        """Flag bit D, or PNUM/PNO given: the packet is one part of a split upload."""
        return self.pnum is not None or (self.flag is not None and bool(self.flag & FLAG_SPLIT))

    def cp_value(self, key: str) -> str | None:
        """The first value of a CP field such as DataTime or QnRtn, or None."""
        for item in self.cp:
            for name, value in item:
                if name == key:
                    return value
        return None

    @property
    def data_time(self) -> dt.datetime | None:
        """CP DataTime as an aware Beijing-time datetime, or None when absent."""
        text = self.cp_value("DataTime")
        return None if text is None else parse_time(text, "DataTime")


def parse_time(text: str, name: str = "DataTime") -> dt.datetime:
    """YYYYMMDDhhmmss or YYYYMMDDhhmmsszzz (logger local time) as an aware datetime."""
    if len(text) not in (14, 17) or not (text.isascii() and text.isdigit()):
        raise PacketError(f"{name}={text!r} is not YYYYMMDDhhmmss (14 digits) or YYYYMMDDhhmmsszzz (17 digits)")
    try:
        return dt.datetime(
            int(text[0:4]),
            int(text[4:6]),
            int(text[6:8]),
            int(text[8:10]),
            int(text[10:12]),
            int(text[12:14]),
            int(text[14:17]) * 1000 if len(text) == 17 else 0,
            tzinfo=BEIJING,
        )
    except ValueError as error:
        raise PacketError(f"{name}={text!r} is not a valid time: {error}") from None


def format_time(moment: dt.datetime, *, millis: bool = False) -> str:
    """An aware datetime as logger local time, 14 digits (17 with milliseconds)."""
    local = moment.astimezone(BEIJING)
    text = local.strftime("%Y%m%d%H%M%S")
    return text + f"{local.microsecond // 1000:03d}" if millis else text


def parse_segment(segment: bytes | str) -> Packet:
    """Decode a data segment (without framing); PacketError naming the bad field."""
    if isinstance(segment, bytes):
        try:
            text = segment.decode("utf-8")
        except UnicodeDecodeError as error:
            raise PacketError(f"data segment is not UTF-8 text (byte {error.start})") from None
    else:
        text = segment
    head, sep, cp_text = text.partition("CP=&&")
    if not sep:
        raise PacketError("no 'CP=&&' data area; a data segment ends with CP=&&…&&")
    if not cp_text.endswith("&&"):
        raise PacketError("the CP data area does not end with '&&'")
    fields: dict[str, str] = {}
    for part in head.split(";"):
        if not part:
            continue
        name, eq, value = part.partition("=")
        if not eq:
            raise PacketError(f"header field {part!r} is not NAME=VALUE")
        if name not in HEADER_FIELDS:
            raise PacketError(f"header field {name!r} is not one of {', '.join(HEADER_FIELDS)}")
        if name in fields:
            raise PacketError(f"header field {name} is given twice")
        fields[name] = value
    cn = fields.get("CN")
    if cn is None or len(cn) != 4 or not (cn.isascii() and cn.isdigit()):
        raise PacketError(f"CN={cn!r} is not a 4-digit command code" if cn is not None else "no CN field")
    mn = fields.get("MN")
    if not mn:
        raise PacketError("no MN field (the logger's id)")
    flag = _int_field(fields, "Flag", 255)
    if flag is not None and flag >> 2 not in EDITION_BY_VERSION:
        raise PacketError(
            f"Flag={flag}: version bits {flag >> 2:06b} are not 000000 (2005), 000001 (2017) or 000010 (2025)"
        )
    return Packet(
        cn=cn,
        mn=mn,
        st=fields.get("ST"),
        pw=fields.get("PW"),
        qn=fields.get("QN"),
        flag=flag,
        pnum=_int_field(fields, "PNUM", 9999),
        pno=_int_field(fields, "PNO", 9999),
        cp=parse_cp(cp_text[:-2]),
    )


def parse_cp(text: str) -> tuple[Item, ...]:
    """The CP data area (between the '&&'): items split on ';', fields on ','."""
    items = []
    for item_text in text.split(";"):
        if not item_text:
            continue
        item = []
        for part in item_text.split(","):
            name, eq, value = part.partition("=")
            if not eq or not name:
                raise PacketError(f"CP field {part!r} is not NAME=VALUE")
            item.append((name, value))
        items.append(tuple(item))
    return tuple(items)


def _int_field(fields: dict[str, str], name: str, maximum: int) -> int | None:
    text = fields.get(name)
    if text is None:
        return None
    if not (text.isascii() and text.isdigit()) or int(text) > maximum:
        raise PacketError(f"{name}={text!r} is not a whole number from 0 to {maximum}")
    return int(text)


def encode_segment(packet: Packet) -> bytes:
    """The data segment of a packet, fields in the standard's order."""
    parts = []
    for name, value in (
        ("QN", packet.qn),
        ("ST", packet.st),
        ("CN", packet.cn),
        ("PW", packet.pw),
        ("MN", packet.mn),
        ("Flag", packet.flag),
        ("PNUM", packet.pnum),
        ("PNO", packet.pno),
    ):
        if value is not None:
            parts.append(f"{name}={value}")
    cp = ";".join(",".join(f"{k}={v}" for k, v in item) for item in packet.cp)
    parts.append(f"CP=&&{cp}&&")
    return ";".join(parts).encode("utf-8")


_PASSWORD = re.compile(r"(PW=)[^;&]*")


def redact_password(text: str) -> str:
    """`text` (a raw packet, a message) with every `PW=` value masked: viewers and logs never see it."""
    return _PASSWORD.sub(r"\1******", text)
