"""Split uploads (Flag bit D, PNUM/PNO): join the parts of one upload (HJ 212-2017 §6.3.3, Appendix C).

Each part is stored and acknowledged as it arrives — a logger that sets bit A waits for the 9014
of one part before sending the next, so holding acks until the last part would stall it. Parts
are joined by (MN, CN, PNUM): a part without its own DataTime takes the DataTime of part 1 of
its upload. The tracker reports uploads whose parts never all arrived.
"""

import datetime as dt
from dataclasses import dataclass, field

from ingest.hj212.packet import Packet


@dataclass(slots=True)
class _Upload:
    data_time: dt.datetime | None
    total: int
    received: set[int] = field(default_factory=set)


class SplitTracker:
    """The open split uploads of one connection."""

    def __init__(self, *, max_open: int = 256) -> None:
        self.max_open = max_open
        self._open: dict[tuple[str, str, int, dt.datetime | None], _Upload] = {}
        self.incomplete: list[str] = []  # descriptions of uploads given up on

    def note(self, packet: Packet, data_time: dt.datetime | None) -> dt.datetime | None:
        """Record a part; return the DataTime of its upload (its own, or part 1's)."""
        total = packet.pnum or 1
        number = packet.pno or 1
        key_time = data_time
        if key_time is None:
            # a continuation part: join the newest open upload of this MN, CN and PNUM
            candidates = [k for k in self._open if k[:3] == (packet.mn, packet.cn, total)]
            if candidates:
                key_time = candidates[-1][3]
        key = (packet.mn, packet.cn, total, key_time)
        upload = self._open.get(key)
        if upload is None:
            if len(self._open) >= self.max_open:
                self._give_up(next(iter(self._open)))
            upload = self._open[key] = _Upload(key_time, total)
        upload.received.add(number)
        if len(upload.received) >= total and upload.received >= set(range(1, total + 1)):
            del self._open[key]
        return key_time

    def close(self) -> list[str]:
        """Give up on every open upload; return the descriptions of all incomplete ones."""
        for key in list(self._open):
            self._give_up(key)
        return self.incomplete

    def _give_up(self, key: tuple[str, str, int, dt.datetime | None]) -> None:
        upload = self._open.pop(key)
        missing = sorted(set(range(1, upload.total + 1)) - upload.received)
        when = upload.data_time.isoformat() if upload.data_time else "no DataTime"
        self.incomplete.append(f"MN {key[0]} CN {key[1]} {when}: parts {missing} of {upload.total} never arrived")
