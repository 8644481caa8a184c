"""Compliance answers kept, as JSON bytes, until new readings arrive: the scoring system asks the same question often.

Every write through this process (API, upload, HJ 212, pull, hand-entered values) bumps a
generation number; an answer computed at an older generation is computed again. Writes by
another process are not seen, which is fine because one process owns the store (DuckDB locks its
file).
"""

import json
import threading
from typing import Any, Literal

from fastapi.encoders import jsonable_encoder

from service.ports import CompliancePort

View = Literal["evaluations", "compliance", "indicators", "scorecard"]


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
    """The answers of a CompliancePort as JSON, reused while no readings arrived.

    Requests that miss the same answer at once wait for one computation of it instead of each
    computing it (100 clients asking right after a write would otherwise start 100).
    """

    def __init__(self, inner: CompliancePort, generation: Generation, *, max_entries: int = 256) -> None:
        self._inner, self._generation, self._max_entries = inner, generation, max_entries
        self._answers: dict[tuple[Any, ...], tuple[int, bytes]] = {}
        self._computing: dict[tuple[Any, ...], threading.Lock] = {}
        self._lock = threading.Lock()

    def peek(self, view: View, **params: str | None) -> bytes | None:
        """The current answer if it is already known (cheap: call it on the event loop)."""
        key = (view, *sorted(params.items()))
        with self._lock:
            hit = self._answers.get(key)
        return hit[1] if hit is not None and hit[0] == self._generation.value else None

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
            body = _dumps(getattr(self._inner, view)(**params))
            with self._lock:
                if len(self._answers) >= self._max_entries:
                    self._answers.clear()
                    self._computing = {key: computing}
                self._answers[key] = (generation, body)
        return body


def _dumps(answer: dict[str, Any]) -> bytes:
    try:
        text = json.dumps(answer, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError):  # numpy scalars, NaN…: the slower encoder that knows them
        text = json.dumps(jsonable_encoder(answer), ensure_ascii=False, separators=(",", ":"))
    return text.encode("utf-8")
