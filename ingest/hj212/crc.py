"""The CRC16 of HJ 212 (HJ 212-2017 Appendix A; the same in HJ/T 212-2005).

Register 0xFFFF; for each byte: register = (register >> 8) XOR byte, then eight right shifts
XOR-ing 0xA001 after each shifted-out 1. It is not Modbus CRC16 (which XORs the byte into the
low end). Because the byte is XOR-ed into an 8-bit value, the whole step is one lookup in a
256-entry table, which keeps the pure-Python loop fast.
"""

from typing import Final


def _step_table() -> list[int]:
    table = []
    for index in range(256):
        register = index
        for _ in range(8):
            carry = register & 1
            register >>= 1
            if carry:
                register ^= 0xA001
        table.append(register)
    return table


_TABLE: Final[list[int]] = _step_table()
_HIGH: Final[bytes] = bytes(entry >> 8 for entry in _TABLE)
# Two steps at once: for the little-endian pair w = b0 | b1 << 8 and state s (< 256),
# the state after both bytes is _PAIR[w ^ s]. Halves the Python loop.
_PAIR: Final[bytes] = bytes(_HIGH[_HIGH[w & 0xFF] ^ (w >> 8)] for w in range(65536))


def crc16(data: bytes) -> int:
    """The HJ 212 CRC16 of a data segment (0 … 0xFFFF)."""
    if not data:
        return 0xFFFF
    high = 0xFF
    body = len(data) - 1  # the last byte's step keeps the full 16-bit register
    pairs = body // 2
    if pairs:
        table = _PAIR
        for word in memoryview(data)[: 2 * pairs].cast("H"):
            high = table[word ^ high]
    if body % 2:
        high = _HIGH[high ^ data[body - 1]]
    return _TABLE[high ^ data[body]]


def crc16_hex(data: bytes) -> str:
    """The CRC as the 4 upper-case hex digits written on the wire."""
    return f"{crc16(data):04X}"
