"""Evaluations, compliance rates, indicators and the scorecard for a period, and hand-entered indicator values."""

import dataclasses
import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel, Field, model_validator

from models.rates.scoring import EnteredStatus
from service.api.access import Catalogue, Context, Operator
from service.api.problems import NotAvailable, NotFound
from service.compliance_cache import View
from store.indicator_entries import IndicatorEntries

router = APIRouter(tags=["compliance"])

# years 1900-2199 (the store holds no other); a day range ends on its last day
_YEAR = r"(19|20|21)\d{2}"
_DAY = rf"{_YEAR}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])"
PERIOD_PATTERN = rf"^({_YEAR}(-(0[1-9]|1[0-2])|-Q[1-4]|-wet|-normal|-dry)?|{_DAY}\.\.{_DAY})$"
Period = Annotated[
    str,
    Query(
        pattern=PERIOD_PATTERN,
        description="a local calendar year (2025), quarter (2025-Q2), month (2025-06), days 2025-03-01..2025-03-31 "
        "or a hydrological season of a year (2025-wet, 2025-normal, 2025-dry)",
    ),
]


async def _answer(context: Context, view: View, **params: str | None) -> Response:
    """The view's JSON, from the cache when no readings arrived since (no worker thread then)."""
    if context.compliance is None:
        raise NotAvailable("compliance is not part of this build; evaluations, rates and indicators need it")
    body = context.compliance.peek(view, **params)
    if body is None:
        body = await run_in_threadpool(lambda: context.compliance.answer(view, **params))  # type: ignore[union-attr]
    return Response(body, media_type="application/json")


@router.get("/evaluations", summary="Site evaluations for a period", response_model=dict[str, Any])
async def get_evaluations(context: Context, _key: Catalogue, period: Period, site: str | None = None) -> Response:
    """Single-factor evaluation of each site (or one site) for the period: class, exceedances, main pollutants."""
    site_id = context.config.site(site).id if site else None
    return await _answer(context, "evaluations", period=period, site=site_id)


@router.get("/compliance", summary="Compliance rates for a period", response_model=dict[str, Any])
async def get_compliance(context: Context, _key: Catalogue, period: Period) -> Response:
    """Every compliance rate of the period with numerator, denominator and failing sites."""
    return await _answer(context, "compliance", period=period)


@router.get("/indicators", summary="Indicator values for a period", response_model=dict[str, Any])
async def get_indicators(context: Context, _key: Catalogue, period: Period) -> Response:
    """Each indicator's value for the period, as the scoring system pulls it."""
    return await _answer(context, "indicators", period=period)


@router.get("/scorecard", summary="The indicator scorecard for a period", response_model=dict[str, Any])
async def get_scorecard(context: Context, _key: Catalogue, period: Period) -> Response:
    """Where each indicator stands against its target, and which sites pull it down."""
    return await _answer(context, "scorecard", period=period)


@router.get("/ratings", summary="River, basin and county ratings for a period", response_model=dict[str, Any])
async def get_ratings(
    context: Context, _key: Catalogue, period: Period, river: str | None = None, base: Period | None = None
) -> Response:
    """Ratings by the 2011 method with class shares and colours, main pollutants, 无劣Ⅴ, CWQI and ΔCWQI."""
    if river is not None:
        rivers = sorted({s.river for s in context.config.sites.values() if s.river})
        if river not in rivers:
            raise NotFound(f"river {river!r} is not configured; rivers: {', '.join(rivers) or 'none'}")
    return await _answer(context, "ratings", period=period, river=river, base=base)


@router.get(
    "/seasons", summary="A year and its wet, normal and dry seasons side by side", response_model=dict[str, Any]
)
async def get_seasons(
    context: Context,
    _key: Catalogue,
    year: Annotated[str, Query(pattern=rf"^{_YEAR}$", description="a local calendar year (2025)")],
) -> Response:
    """Each surface site's class in the year and in each hydrological season, its worst season, and the
    county's rating per column (GB 3838-2002 §4, 环办〔2011〕22号)."""
    return await _answer(context, "seasons", period=year)


class IndicatorValueIn(BaseModel):
    """An indicator value entered by hand, with its evidence."""

    indicator: str = Field(min_length=1, max_length=100, pattern=r"^\S+$", description="id from indicators.yaml")
    period: str = Field(pattern=PERIOD_PATTERN, description="2025, 2025-Q2 or 2025-06")
    value: float | None = Field(default=None, allow_inf_nan=False, description="a number; or give status")
    status: EnteredStatus | None = Field(default=None, description="a qualitative indicator or basic condition")
    dated: dt.date | None = Field(default=None, description="the date of the evidence (statuses need it)")
    evidence: str = Field(min_length=1, max_length=2000, description="the document or source of the value")

    @model_validator(mode="after")
    def _value_or_status(self) -> "IndicatorValueIn":
        if (self.value is None) == (self.status is None):
            raise ValueError("give either value (a number) or status (达标, 基本达标, 不达标), not both")
        if self.status is not None and self.dated is None:
            raise ValueError("a status needs dated: the date of its evidence (YYYY-MM-DD)")
        return self


@router.get("/indicator-values", summary="Hand-entered indicator values of a period")
def list_indicator_values(context: Context, _key: Catalogue, period: Period) -> dict[str, Any]:
    """The newest hand-entered value (and status) of each indicator for the period, with who entered it and when."""
    entries = IndicatorEntries(context.state)
    values, statuses = entries.for_period(period), entries.statuses_for(period)
    return {
        "period": period,
        "values": {k: dataclasses.asdict(v) for k, v in values.items()},
        "statuses": {k: dataclasses.asdict(v) for k, v in statuses.items()},
    }


@router.post("/indicator-values", summary="Enter an indicator value")
def put_indicator_value(body: IndicatorValueIn, context: Context, key: Operator) -> dict[str, Any]:
    """Record a value for an indicator and period (a later entry supersedes; all are kept)."""
    entries, now = IndicatorEntries(context.state), dt.datetime.now(dt.UTC)
    entry: Any
    if body.status is not None and body.dated is not None:
        entry = entries.enter_status(
            body.indicator, body.period, body.status, evidence=body.evidence, dated=body.dated,
            entered_by=key.name, entered_at=now,
        )  # fmt: skip
    else:
        entry = entries.enter(
            body.indicator, body.period, float(body.value or 0.0), evidence=body.evidence, entered_by=key.name,
            entered_at=now,
        )  # fmt: skip
    context.audit.record(actor=key.name, action="indicator-values.enter", **body.model_dump(mode="json"))
    if context.generation is not None:
        context.generation.bump()  # the scorecard shows hand-entered values
    return {"indicator": body.indicator, "period": body.period, **dataclasses.asdict(entry)}
