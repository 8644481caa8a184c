"""Alerts: list, look at one, acknowledge."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from service.api.access import Context, Operator, Reader
from service.api.pages import Page, PageOf, page
from service.api.problems import NotAvailable
from service.ports import AlertsPort

router = APIRouter(tags=["alerts"])


def _alerts(context: Context) -> AlertsPort:
    if context.alerts is None:
        raise NotAvailable("the alert engine is not part of this build")
    return context.alerts


@router.get("/alerts", response_model=Page[dict[str, Any]], summary="Alerts")
def list_alerts(
    context: Context,
    _key: Reader,
    paging: PageOf,
    status: Annotated[Literal["open", "acknowledged", "resolved"] | None, Query()] = None,
    site: str | None = None,
) -> dict[str, Any]:
    """Alerts, newest first; filter by status or site."""
    site_id = context.config.site(site).id if site else None
    return page(_alerts(context).list(status=status, site=site_id), paging)


@router.get("/alerts/{alert_id}", summary="One alert")
def get_alert(alert_id: str, context: Context, _key: Reader) -> dict[str, Any]:
    """An alert with its history."""
    return _alerts(context).get(alert_id)


class Acknowledgement(BaseModel):
    """Who looked at an alert is the key's name; the note says what is being done."""

    note: str = Field(default="", max_length=2000)


@router.post("/alerts/{alert_id}/acknowledge", summary="Acknowledge an alert")
def acknowledge_alert(alert_id: str, body: Acknowledgement, context: Context, key: Operator) -> dict[str, Any]:
    """Mark an alert as seen and being handled."""
    alert = _alerts(context).acknowledge(alert_id, by=key.name, note=body.note)
    context.audit.record(actor=key.name, action="alerts.acknowledge", alert=alert_id, note=body.note)
    return alert
