"""The pages router: login, overview, sites, a site, alerts, upload; plotly.js from the plotly package."""

import datetime as dt
import functools
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import plotly
from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi import Path as PathParameter
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from ingest.table_size import TableTooLarge
from models.errors import ConfigError, UnknownSiteError
from models.methods.ratings import CLASS_COLOURS
from models.period.periods import PeriodError, parse_period
from service.api.access import Context
from service.api.problems import InvalidInput, NotAvailable
from service.api.routes.ranking import counties_of
from service.api.routes.readings import _store as store_upload
from service.federation.pull import rank_counties
from service.pages import views
from service.pages.headers import content_security_policy, new_nonce, nonced_html
from service.pages.session import (
    end_session,
    form_token,
    form_token_ok,
    may,
    same_origin,
    session_key,
    start_session,
)
from service.pages.site_cache import SitePageCache
from service.pages.site_map import load_geojson, site_map
from service.pages.text import KINDS, LANG_COOKIE, STATUS_COLOURS, label, language, plain, status_text
from service.ports import AlertsPort
from service.readings_input import upload_name
from service.report.comparison import earlier_months
from service.report.content import report_from_views
from service.report.heading import load_heading
from service.report.html import render_html
from service.report.pdf import PdfError, report_pdf
from service.report.xlsx import xlsx_bytes
from store.keys import ApiKey

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
templates.env.filters["plain"] = plain
PLOTLY_URL = "/static/plotly.min.js"
REPORT_FORMATS = ("html", "xlsx", "pdf")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@functools.cache
def _plotly_js() -> bytes:
    return (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").read_bytes()


@router.get(PLOTLY_URL)
def plotly_js() -> Response:
    """plotly.js as shipped in the plotly Python package (no internet needed)."""
    return Response(_plotly_js(), media_type="text/javascript", headers={"Cache-Control": "public, max-age=86400"})


def _render(request: Request, template: str, key: ApiKey | None, status_code: int = 200, **data: Any) -> HTMLResponse:
    lang = language(request)
    nonce = new_nonce()
    other_language = request.url.include_query_params(lang="zh" if lang == "en" else "en")
    response = templates.TemplateResponse(
        request,
        template,
        {
            "lang": lang,
            "t": lambda k: label(k, lang),
            "kind_text": lambda k: label(k, lang) if k in KINDS else k,
            "status_text": lambda s: status_text(s, lang),
            "status_colour": lambda s: STATUS_COLOURS.get(s, "grey"),
            "status_names": list(STATUS_COLOURS),
            "class_colours": CLASS_COLOURS,
            "key": key,
            "csrf": form_token(request) if key else "",
            "plotly_url": PLOTLY_URL,
            "local_time": lambda text: views.local_time(text, request.app.state.services.settings.timezone),
            "path": request.url.path,
            # relative: a link never takes the Host header a request came with
            "other_language_url": f"{other_language.path}?{other_language.query}",
            "csp_nonce": nonce,
            **data,
        },
        status_code=status_code,
    )
    response.headers["Content-Security-Policy"] = content_security_policy(nonce)
    if request.query_params.get("lang") in ("zh", "en"):
        response.set_cookie(LANG_COOKIE, request.query_params["lang"], samesite="lax", max_age=365 * 86400)
    return response


def _site_pages(request: Request) -> SitePageCache:
    """The app's cache of site pages (made on first use, over the service's write Generation)."""
    state = request.app.state
    if getattr(state, "site_pages", None) is None:
        services = state.services
        state.site_pages = SitePageCache(services.generation, timezone=services.settings.timezone)
    return state.site_pages  # type: ignore[no-any-return]


def _login_redirect(request: Request) -> RedirectResponse:
    return RedirectResponse(f"/login?next={request.url.path}", status_code=303)


def _reader(request: Request, context: Context) -> ApiKey | None:
    key = session_key(request, context)
    return key if key is not None and may(key, "read") else None


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/overview") -> HTMLResponse:
    """The login form."""
    return _render(request, "login.html", None, next=next if next.startswith("/") else "/overview", error=None)


@router.post("/login", response_model=None)
def login(
    request: Request, context: Context, api_key: Annotated[str, Form()], next: Annotated[str, Form()] = "/overview"
) -> Response:
    """Check the key and start a session (its id, never the key, in the cookie)."""
    target = next if next.startswith("/") and not next.startswith("//") else "/overview"
    if not same_origin(request):
        return _render(request, "login.html", None, status_code=403, next=target, error="bad_form")
    address = request.client.host if request.client else "?"
    if context.login_throttle.blocked(address):
        return _render(request, "login.html", None, status_code=429, next=target, error="too_many")
    key = context.keys.verify(api_key.strip())
    if key is None or not may(key, "read"):
        context.login_throttle.failed(address)
        error = "bad_key" if key is None else "no_read"
        return _render(request, "login.html", None, status_code=401, next=target, error=error)
    response = RedirectResponse(target, status_code=303)
    start_session(request, response, key, context)
    context.audit.record(actor=key.name, action="pages.login")
    return response


@router.post("/logout", response_model=None)
def logout(request: Request, context: Context) -> Response:
    """End the session, on the server too."""
    if not same_origin(request):
        return _render(request, "error.html", None, status_code=403, message=label("bad_form", language(request)))
    response = RedirectResponse("/login", status_code=303)
    end_session(request, response, context)
    return response


@router.get("/", response_model=None)
def home() -> RedirectResponse:
    """The overview is the start page."""
    return RedirectResponse("/overview", status_code=303)


@router.get("/overview", response_model=None)
def overview(request: Request, context: Context, month: str | None = None) -> Response:
    """The indicator scorecards of the month and its year, with the sites that pull each indicator down."""
    key = _reader(request, context)
    if key is None:
        return _login_redirect(request)
    try:
        chosen = views.chosen_month(context, month)
    except PeriodError as error:
        return _render(request, "error.html", key, status_code=400, message=str(error))
    return _render(request, "overview.html", key, **views.overview(context, chosen))


@router.get("/sites", response_model=None)
def sites(request: Request, context: Context, month: str | None = None) -> Response:
    """Every site with its latest values, class against target and open alerts."""
    key = _reader(request, context)
    if key is None:
        return _login_redirect(request)
    try:
        chosen = views.chosen_month(context, month)
    except PeriodError as error:
        return _render(request, "error.html", key, status_code=400, message=str(error))
    return _render(request, "sites.html", key, month=chosen, rows=views.site_rows(context, chosen))


@router.get("/latest", response_model=None)
def latest(request: Request, context: Context) -> Response:
    """Each automatic station's latest hourly values with their classes."""
    key = _reader(request, context)
    if key is None:
        return _login_redirect(request)
    return _render(request, "latest.html", key, **views.latest_values(context, language(request)))


@router.get("/map", response_model=None)
def site_map_page(request: Request, context: Context, month: str | None = None) -> Response:
    """The sites at their locations, coloured by the month's class, over the county's outline and rivers."""
    key = _reader(request, context)
    if key is None:
        return _login_redirect(request)
    try:
        chosen = views.chosen_month(context, month)
        geojson = load_geojson(context.config.folder)
    except (PeriodError, ConfigError) as error:
        return _render(request, "error.html", key, status_code=400, message=str(error))
    evaluated = views.compliance_answer(context, "evaluations", period=chosen) if context.compliance else {}
    classes = {entry["site"]: entry["class"] for entry in evaluated.get("sites", [])}
    return _render(request, "map.html", key, month=chosen, map=site_map(context.config, classes, geojson))


@router.get("/sites/{site_id}", response_model=None)
def site(request: Request, context: Context, site_id: str, year: str | None = None) -> Response:
    """A site's year: class per month and a chart per parameter with limit lines and exceedances."""
    key = _reader(request, context)
    if key is None:
        return _login_redirect(request)
    try:
        found = context.config.site(site_id)
        chosen = year or views.latest_month(context)[:4]
        if not (len(chosen) == 4 and chosen.isdigit()):
            raise PeriodError(f"year {chosen!r} is not a year like 2025")
        lang = language(request)
        page = _site_pages(request).get((found.id, chosen, lang), lambda: views.site_page(context, found, chosen, lang))
    except UnknownSiteError as error:
        return _render(request, "error.html", key, status_code=404, message=str(error))
    except PeriodError as error:
        return _render(request, "error.html", key, status_code=400, message=str(error))
    charts = page["charts"]
    asked = [code for code in request.query_params.getlist("param") if code]
    known = {chart.code for chart in charts}
    chosen_codes = [c for c in asked if c in known] or views.default_charts(charts)
    shown = [chart for chart in charts if chart.code in chosen_codes]
    return _render(request, "site.html", key, **{**page, "shown": shown, "chosen_codes": chosen_codes})


@router.get("/ranking", response_model=None)
async def ranking(request: Request, context: Context, period: str | None = None) -> Response:
    """The city's ranking of its counties for a period (a city-level wqmon with counties.yaml)."""
    key = _reader(request, context)
    if key is None:
        return _login_redirect(request)
    try:
        label = parse_period(period or views.latest_month(context)[:4], timezone=context.settings.timezone).label
        counties = counties_of(context)
    except (PeriodError, ConfigError, NotAvailable) as error:
        return _render(request, "error.html", key, status_code=400, message=str(error))
    body = await rank_counties(counties, label, context.state, timeout_s=context.settings.federation_timeout_s)
    return _render(request, "ranking.html", key, body=body)


@router.get("/alerts", response_model=None)
def alerts(
    request: Request,
    context: Context,
    error: str | None = None,
    site: str | None = None,
    rule: str | None = None,
    severity: str | None = None,
    status: str | None = "active",
) -> Response:
    """Alerts, critical first then newest, repeats grouped, filtered; operators acknowledge one or many with a note."""
    key = _reader(request, context)
    if key is None:
        return _login_redirect(request)
    chosen = {"site": site or None, "rule": rule or None, "severity": severity or None, "status": status or None}
    _, recent = views.alert_lists(context)
    return _render(
        request,
        "alerts.html",
        key,
        **views.alert_page(context, **chosen),
        chosen=chosen,
        recent=recent,
        names=views.site_names(context.config),
        can_ack=may(key, "operate"),
        error=error,
    )


def _alert_operator(request: Request, context: Context, csrf: str) -> tuple[ApiKey, AlertsPort] | Response:
    """The operator posting an alert form and the alert engine, or the page refusing the post (not
    logged in, bad form token, not an operator, no alert engine)."""
    key = _reader(request, context)
    if key is None:
        return _login_redirect(request)
    if not form_token_ok(request, csrf):
        return _render(request, "error.html", key, status_code=403, message=label("bad_form", language(request)))
    if not may(key, "operate"):
        return _render(request, "error.html", key, status_code=403, message=label("operator_only", language(request)))
    if context.alerts is None:
        return _render(
            request, "error.html", key, status_code=501, message="the alert engine is not part of this build"
        )
    return key, context.alerts


@router.post("/alerts/acknowledge", response_model=None)
def acknowledge_many(
    request: Request,
    context: Context,
    ids: Annotated[list[int], Form()],
    csrf: Annotated[str, Form()] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Acknowledge the ticked alerts with one note (operator role, this session's form token)."""
    allowed = _alert_operator(request, context, csrf)
    if isinstance(allowed, Response):
        return allowed
    key, alerts = allowed
    for alert_id in ids:
        try:
            alerts.acknowledge(alert_id, by=key.name, note=note)  # type: ignore[arg-type]
        except (KeyError, ValueError):
            continue  # acknowledged or resolved meanwhile: nothing left to do for it
        context.audit.record(actor=key.name, action="alerts.acknowledge", alert=alert_id, note=note)
    return RedirectResponse("/alerts", status_code=303)


@router.post("/alerts/{alert_id}/acknowledge", response_model=None)
def acknowledge(
    request: Request,
    context: Context,
    alert_id: Annotated[int, PathParameter(ge=1, le=2**62)],
    csrf: Annotated[str, Form()] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Acknowledge an alert (operator role, this session's form token)."""
    allowed = _alert_operator(request, context, csrf)
    if isinstance(allowed, Response):
        return allowed
    key, alerts = allowed
    try:
        alerts.acknowledge(alert_id, by=key.name, note=note)  # type: ignore[arg-type]
    except (KeyError, ValueError) as error:
        return _render(request, "error.html", key, status_code=409, message=str(error))
    context.audit.record(actor=key.name, action="alerts.acknowledge", alert=alert_id, note=note)
    return RedirectResponse("/alerts", status_code=303)


@router.get("/upload", response_model=None)
def upload_page(request: Request, context: Context) -> Response:
    """The form for a lab spreadsheet."""
    key = _reader(request, context)
    if key is None:
        return _login_redirect(request)
    return _render(request, "upload.html", key, result=None, can_upload=may(key, "write_readings"))


@router.post("/upload", response_model=None)
async def upload(
    request: Request, context: Context, file: Annotated[UploadFile, File()], csrf: Annotated[str, Form()] = ""
) -> Response:
    """Import a lab spreadsheet; store the good rows and show each bad one with its place."""
    key = _reader(request, context)
    if key is None:
        return _login_redirect(request)
    lang = language(request)
    if not form_token_ok(request, csrf):
        return _render(request, "error.html", key, status_code=403, message=label("bad_form", lang))
    if not may(key, "write_readings"):
        return _render(request, "error.html", key, status_code=403, message=label("writer_only", lang))
    limit = context.settings.max_upload_bytes
    content = await file.read(limit + 1)
    status_code = 200
    name = file.filename or "upload.xlsx"

    def work() -> dict[str, Any]:
        readings, problems = context.importer(content, name)
        return store_upload(context, key, readings, problems, channel="upload", what=name)

    try:
        name = upload_name(file.filename or "upload.xlsx")
        if len(content) > limit:
            raise TableTooLarge(f"{name}: larger than the upload limit of {limit} bytes (WQMON_MAX_UPLOAD_BYTES)")
        result = await context.imports.run(work)
    except TableTooLarge as error:
        status_code = 413
        result = {"accepted": 0, "errors": [], "message": str(error)}
    except InvalidInput as error:
        status_code = 422
        result = {"accepted": 0, "errors": getattr(error, "errors", None) or [], "message": str(error)}
    except ValueError as error:
        status_code = 422
        result = {"accepted": 0, "errors": [], "message": str(error)}
    return _render(request, "upload.html", key, status_code=status_code, result=result, file_name=name, can_upload=True)


@router.get("/report", response_model=None)
def monthly_report(
    request: Request, context: Context, month: str | None = None, year: str | None = None, format: str = "html"
) -> Response:
    """The monthly report of `month` (or the annual report of `year`) as printable HTML, XLSX or PDF, from
    the same compliance answers as the API.

    The PDF is printed by headless Chromium from the same HTML while the service keeps running.
    """
    key = _reader(request, context)
    if key is None:
        return _login_redirect(request)
    if context.compliance is None:
        return _render(request, "error.html", key, status_code=501, message="compliance is not part of this build")
    try:
        chosen = views.chosen_month(context, year or month)
        if len(chosen) != (4 if year else 7) or format not in REPORT_FORMATS:
            raise PeriodError(
                f"{'year' if year else 'month'} {chosen!r} / format {format!r}: give a month YYYY-MM or a year YYYY "
                f"and format {', '.join(REPORT_FORMATS)}"
            )
        heading = load_heading(context.config.folder)
    except (PeriodError, ConfigError) as error:
        return _render(request, "error.html", key, status_code=400, message=str(error))
    earlier = {
        when: (
            views.compliance_answer(context, "evaluations", period=label),
            views.compliance_answer(context, "compliance", period=label),
        )
        for when, label in earlier_months(chosen).items()
    }
    report = report_from_views(
        context.config,
        views.compliance_answer(context, "evaluations", period=chosen),
        views.compliance_answer(context, "compliance", period=chosen),
        views.compliance_answer(context, "scorecard", period=chosen),
        heading=heading,
        issued_on=heading.issued_on(dt.datetime.now(ZoneInfo(context.settings.timezone)).date()),
        ratings=views.compliance_answer(context, "ratings", period=chosen),
        earlier=earlier,
        min_valid_hours=context.settings.min_valid_hours_per_day,
        seasons=views.compliance_answer(context, "seasons", period=chosen) if year else None,
    )
    if format == "xlsx":
        return _attachment(xlsx_bytes(report), f"{report.title}.xlsx", XLSX_TYPE)
    if format == "pdf":
        try:
            pdf = report_pdf(render_html(report))
        except PdfError as error:
            return _render(request, "error.html", key, status_code=503, message=str(error))
        return _attachment(pdf, f"{report.title}.pdf", "application/pdf")
    asked = f"{'year' if year else 'month'}={chosen}"
    links = [("下载 PDF", f"/report?{asked}&format=pdf"), ("下载 XLSX", f"/report?{asked}&format=xlsx")]
    return nonced_html(lambda nonce: render_html(report, plotly_src=PLOTLY_URL, links=links, csp_nonce=nonce))


def _attachment(content: bytes, file_name: str, media_type: str) -> Response:
    name = quote(file_name)
    return Response(
        content, media_type=media_type, headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}"}
    )
