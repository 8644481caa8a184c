"""The city's ranking of its counties (federation mode: counties.yaml and WQMON_COUNTY_KEYS)."""

from typing import Any

from fastapi import APIRouter

from service.api.access import Catalogue, Context
from service.api.problems import NotAvailable
from service.api.routes.compliance import Period
from service.federation.counties import COUNTIES_FILE, County, load_counties
from service.federation.pull import rank_counties

router = APIRouter(tags=["ranking"])


def counties_of(context: Context) -> list[County]:
    """The counties this wqmon ranks; 501 problem when it is not configured as a city."""
    if not (context.config.folder / COUNTIES_FILE).exists():
        raise NotAvailable(
            f"this wqmon ranks no counties: {context.config.folder / COUNTIES_FILE} does not exist"
            " (a city-level wqmon lists its counties there and their keys in WQMON_COUNTY_KEYS)"
        )
    return load_counties(context.config.folder, context.settings.county_keys)


@router.get("/ranking", summary="The counties ranked by their scorecards for a period", response_model=dict[str, Any])
async def get_ranking(context: Context, _key: Catalogue, period: Period) -> dict[str, Any]:
    """Ask each county's wqmon for its scorecard now; rank by points (ties documented in `tie_breaks`), and by
    CWQI where counties publish it. A county that does not answer is listed with its last good answer's time."""
    counties = counties_of(context)
    return await rank_counties(counties, period, context.state, timeout_s=context.settings.federation_timeout_s)
