"""A site page's year is kept until a write stores readings inside that year (or anything unknown)."""

from typing import Any

import pandas as pd

from service.compliance_cache import Generation
from service.pages.site_cache import KEPT_PAGES, SitePageCache


def readings_at(*times: str) -> pd.DataFrame:
    return pd.DataFrame({"statistic": "hour_avg", "time": pd.to_datetime(list(times), utc=True)})


class Pages:
    """Counts computations; each page says which computation made it."""

    def __init__(self) -> None:
        self.made = 0

    def __call__(self) -> dict[str, Any]:
        self.made += 1
        return {"made": self.made}


def test_a_page_is_kept_until_readings_of_its_year_arrive() -> None:
    generation, pages = Generation(), Pages()
    cache = SitePageCache(generation, timezone="Asia/Shanghai")
    key = ("qx-chujing", "2025", "zh")
    assert cache.get(key, pages) == {"made": 1}
    assert cache.get(key, pages) == {"made": 1}
    generation.bump(readings_at("2024-06-01T00:00"))  # another year
    assert cache.get(key, pages) == {"made": 1}
    generation.bump(readings_at("2024-12-31T16:00"))  # 2025-01-01 00:00 in Shanghai: inside 2025
    assert cache.get(key, pages) == {"made": 2}
    generation.bump()  # something else changed: any page may differ
    assert cache.get(key, pages) == {"made": 3}


def test_languages_and_years_are_kept_apart_and_the_oldest_dropped() -> None:
    pages = Pages()
    cache = SitePageCache(Generation(), timezone="Asia/Shanghai")
    assert cache.get(("a", "2025", "zh"), pages) != cache.get(("a", "2025", "en"), pages)
    for n in range(KEPT_PAGES):
        cache.get((f"s{n}", "2024", "zh"), pages)
    made = pages.made
    cache.get(("a", "2025", "zh"), pages)  # dropped: the least recently used
    assert pages.made == made + 1


def test_without_a_generation_every_page_is_computed() -> None:
    pages = Pages()
    cache = SitePageCache(None, timezone="Asia/Shanghai")
    cache.get(("a", "2025", "zh"), pages)
    cache.get(("a", "2025", "zh"), pages)
    assert pages.made == 2
