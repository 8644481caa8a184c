"""A site page's year (month classes and charts) kept until a write stores readings inside that year.

Computing a site's year (the period evaluation and twenty charts) takes most of a second; the
answer changes only when readings of that year arrive, which the service's write Generation
records (service.compliance_cache.Generation), as it does for the compliance answers.
"""

import collections
import threading
from collections.abc import Callable
from typing import Any, Final

import pandas as pd

from models.period.periods import parse_period
from service.compliance_cache import Generation

KEPT_PAGES: Final = 64  # site × year × language entries kept (least recently used dropped)
Key = tuple[str, str, str]  # site id, year, language


class SitePageCache:
    """Site pages by (site, year, language), each valid while no write touched its year."""

    def __init__(self, generation: Generation | None, *, timezone: str) -> None:
        self.generation, self.timezone = generation, timezone
        self._pages: collections.OrderedDict[Key, tuple[int, dict[str, Any]]] = collections.OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Key, compute: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        """The page of `key`: kept, or computed now (with no Generation, always computed)."""
        if self.generation is None:
            return compute()
        period = parse_period(key[1], timezone=self.timezone)
        start, end = pd.Timestamp(period.start_utc).value, pd.Timestamp(period.end_utc).value
        with self._lock:
            kept = self._pages.get(key)
            if kept is not None and not self.generation.touched_since(kept[0], start, end):
                self._pages.move_to_end(key)
                return kept[1]
        seen = self.generation.value  # before computing: a write during it makes the next request recompute
        page = compute()
        with self._lock:
            self._pages[key] = (seen, page)
            self._pages.move_to_end(key)
            while len(self._pages) > KEPT_PAGES:
                self._pages.popitem(last=False)
        return page
