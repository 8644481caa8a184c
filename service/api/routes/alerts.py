"""Alerts: list, look at one, acknowledge."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from models.alerts.config import RuleId, Severity
from service.api.access import Context, Operator, Reader
from service.api.pages import Page, PageOf, page
from service.api.problems import NotAvailable
from service.ports import AlertsPort

router = APIRouter(tags=["alerts"])
AlertId = Annotated[int, Path(ge=1, le=2**62, description="the alert's id")]


def _alerts(context: Context) -> AlertsPort:
    if context.alerts is None:
        raise NotAvailable("the alert engine is not part of this build")
    return context.alerts


@router.get("/alerts", response_model=Page[dict[str, Any]], summary="Alerts")
def list_alerts(
    context: Context,
    _key: Reader,
    paging: PageOf,
    status: Annotated[
        Literal["active", "open", "acknowledged", "resolved"] | None, Query(description="active: open or acknowledged")
    ] = None,
    site: str | None = None,
    rule: Annotated[RuleId | None, Query(description="only alerts of this rule")] = None,
    severity: Annotated[Severity | None, Query(description="only alerts of this severity")] = None,
    order: Annotated[
        Literal["newest", "severity"], Query(description="newest first, or critical first and then newest")
    ] = "newest",
) -> dict[str, Any]:
    """Alerts, newest first (or critical first); filter by status, site, rule or severity."""
    site_id = context.config.site(site).id if site else None
    alerts = [
        a
        for a in _alerts(context).list(status=status, site=site_id)
        if (rule is None or a.get("rule") == rule) and (severity is None or a.get("severity") == severity)
    ]
    if order == "severity":
        alerts.sort(key=lambda a: str(a.get("last_seen") or ""), reverse=True)
        alerts.sort(key=lambda a: a.get("severity") != "critical")
    return page(alerts, paging)


@router.get("/alerts/{alert_id}", summary="One alert")
def get_alert(alert_id: AlertId, context: Context, _key: Reader) -> dict[str, Any]:
    """An alert with its history."""
    return _alerts(context).get(alert_id)


class Acknowledgement(BaseModel):
    """Who looked at an alert is the key's name; the note says what is being done."""

    note: str = Field(default="", max_length=2000)


@router.post("/alerts/{alert_id}/acknowledge", summary="Acknowledge an alert")
def acknowledge_alert(alert_id: AlertId, body: Acknowledgement, context: Context, key: Operator) -> dict[str, Any]:
    """Mark an alert as seen and being handled."""
    alert = _alerts(context).acknowledge(alert_id, by=key.name, note=body.note)
    context.audit.record(actor=key.name, action="alerts.acknowledge", alert=alert_id, note=body.note)
    return alert


class BulkAcknowledgement(BaseModel):
    """Several alerts acknowledged at once, with one note."""

    ids: list[Annotated[int, Field(ge=1, le=2**62)]] = Field(min_length=1, max_length=1000)
    note: str = Field(default="", max_length=2000)


@router.post("/alerts/acknowledge", summary="Acknowledge several alerts with one note")
def acknowledge_alerts(body: BulkAcknowledgement, context: Context, key: Operator) -> dict[str, Any]:
    """Acknowledge each listed alert that is open; the answer says which were and which were not (and why)."""
    alerts = _alerts(context)
    done, skipped = [], []
    for alert_id in dict.fromkeys(body.ids):
        try:
            done.append(alerts.acknowledge(alert_id, by=key.name, note=body.note))
        except (KeyError, ValueError) as error:
            skipped.append({"id": alert_id, "reason": str(error)})
            continue
        context.audit.record(actor=key.name, action="alerts.acknowledge", alert=alert_id, note=body.note)
    return {"acknowledged": done, "skipped": skipped}


@router.post("/alerts/{alert_id}/resolve", summary="Resolve an alert by hand")
def resolve_alert(alert_id: AlertId, body: Acknowledgement, context: Context, key: Operator) -> dict[str, Any]:
    """Close an alert whose cause is dealt with (alerts also resolve by themselves when the data recover)."""
    alert = _alerts(context).resolve(alert_id, by=key.name, note=body.note)
    context.audit.record(actor=key.name, action="alerts.resolve", alert=alert_id, note=body.note)
    return alert
