"""Answers kept, as JSON bytes, until readings of their span arrive: compliance views and readings queries.

Every write through this process (API, upload, HJ 212, pull, lab inbox, hand-entered values)
bumps a generation number with the span of reading times it stored and their statistics. An
answer for a span of time is computed again once a later write touched that span with a statistic
the answer reads (or said no span: hand-entered values, a lab file), so today's logger data does
not throw away last year's answers. Every compliance view reads only the readings of its period,
and only hourly means and samples (service/period_data.py): that is what makes this exact, and why
real-time and minute data stale no compliance answer. A readings query reads its [start, end)
(unbounded when not given) and the statistics it asks for (any when not given). Writes by another
process are not seen, which is fine because one process owns the store (DuckDB locks its file).
"""

import collections
import datetime as dt
import threading
from collections.abc import Callable, Hashable, Sequence
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
    """A counter of writes, bumped after each stored batch, with the span of times and the statistics of each."""

    def __init__(self) -> None:
        self.value = 0
        self._writes: collections.deque[tuple[int, int | None, int | None, frozenset[str] | None]] = collections.deque(
            maxlen=_REMEMBERED_WRITES
        )
        self._lock = threading.Lock()

    def bump(self, readings: pd.DataFrame | None = None) -> None:
        """Note that `readings` were stored (None: something else changed, any answer may differ)."""
        first = last = None
        statistics = None
        if readings is not None:
            if readings.empty:
                return
            times = readings["time"]
            first, last = _ns(times.min()), _ns(times.max())
            statistics = frozenset(readings["statistic"].unique().tolist())
        with self._lock:
            self.value += 1
            self._writes.append((self.value, first, last, statistics))

    def touched_since(
        self, generation: int, start_ns: int, end_ns: int, statistics: Sequence[str] | None = STATISTICS_READ
    ) -> bool:
        """Whether a write after `generation` stored a time in [start_ns, end_ns) of one of `statistics`
        (None: any), or may have."""
        if generation == self.value:
            return False
        with self._lock:
            if not self._writes or self._writes[0][0] > generation + 1:
                return True  # some of the writes since are no longer remembered
            for number, first, last, written in reversed(self._writes):
                if number <= generation:
                    return False
                if first is None or last is None or written is None:
                    return True
                if first < end_ns and last >= start_ns and (statistics is None or not written.isdisjoint(statistics)):
                    return True
        return False


class CachedAnswers:
    """JSON answers by key, each reused while no write touched its span of times and statistics.

    Requests that miss the same answer at once wait for one computation of it instead of each
    computing it (100 clients asking right after a write would otherwise start 100).
    """

    def __init__(
        self,
        generation: Generation,
        *,
        statistics: Callable[[tuple[Any, ...]], Sequence[str] | None] = lambda key: STATISTICS_READ,
        max_entries: int = 256,
        max_body_bytes: int | None = None,
    ) -> None:
        self._generation, self._statistics = generation, statistics
        self._max_entries, self._max_body_bytes = max_entries, max_body_bytes
        self._answers: dict[tuple[Any, ...], _Answer] = {}
        self._computing: dict[tuple[Any, ...], threading.Lock] = {}
        self._lock = threading.Lock()

    def peek(self, key: tuple[Hashable, ...]) -> bytes | None:
        """The current answer if it is already known (cheap: call it on the event loop)."""
        with self._lock:
            hit = self._answers.get(key)
        if hit is None:
            return None
        now = self._generation.value
        if self._generation.touched_since(hit.generation, hit.start_ns, hit.end_ns, self._statistics(key)):
            return None
        hit.generation = max(hit.generation, now)  # still right at `now`: later peeks look at later writes only
        return hit.body

    def answer(self, key: tuple[Hashable, ...], compute: Callable[[], tuple[bytes, int, int]]) -> bytes:
        """The answer, else `compute()` -> (body, start and end ns of the times it read), in a worker thread."""
        with self._lock:
            computing = self._computing.setdefault(key, threading.Lock())
        with computing:
            known = self.peek(key)
            if known is not None:
                return known
            generation = self._generation.value
            body, start_ns, end_ns = compute()
            if self._max_body_bytes is not None and len(body) > self._max_body_bytes:
                return body  # answered, not kept: a few such answers would fill the memory
            answer = _Answer(generation, start_ns, end_ns, body)
            with self._lock:
                if len(self._answers) >= self._max_entries:
                    self._answers.clear()
                    self._computing = {key: computing}
                self._answers[key] = answer
        return body


class CachedCompliance:
    """The answers of a CompliancePort as JSON, reused while no readings of their period arrived."""

    def __init__(self, inner: CompliancePort, generation: Generation, *, timezone: str, max_entries: int = 256) -> None:
        self._inner, self._timezone = inner, timezone
        self._answers = CachedAnswers(generation, max_entries=max_entries)

    def peek(self, view: View, **params: str | None) -> bytes | None:
        """The current answer if it is already known (cheap: call it on the event loop)."""
        return self._answers.peek((view, *sorted(params.items())))

    def answer(self, view: View, **params: str | None) -> bytes:
        """The answer, computed if need be (expensive: call it in a worker thread)."""

        def compute() -> tuple[bytes, int, int]:
            body = json_bytes(getattr(self._inner, view)(**params))
            period = parse_period(str(params["period"]), timezone=self._timezone)
            start = period.start_utc
            if view == "ratings":  # ΔCWQI also reads its base period (default: a year earlier)
                base = params.get("base")
                earlier = parse_period(base, timezone=self._timezone).start_utc if base else start
                start = min(start, earlier, period.start_utc - dt.timedelta(days=366))
            return body, _ns(start), _ns(period.end_utc)

        return self._answers.answer((view, *sorted(params.items())), compute)


@dataclass(slots=True)
class _Answer:
    """An answer's JSON, the generation it is known right at and the span of its period (UTC ns)."""

    generation: int
    start_ns: int
    end_ns: int
    body: bytes


def _ns(instant: dt.datetime | pd.Timestamp) -> int:
    return pd.Timestamp(instant).value
