"""Compliance answers kept, as JSON bytes, until readings of their period arrive: the scoring system asks often.

Every write through this process (API, upload, HJ 212, pull, lab inbox, hand-entered values)
bumps a generation number with the span of reading times it stored. An answer for a period is
computed again once a later write touched that period (or said no span: hand-entered values, a lab
file), so today's logger data does not throw away last year's answers. Every view reads only the
readings of its period, and only hourly means and samples (service/period_data.py): that is what
makes this exact, and why real-time and minute data stale nothing. Writes by another
process are not seen, which is fine because one process owns the store (DuckDB locks its file).
"""

import collections
import datetime as dt
import threading
from dataclasses import dataclass
from typing import Any, Final, Literal

import pandas as pd

from models.period.periods import parse_period
from service.json_bytes import json_bytes
from service.period_data import STATISTICS_READ
from service.ports import CompliancePort

View = Literal["evaluations", "compliance", "indicators", "scorecard", "ratings", "seasons"]

_REMEMBERED_WRITES: Final = 4096  # an answer older than the writes remembered is computed again


class Generation:
    """A counter of writes, bumped after each stored batch, with the span of times each one stored."""

    def __init__(self) -> None:
        self.value = 0
        self._writes: collections.deque[tuple[int, int | None, int | None]] = collections.deque(
            maxlen=_REMEMBERED_WRITES
        )
        self._lock = threading.Lock()

    def bump(self, readings: pd.DataFrame | None = None) -> None:
        """Note that `readings` were stored (None: something else changed, any answer may differ)."""
        span: tuple[int | None, int | None] = (None, None)
        if readings is not None:
            times = readings.loc[readings["statistic"].isin(STATISTICS_READ).to_numpy(), "time"]
            if times.empty:
                return  # nothing any view reads
            span = (_ns(times.min()), _ns(times.max()))
        with self._lock:
            self.value += 1
            self._writes.append((self.value, *span))

    def touched_since(self, generation: int, start_ns: int, end_ns: int) -> bool:
        """Whether a write after `generation` stored a time in [start_ns, end_ns), or may have."""
        if generation == self.value:
            return False
        with self._lock:
            if not self._writes or self._writes[0][0] > generation + 1:
                return True  # some of the writes since are no longer remembered
            for number, first, last in reversed(self._writes):
                if number <= generation:
                    return False
                if first is None or last is None or (first < end_ns and last >= start_ns):
                    return True
        return False


class CachedCompliance:
    """The answers of a CompliancePort as JSON, reused while no readings of their period arrived.

    Requests that miss the same answer at once wait for one computation of it instead of each
    computing it (100 clients asking right after a write would otherwise start 100).
    """

    def __init__(self, inner: CompliancePort, generation: Generation, *, timezone: str, max_entries: int = 256) -> None:
        self._inner, self._generation, self._timezone = inner, generation, timezone
        self._max_entries = max_entries
        self._answers: dict[tuple[Any, ...], _Answer] = {}
        self._computing: dict[tuple[Any, ...], threading.Lock] = {}
        self._lock = threading.Lock()

    def peek(self, view: View, **params: str | None) -> bytes | None:
        """The current answer if it is already known (cheap: call it on the event loop)."""
        key = (view, *sorted(params.items()))
        with self._lock:
            hit = self._answers.get(key)
        if hit is None:
            return None
        now = self._generation.value
        if self._generation.touched_since(hit.generation, hit.start_ns, hit.end_ns):
            return None
        hit.generation = max(hit.generation, now)  # still right at `now`: later peeks look at later writes only
        return hit.body

    def answer(self, view: View, **params: str | None) -> bytes:
        """The answer, computed if need be (expensive: call it in a worker thread)."""
        key = (view, *sorted(params.items()))
        with self._lock:
            computing = self._computing.setdefault(key, threading.Lock())
        with computing:
            known = self.peek(view, **params)
            if known is not None:
                return known
            generation = self._generation.value
            body = json_bytes(getattr(self._inner, view)(**params))
            period = parse_period(str(params["period"]), timezone=self._timezone)
            start = period.start_utc
            if view == "ratings":  # ΔCWQI also reads its base period (default: a year earlier)
                base = params.get("base")
                earlier = parse_period(base, timezone=self._timezone).start_utc if base else start
                start = min(start, earlier, period.start_utc - dt.timedelta(days=366))
            answer = _Answer(generation, _ns(start), _ns(period.end_utc), body)
            with self._lock:
                if len(self._answers) >= self._max_entries:
                    self._answers.clear()
                    self._computing = {key: computing}
                self._answers[key] = answer
        return body


@dataclass(slots=True)
class _Answer:
    """An answer's JSON, the generation it is known right at and the span of its period (UTC ns)."""

    generation: int
    start_ns: int
    end_ns: int
    body: bytes


def _ns(instant: dt.datetime | pd.Timestamp) -> int:
    return pd.Timestamp(instant).value
