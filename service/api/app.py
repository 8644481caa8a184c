"""The FastAPI application: `create_app` wires the shared objects into the routers."""

from typing import Any

from fastapi import FastAPI, Request
from starlette.types import ASGIApp, Lifespan, Receive, Scope, Send

from models.configuration import Configuration
from service.api.context import Services
from service.api.problems import PROBLEM_MEDIA_TYPE, PROBLEM_RESPONSES, install_problem_handlers, problem_response
from service.api.routes import alerts as alert_routes
from service.api.routes import catalogue, docs, health, keys, readings
from service.api.routes import compliance as compliance_routes
from service.api.routes import quarantine as quarantine_routes
from service.api.routes import ranking as ranking_routes
from service.compliance_cache import CachedAnswers, CachedCompliance, Generation
from service.import_slots import ImportSlots
from service.login_throttle import LoginThrottle
from service.metrics import Metrics
from service.pages import routes as page_routes
from service.pages.headers import SecurityHeaders
from service.ports import AlertsPort, CompliancePort, Importer, QuarantinePort
from service.readings_input import table_importer
from service.settings import Settings
from store.audit import AuditLog
from store.base import Store
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
    lifespan: Lifespan[FastAPI] | None = None,
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
        docs_url=None,  # served by service/api/routes/docs.py from local files
        redoc_url=None,
        lifespan=lifespan,
    )
    metrics = metrics or Metrics()
    generation = generation or Generation()
    context = Services(
        settings=settings,
        config=config,
        store=store,
        state=state,
        keys=KeyStore(state),
        audit=AuditLog(state),
        metrics=metrics,
        importer=importer or table_importer(config),
        alerts=alerts,
        compliance=CachedCompliance(compliance, generation, timezone=settings.timezone)
        if compliance is not None
        else None,
        quarantine=quarantine,
        generation=generation,
        # keyed by the statistics asked for first (None: any), see routes/readings.py
        readings_answers=CachedAnswers(generation, statistics=lambda key: key[0], max_body_bytes=1 << 20),
        imports=ImportSlots(settings.max_concurrent_imports),
        login_throttle=LoginThrottle(
            failures=settings.login_failures_allowed, window_s=settings.login_failure_window_s
        ),
    )
    app.state.services = context
    if quarantine is not None:
        metrics.watch("wqmon_packets_quarantined", "HJ 212 packets in the quarantine log.", quarantine.count)
    if alerts is not None:
        metrics.watch("wqmon_alerts_open", "Alerts open or acknowledged (not yet resolved).", alerts.active)
    install_problem_handlers(app)
    app.add_middleware(BodyLimit, limit=settings.max_upload_bytes)
    app.add_middleware(SecurityHeaders)
    app.include_router(page_routes.router)  # the pages for people (service/pages), outside the API's schema
    app.include_router(health.router)
    app.include_router(docs.router)
    for module in (catalogue, readings, compliance_routes, alert_routes, quarantine_routes, keys, ranking_routes):
        app.include_router(module.router, prefix=API_PREFIX, responses=PROBLEM_RESPONSES)
    _describe_problems_as_problem_json(app)
    return app


def _describe_problems_as_problem_json(app: FastAPI) -> None:
    """In the OpenAPI description, error bodies are application/problem+json (FastAPI says application/json)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            for operations in schema.get("paths", {}).values():
                for operation in operations.values():
                    for code, response in operation.get("responses", {}).items():
                        content = response.get("content", {})
                        if code[0] in "45" and PROBLEM_MEDIA_TYPE in content and "application/json" in content:
                            content[PROBLEM_MEDIA_TYPE] = content.pop("application/json")
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


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
        overflowed = started = False

        async def counting_receive() -> Any:
            nonlocal received, overflowed
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.limit + 64_000:
                overflowed = True
                raise _TooLarge()
            return message

        async def guarded_send(message: Any) -> None:
            nonlocal started
            if overflowed and not started:
                return  # the app's answer to a body cut short (a parse error, 400): the 413 below replaces it
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except _TooLarge:
            pass
        if overflowed and not started:
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
