"""Uploads are imported in worker threads, a few at a time, so the event loop keeps answering.

Reading a 200,000-row table and writing it takes seconds of CPU; on the event loop it would hold
up `/healthz`, every other request and the HJ 212 acknowledgements for as long. Each import runs
in a thread instead, and at most `slots` of them at once (the others wait their turn, without a
thread), so a burst of uploads cannot take every core and all the memory.
"""

from collections.abc import Callable
from typing import TypeVar

import anyio
import anyio.to_thread

T = TypeVar("T")


class ImportSlots:
    """At most `slots` imports at once, each in a worker thread."""

    def __init__(self, slots: int) -> None:
        self.slots = slots
        self._limiter: anyio.CapacityLimiter | None = None  # made in the loop that uses it

    async def run(self, work: Callable[[], T]) -> T:
        """Run `work` in a worker thread once a slot is free; return what it returns."""
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(self.slots)
        return await anyio.to_thread.run_sync(work, limiter=self._limiter)
