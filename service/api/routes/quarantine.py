"""Quarantined HJ 212 packets: what the listener could not accept, and why."""

from typing import Any

from fastapi import APIRouter

from service.api.access import Context, Reader
from service.api.pages import Page, PageOf, page
from service.api.problems import NotAvailable

router = APIRouter(tags=["quarantine"])


@router.get("/quarantine", response_model=Page[dict[str, Any]], summary="Quarantined packets")
def list_quarantine(context: Context, _key: Reader, paging: PageOf) -> dict[str, Any]:
    """Packets set aside (bad CRC, unknown MN, wrong password, undecodable), newest first."""
    if context.quarantine is None:
        raise NotAvailable("the HJ 212 quarantine is not part of this build")
    return page(context.quarantine.list(), paging)
