"""Evaluations, compliance rates, indicators and the scorecard for a period, and hand-entered indicator values."""

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from service.api.access import Catalogue, Context, Operator
from service.api.pages import Page, PageOf, page
from service.api.problems import NotAvailable
from service.ports import CompliancePort

router = APIRouter(tags=["compliance"])

Period = Annotated[
    str,
    Query(
        pattern=r"^\d{4}(-(0[1-9]|1[0-2])|-Q[1-4])?$",
        description="a local calendar year (2025), quarter (2025-Q2) or month (2025-06)",
    ),
]


def _compliance(context: Context) -> CompliancePort:
    if context.compliance is None:
        raise NotAvailable("compliance is not part of this build; evaluations, rates and indicators need it")
    return context.compliance


@router.get("/evaluations", summary="Site evaluations for a period")
def get_evaluations(context: Context, _key: Catalogue, period: Period, site: str | None = None) -> dict[str, Any]:
    """Single-factor evaluation of each site (or one site) for the period: class, exceedances, main pollutants."""
    site_id = context.config.site(site).id if site else None
    return _compliance(context).evaluations(period=period, site=site_id)


@router.get("/compliance", summary="Compliance rates for a period")
def get_compliance(context: Context, _key: Catalogue, period: Period, kind: str | None = None) -> dict[str, Any]:
    """Compliance rates by site kind (plant, section, source …) for the period."""
    return _compliance(context).compliance(period=period, kind=kind)


@router.get("/indicators", summary="Indicator values for a period")
def get_indicators(context: Context, _key: Catalogue, period: Period) -> dict[str, Any]:
    """Each indicator's value for the period, as the scoring system pulls it."""
    return _compliance(context).indicators(period=period)


@router.get("/scorecard", summary="The indicator scorecard for a period")
def get_scorecard(context: Context, _key: Catalogue, period: Period) -> dict[str, Any]:
    """Where each indicator stands against its target, and which sites pull it down."""
    return _compliance(context).scorecard(period=period)


class IndicatorValueIn(BaseModel):
    """An indicator value entered by hand."""

    indicator: str = Field(min_length=1, max_length=100, pattern=r"^\S+$")
    period: str = Field(pattern=r"^\d{4}(-(0[1-9]|1[0-2])|-Q[1-4])?$")
    value: float = Field(allow_inf_nan=False)
    note: str = Field(default="", max_length=2000)


@router.get("/indicator-values", response_model=Page[dict[str, Any]], summary="Hand-entered indicator values")
def list_indicator_values(
    context: Context, _key: Catalogue, paging: PageOf, indicator: str | None = None, period: str | None = None
) -> dict[str, Any]:
    """Values entered by hand, with who entered them and when."""
    return page(context.indicator_values.list(indicator=indicator, period=period), paging)


@router.post("/indicator-values", summary="Enter an indicator value")
def put_indicator_value(body: IndicatorValueIn, context: Context, key: Operator) -> dict[str, Any]:
    """Store (or correct) an indicator's value for a period."""
    stored = context.indicator_values.put(**body.model_dump(), entered_by=key.name)
    context.audit.record(actor=key.name, action="indicator-values.put", **body.model_dump())
    return stored
