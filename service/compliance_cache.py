"""Compliance answers kept until new readings arrive: the scoring system asks the same question often.

Every write through this process (API, upload, HJ 212, pull) bumps a generation number; an answer
computed at an older generation is computed again. Writes by another process are not seen, which
is fine because one process owns the store (DuckDB locks its file).
"""

import threading
from typing import Any

from service.ports import JSON, CompliancePort


class Generation:
    """A counter of writes, bumped after each stored batch."""

    def __init__(self) -> None:
        self.value = 0
        self._lock = threading.Lock()

    def bump(self) -> None:
        """Note that readings were stored."""
        with self._lock:
            self.value += 1


class CachedCompliance:
    """A CompliancePort that answers repeated questions from memory while no readings arrived."""

    def __init__(self, inner: CompliancePort, generation: Generation, *, max_entries: int = 256) -> None:
        self._inner, self._generation, self._max_entries = inner, generation, max_entries
        self._answers: dict[tuple[Any, ...], tuple[int, JSON]] = {}
        self._lock = threading.Lock()

    def _cached(self, key: tuple[Any, ...], compute: Any) -> JSON:
        generation = self._generation.value
        with self._lock:
            hit = self._answers.get(key)
        if hit is not None and hit[0] == generation:
            return hit[1]
        answer: JSON = compute()
        with self._lock:
            if len(self._answers) >= self._max_entries:
                self._answers.clear()
            self._answers[key] = (generation, answer)
        return answer

    def evaluations(self, *, period: str, site: str | None = None) -> JSON:
        return self._cached(("evaluations", period, site), lambda: self._inner.evaluations(period=period, site=site))

    def compliance(self, *, period: str, kind: str | None = None) -> JSON:
        return self._cached(("compliance", period, kind), lambda: self._inner.compliance(period=period, kind=kind))

    def indicators(self, *, period: str) -> JSON:
        return self._cached(("indicators", period), lambda: self._inner.indicators(period=period))

    def scorecard(self, *, period: str) -> JSON:
        return self._cached(("scorecard", period), lambda: self._inner.scorecard(period=period))
