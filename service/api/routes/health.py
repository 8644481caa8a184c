"""`/healthz` (no key) and Prometheus `/metrics`."""

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST

from service.api.access import Context, Reader

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Liveness: the service answers and its state file is reachable")
def healthz(context: Context) -> dict[str, Any]:
    """Answer without a key, for load balancers and systemd."""
    context.state.execute("SELECT 1")
    return {"status": "ok"}


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
def metrics(context: Context, _key: Reader) -> Response:
    """Readings ingested, packets quarantined, alerts open (scrape with a viewer key as bearer token)."""
    return Response(context.metrics.exposition(), media_type=CONTENT_TYPE_LATEST)
