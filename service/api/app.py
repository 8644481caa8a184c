"""The FastAPI application: `create_app` wires the shared objects into the routers."""

from typing import Any

from fastapi import FastAPI, Request
from starlette.types import ASGIApp, Receive, Scope, Send

from models.configuration import Configuration
from service.api.context import Services
from service.api.problems import install_problem_handlers, problem_response
from service.api.routes import alerts as alert_routes
from service.api.routes import catalogue, health, keys, readings
from service.api.routes import compliance as compliance_routes
from service.api.routes import quarantine as quarantine_routes
from service.compliance_cache import CachedCompliance, Generation
from service.metrics import Metrics
from service.ports import AlertsPort, CompliancePort, Importer, QuarantinePort
from service.readings_input import table_importer
from service.settings import Settings
from store.audit import AuditLog
from store.base import Store
from store.indicator_values import IndicatorValues
from store.keys import KeyStore
from store.state import StateDB

API_PREFIX = "/api/v1"


def create_app(
    settings: Settings,
    *,
    config: Configuration,
    store: Store,
    state: StateDB,
    alerts: AlertsPort | None = None,
    compliance: CompliancePort | None = None,
    quarantine: QuarantinePort | None = None,
    importer: Importer | None = None,
    metrics: Metrics | None = None,
    generation: Generation | None = None,
) -> FastAPI:
    """The wqmon HTTP API over one store and one state database."""
    app = FastAPI(
        title="wqmon",
        version="0.1.0",
        summary="Water-quality compliance data service",
        description=(
            "Readings, evaluations, compliance rates, indicators and alerts of a county's monitoring sites. "
            "Every endpoint except /healthz needs an API key (Authorization: Bearer <key>). "
            "Errors are RFC 9457 application/problem+json."
        ),
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
    )
    metrics = metrics or Metrics()
    generation = generation or Generation()
    if compliance is not None:
        compliance = CachedCompliance(compliance, generation)
    context = Services(
        settings=settings,
        config=config,
        store=store,
        state=state,
        keys=KeyStore(state),
        audit=AuditLog(state),
        indicator_values=IndicatorValues(state),
        metrics=metrics,
        importer=importer or table_importer(config),
        alerts=alerts,
        compliance=compliance,
        quarantine=quarantine,
        generation=generation,
    )
    app.state.services = context
    if quarantine is not None:
        metrics.watch("wqmon_packets_in_quarantine", "HJ 212 packets now in quarantine.", quarantine.count)
    if alerts is not None:
        metrics.watch("wqmon_alerts_open", "Alerts open or acknowledged (not resolved).", lambda: _open_alerts(alerts))
    install_problem_handlers(app)
    app.add_middleware(BodyLimit, limit=settings.max_upload_bytes)
    app.include_router(health.router)
    for module in (catalogue, readings, compliance_routes, alert_routes, quarantine_routes, keys):
        app.include_router(module.router, prefix=API_PREFIX)
    return app


def _open_alerts(alerts: AlertsPort) -> float:
    return float(sum(1 for a in alerts.list() if a.get("status") != "resolved"))


class BodyLimit:
    """Refuse request bodies larger than the upload limit (413 problem+json) before reading them."""

    def __init__(self, app: ASGIApp, *, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.limit + 64_000:  # multipart overhead
            request = Request(scope)
            response = problem_response(
                request,
                status=413,
                title="Upload too large",
                slug="payload-too-large",
                detail=f"the request body has {int(length)} bytes; the limit is {self.limit} (WQMON_MAX_UPLOAD_BYTES)",
            )
            await response(scope, receive, send)
            return
        received = 0

        async def counting_receive() -> Any:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.limit + 64_000:
                raise _TooLarge()
            return message

        try:
            await self.app(scope, counting_receive, send)
        except _TooLarge:
            request = Request(scope)
            response = problem_response(
                request,
                status=413,
                title="Upload too large",
                slug="payload-too-large",
                detail=f"the request body exceeds the limit of {self.limit} bytes (WQMON_MAX_UPLOAD_BYTES)",
            )
            await response(scope, receive, send)


class _TooLarge(Exception):
    pass
