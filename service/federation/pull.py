"""Ask every county's wqmon for its scorecard of a period over HTTP (httpx), all at once, and rank them.

GET {url}/api/v1/scorecard?period=P with the county's scoring-role key; a good answer is kept in the
city's state (store/county_answers.py). CWQI is asked of {url}/api/v1/ratings?period=P and is
optional: a county whose wqmon has no ratings, or whose answer carries no CWQI, is ranked by points
only. A county that does not answer (refused, timed out, a bad key, an error) is shown with why and
with the time of its last good answer.
"""

import asyncio
import datetime as dt
from collections.abc import Callable
from typing import Any

import httpx

from models.rates.ranking import CountyResult, ranking
from service.federation.counties import County
from store.county_answers import CountyAnswers
from store.state import StateDB

Clock = Callable[[], dt.datetime]


async def rank_counties(
    counties: list[County],
    period: str,
    state: StateDB,
    *,
    timeout_s: float = 10.0,
    clock: Clock = lambda: dt.datetime.now(dt.UTC),
) -> dict[str, Any]:
    """The ranking of `counties` for `period`, asking each one now (JSON-ready)."""
    answers = CountyAnswers(state)
    async with httpx.AsyncClient(timeout=timeout_s) as client:
        fetched = await asyncio.gather(*(_ask(client, county, period) for county in counties))
    results = []
    for county, (card, cwqi, error) in zip(counties, fetched, strict=True):
        if card is not None:
            answers.keep(county.id, period, {"scorecard": card, "cwqi": cwqi}, answered_at=clock())
            results.append(
                CountyResult(county.id, county.name, county.url, card, cwqi,
                             last_answered_at=answers.last_answered_at(county.id))
            )  # fmt: skip
            continue
        kept = answers.last(county.id, period)
        results.append(
            CountyResult(
                county.id, county.name, county.url, None, None, error=error,
                last_answered_at=answers.last_answered_at(county.id),
                kept=None if kept is None else kept.body["scorecard"],
                kept_at=None if kept is None else kept.answered_at,
            )
        )  # fmt: skip
    body = ranking(results, period=period)
    body["asked_at"] = clock().astimezone(dt.UTC).isoformat(timespec="seconds")
    return body


def rank_counties_now(
    counties: list[County], period: str, state: StateDB, *, timeout_s: float = 10.0
) -> dict[str, Any]:
    """rank_counties from synchronous code (the CLI)."""
    return asyncio.run(rank_counties(counties, period, state, timeout_s=timeout_s))


async def _ask(
    client: httpx.AsyncClient, county: County, period: str
) -> tuple[dict[str, Any] | None, float | None, str | None]:
    headers = {"Authorization": f"Bearer {county.key.get_secret_value()}"}
    where = f"county '{county.id}' ({county.url})"
    try:
        answer = await client.get(f"{county.url}/api/v1/scorecard", params={"period": period}, headers=headers)
    except httpx.TimeoutException:
        return None, None, f"{where}: no answer within the timeout (WQMON_FEDERATION_TIMEOUT_S)"
    except httpx.HTTPError as error:
        return None, None, f"{where}: cannot connect ({type(error).__name__}: {error}); is its wqmon serving?"
    if answer.status_code in (401, 403):
        return None, None, f"{where}: refused the key (HTTP {answer.status_code}); give a valid scoring-role key"
    if answer.status_code != 200:
        return None, None, f"{where}: answered HTTP {answer.status_code}: {answer.text[:200]}"
    try:
        card = answer.json()
    except ValueError:
        return None, None, f"{where}: the scorecard is not JSON"
    if not isinstance(card, dict) or "points" not in card or "counts" not in card:
        return None, None, f"{where}: the answer is not a scorecard (no points or counts)"
    return card, await _cwqi(client, county, period, headers), None


async def _cwqi(client: httpx.AsyncClient, county: County, period: str, headers: dict[str, str]) -> float | None:
    """The county's CWQI for the period, where its wqmon publishes one; None otherwise (optional)."""
    try:
        answer = await client.get(f"{county.url}/api/v1/ratings", params={"period": period}, headers=headers)
        body = answer.json() if answer.status_code == 200 else None
    except (httpx.HTTPError, ValueError):
        return None
    value = body.get("cwqi") if isinstance(body, dict) else None
    if isinstance(value, dict):
        value = value.get("value", value.get("cwqi"))
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
