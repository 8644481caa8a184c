"""The quarantine log: packets (or stray bytes) that were received but not stored, with the reason.

Nothing a logger sends is dropped silently: whatever the HJ 212 server cannot store goes here with
the time it arrived, the peer address, the MN (when it could be read), a reason from a closed set
and a message saying what was wrong. Owned by this module in the StateDB (store/state.py).
"""

import datetime as dt
from dataclasses import dataclass
from typing import Final, Literal, get_args

from store.state import StateDB

QuarantineReason = Literal[
    "bad_crc",  # CRC does not match the data segment
    "bad_length",  # length field wrong or not 4 digits
    "too_long",  # longer than the maximum data segment (1024 bytes, HJ 212-2017 Table 2)
    "garbage",  # bytes between packets that are not a packet
    "truncated",  # the connection ended inside a packet
    "bad_field",  # a header or CP field breaks the syntax (bad number, flag, time …)
    "unknown_mn",  # no site has a logger with this MN
    "bad_password",  # PW does not match the logger's password
    "clock",  # DataTime too far in the future or the past
    "no_readings",  # a data packet without any value the catalogue knows
    "store_error",  # the store refused the batch; the packet was not acknowledged
]
QUARANTINE_REASONS: Final[tuple[str, ...]] = get_args(QuarantineReason)

SCHEMA: Final[str] = """
CREATE TABLE IF NOT EXISTS hj212_quarantine (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    received_at TEXT NOT NULL,
    peer TEXT NOT NULL,
    mn TEXT,
    reason TEXT NOT NULL,
    message TEXT NOT NULL,
    raw BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS hj212_quarantine_reason ON hj212_quarantine (reason);
"""


@dataclass(frozen=True, slots=True)
class QuarantinedPacket:
    """One entry of the quarantine log."""

    received_at: dt.datetime
    peer: str
    mn: str | None
    reason: str
    message: str
    raw: bytes
    id: int | None = None

    def to_json(self) -> dict[str, object]:
        """A JSON-ready dict; the raw bytes as text (UTF-8 where they are, backslash escapes where not)."""
        return {
            "id": self.id,
            "received_at": self.received_at.isoformat(),
            "peer": self.peer,
            "mn": self.mn,
            "reason": self.reason,
            "message": self.message,
            "raw": self.raw.decode("utf-8", errors="backslashreplace"),
        }


class Quarantine:
    """The quarantine table in a StateDB."""

    def __init__(self, state: StateDB) -> None:
        self.state = state
        state.ensure_schema(SCHEMA)

    def add_many(self, entries: list[QuarantinedPacket]) -> None:
        """Record entries in one transaction."""
        for entry in entries:
            if entry.reason not in QUARANTINE_REASONS:
                raise ValueError(f"quarantine reason {entry.reason!r} is not one of {', '.join(QUARANTINE_REASONS)}")
        self.state.executemany(
            "INSERT INTO hj212_quarantine (received_at, peer, mn, reason, message, raw) VALUES (?, ?, ?, ?, ?, ?)",
            [(e.received_at.astimezone(dt.UTC).isoformat(), e.peer, e.mn, e.reason, e.message, e.raw) for e in entries],
        )

    def add(self, entry: QuarantinedPacket) -> None:
        """Record one entry."""
        self.add_many([entry])

    def count(self, *, reason: str | None = None) -> int:
        """How many entries there are (with this reason)."""
        if reason is None:
            rows = self.state.execute("SELECT count(*) AS n FROM hj212_quarantine")
        else:
            rows = self.state.execute("SELECT count(*) AS n FROM hj212_quarantine WHERE reason = ?", (reason,))
        return int(rows[0]["n"])

    def counts_by_reason(self) -> dict[str, int]:
        """Number of entries per reason."""
        rows = self.state.execute("SELECT reason, count(*) AS n FROM hj212_quarantine GROUP BY reason ORDER BY reason")
        return {row["reason"]: int(row["n"]) for row in rows}

    def list(self, *, limit: int = 100, reason: str | None = None, mn: str | None = None) -> list[QuarantinedPacket]:
        """The newest entries first, at most `limit`, optionally one reason or one MN."""
        where, params = [], []
        if reason is not None:
            where.append("reason = ?")
            params.append(reason)
        if mn is not None:
            where.append("mn = ?")
            params.append(mn)
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        rows = self.state.execute(
            f"SELECT * FROM hj212_quarantine {clause} ORDER BY id DESC LIMIT ?",  # noqa: S608 - fixed clauses
            (*params, limit),
        )
        return [
            QuarantinedPacket(
                received_at=dt.datetime.fromisoformat(row["received_at"]),
                peer=row["peer"],
                mn=row["mn"],
                reason=row["reason"],
                message=row["message"],
                raw=bytes(row["raw"]),
                id=int(row["id"]),
            )
            for row in rows
        ]
