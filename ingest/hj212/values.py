"""The measured values in a packet's CP area, mapped to catalogue codes and units.

`xxxxxx-Rtd/Min/Avg/Max/Cou/ZsRtd/ZsMin/ZsAvg/ZsMax` are numbers; `xxxxxx-Flag` is the data flag
of that code (HJ 212-2017 Table 8, default N); SampleTime, EFlag and status fields (SBxxx-RS …)
are not values. Wire codes go through Catalogue.wire_factor, which knows the HJ/T 212-2005 codes
(011, 060, B01 …) and the wire units (µg/L items arrive in µg/L and are stored in mg/L).
Codes the water catalogue does not know (air codes 01/02/03, S01…, B02) are reported, not stored.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Literal, NamedTuple

from ingest.hj212.packet import Packet, PacketError
from models.errors import UnitError, UnknownParameterError
from models.reading import FLAGS
from models.standards.catalogue import Catalogue

Field = Literal["Rtd", "Min", "Avg", "Max", "Cou", "ZsRtd", "ZsMin", "ZsAvg", "ZsMax"]
NUMERIC_FIELDS: Final[frozenset[str]] = frozenset(
    ("Rtd", "Min", "Avg", "Max", "Cou", "ZsRtd", "ZsMin", "ZsAvg", "ZsMax")
)
_FLAG_SET: Final[frozenset[str]] = frozenset(FLAGS)


class WireValue(NamedTuple):
    """One number of a packet: wire code, 2017 code, catalogue code (None if unknown), field, value, flag."""

    wire_code: str
    code: str
    parameter: str | None
    field: str
    value: float
    factor: float
    flag: str


@dataclass(frozen=True, slots=True)
class PacketValues:
    """The values of one packet, and what could not be used: unknown codes and repeated keys."""

    values: tuple[WireValue, ...]
    unknown_codes: tuple[str, ...]
    repeated_keys: tuple[str, ...]


class WireCode(NamedTuple):
    """What a wire code means: catalogue code (None if unknown), factor to its unit, HJ 212-2017 code,
    and the plausible range of the value once converted (`models.plausibility`)."""

    parameter: str | None
    factor: float
    code_2017: str
    low: float = 0.0
    high: float = float("inf")


class WireCodes:
    """Wire code → WireCode, looked up in the catalogue once per code.

    `units` are a logger's own wire units (sites.yaml `logger.units`), which override the units
    of HJ 212-2017 Table B.1 for that logger's codes.
    """

    def __init__(self, catalogue: Catalogue, units: Mapping[str, str] | None = None) -> None:
        self.catalogue = catalogue
        self.units = dict(units or {})
        self._cache: dict[str, WireCode] = {}

    def lookup(self, wire_code: str) -> WireCode:
        """What `wire_code` means; `parameter` is None for a code not in the catalogue."""
        found = self._cache.get(wire_code)
        if found is None:
            found = self._cache[wire_code] = self._resolve(wire_code)
        return found

    def _resolve(self, wire_code: str) -> WireCode:
        try:
            parameter, factor = self.catalogue.wire_factor(wire_code, self.units.get(wire_code))
        except (UnknownParameterError, UnitError):
            return WireCode(None, 1.0, wire_code)
        # 2017 codes are 6 characters starting with a letter; HJ/T 212-2005 codes (011, B01) map.
        is_2017 = len(wire_code) == 6 and wire_code[0].isalpha()
        low, high = self.catalogue.plausible_range(parameter)
        return WireCode(parameter, factor, wire_code if is_2017 else parameter, low, high)

    def implausible(self, values: "PacketValues") -> list[WireValue]:
        """The values outside their parameter's plausible range once converted (in the unit assumed);
        cumulative amounts (-Cou, in Table B.1's emission-amount unit) are not judged by those ranges."""
        found = []
        for value in values.values:
            if value.parameter is None or value.field == "Cou":
                continue
            code = self.lookup(value.wire_code)
            converted = value.value * value.factor
            if converted < code.low or converted > code.high:
                found.append(value)
        return found


def packet_values(packet: Packet, codes: WireCodes) -> PacketValues:
    """The numeric values of a packet; PacketError for a number or flag that is not valid."""
    numbers: list[tuple[str, str, float]] = []
    flags: dict[str, str] = {}
    seen: set[str] = set()
    repeated: list[str] = []
    numeric = NUMERIC_FIELDS
    for item in packet.cp:
        for key, text in item:
            dash = key.rfind("-")
            if dash < 0:
                continue
            field = key[dash + 1 :]
            if field in numeric:
                if key in seen:
                    repeated.append(key)
                    continue
                seen.add(key)
                try:
                    number = float(text)
                except ValueError:
                    raise PacketError(f"{key}={text!r} is not a number") from None
                if number - number != 0.0:  # inf - inf and nan - nan are nan: not finite
                    raise PacketError(f"{key}={text!r} is not a finite number")
                numbers.append((key[:dash], field, number))
            elif field == "Flag":
                if text not in _FLAG_SET:
                    raise PacketError(f"{key}={text!r} is not a data flag; allowed: {', '.join(FLAGS)}")
                flags.setdefault(key[:dash], text)
    values = []
    unknown: dict[str, None] = {}
    lookup = codes.lookup
    new = tuple.__new__  # WireValue(...) without its Python-level __new__: this is the hot path
    for wire_code, field, number in numbers:
        parameter, factor, code_2017, _, _ = lookup(wire_code)
        if parameter is None:
            unknown[wire_code] = None
        flag = flags.get(wire_code, "N")
        values.append(new(WireValue, (wire_code, code_2017, parameter, field, number, factor, flag)))
    return PacketValues(tuple(values), tuple(unknown), tuple(repeated))
