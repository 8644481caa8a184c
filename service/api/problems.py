"""RFC 9457 problem details: the one error shape of the API, and the one table mapping errors to it.

Domain errors stay free of HTTP (models/errors.py, store errors); this table alone gives each one
its status code. Every error response is `application/problem+json` with type, title, status,
detail and instance, plus `errors` (a list of {row?, field?, message}) when single rows were bad.
"""

from typing import Any, Final

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from ingest.lab.sheets import LabFileError
from ingest.table_size import TableTooLarge
from models.errors import ConfigError, ReadingsError, UnitError, UnknownParameterError, UnknownSiteError
from models.period.periods import PeriodError
from models.values import ValueParseError
from service.distributed import ClusterError
from store.alerts import AlertStateError, UnknownAlertError
from store.base import StoreError
from store.keys import UnknownKeyError

PROBLEM_MEDIA_TYPE: Final[str] = "application/problem+json"
PROBLEM_TYPE_BASE: Final[str] = "urn:wqmon:problem:"


class RowError(BaseModel):
    """What is wrong with one row, cell or field of the request; `message` says it all in one line."""

    row: int | None = Field(default=None, description="0-based row of a JSON batch, or a sheet's 1-based row")
    line: int | None = Field(default=None, description="line of an uploaded CSV (the header is line 1)")
    field: str | None = None
    file: str | None = None
    sheet: str | None = None
    column: str | None = Field(default=None, description="spreadsheet column letter and header")
    reason: str | None = None
    message: str
    message_zh: str | None = Field(default=None, description="the message in Chinese, where there is one")


class Problem(BaseModel):
    """RFC 9457 problem details, the body of every error response."""

    type: str = Field(description="URI naming the kind of problem, urn:wqmon:problem:<slug>")
    title: str
    status: int
    detail: str = Field(description="what went wrong and what to do about it")
    instance: str = Field(description="the path of the request")
    errors: list[RowError] | None = Field(default=None, description="per-row or per-field problems")


def _documented(description: str) -> dict[str, Any]:
    return {"description": description, "model": Problem, "content": {PROBLEM_MEDIA_TYPE: {}}}


# The error responses every /api/v1 operation may give, for the OpenAPI description.
PROBLEM_RESPONSES: Final[dict[int | str, dict[str, Any]]] = {
    400: _documented("a request the server cannot read (a malformed body or form)"),
    401: _documented("no valid API key"),
    403: _documented("the key's role does not allow this"),
    404: _documented("no such site, parameter, zone, standard, alert or key"),
    409: _documented("the alert is not in a state that allows this"),
    413: _documented("a body or upload beyond the service's limits (WQMON_MAX_UPLOAD_*); the detail names the limit"),
    422: _documented("invalid request; `errors` lists each bad row or field"),
    501: _documented("a part this build does not include"),
    503: _documented("the store or the evaluation cluster does not answer; try again"),
}


class ProblemError(Exception):
    """An error the API reports as it is: status, title and detail chosen where it is raised."""

    status: int = 400
    title: str = "Bad request"
    slug: str = "bad-request"

    def __init__(self, detail: str, *, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors


class NotAuthenticated(ProblemError):
    """No key, or a key that is unknown or revoked."""

    status, title, slug = 401, "API key required", "not-authenticated"


class Forbidden(ProblemError):
    """The key's role does not allow this."""

    status, title, slug = 403, "Not allowed for this key's role", "forbidden"


class NotFound(ProblemError):
    """The thing asked for does not exist."""

    status, title, slug = 404, "Not found", "not-found"


class PayloadTooLarge(ProblemError):
    """An upload or batch exceeds the configured limit."""

    status, title, slug = 413, "Upload too large", "payload-too-large"


class InvalidInput(ProblemError):
    """The request is understood but its content is wrong (bad rows, unknown names)."""

    status, title, slug = 422, "Invalid input", "invalid-input"


class NotAvailable(ProblemError):
    """A feature this build or deployment does not include."""

    status, title, slug = 501, "Not available", "not-available"


# (status, title, slug) for each error class; the first class in an error's MRO wins.
STATUS_CODES: Final[dict[type[Exception], tuple[int, str, str]]] = {
    UnknownSiteError: (404, "Unknown site", "unknown-site"),
    UnknownParameterError: (404, "Unknown parameter", "unknown-parameter"),
    UnknownKeyError: (404, "Unknown API key", "unknown-key"),
    ReadingsError: (422, "Invalid readings", "invalid-readings"),
    ValueParseError: (422, "Invalid value", "invalid-value"),
    UnitError: (422, "Invalid unit", "invalid-unit"),
    ConfigError: (422, "Invalid configuration", "invalid-configuration"),
    PeriodError: (422, "Invalid period", "invalid-period"),
    LabFileError: (422, "Unreadable file", "unreadable-file"),
    TableTooLarge: (413, "Table too large", "table-too-large"),
    UnknownAlertError: (404, "Unknown alert", "unknown-alert"),
    AlertStateError: (409, "Alert state conflict", "alert-state"),
    StoreError: (503, "Store unavailable", "store-unavailable"),
    ClusterError: (503, "Evaluation cluster unavailable", "cluster-unavailable"),
}


def problem_of(error: BaseException) -> tuple[int, str, str] | None:
    """(status, title, slug) for an error, or None when the table does not know it (a server error)."""
    if isinstance(error, ProblemError):
        return error.status, error.title, error.slug
    for klass in type(error).__mro__:
        if klass in STATUS_CODES:
            return STATUS_CODES[klass]
    return None


def problem_response(
    request: Request,
    *,
    status: int,
    title: str,
    slug: str,
    detail: str,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """A problem+json response."""
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + slug,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    if errors is not None:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


async def _domain_error(request: Request, error: Exception) -> JSONResponse:
    known = problem_of(error)
    if known is None:
        status, title, slug, detail = 500, "Server error", "server-error", "the server failed; see its log"
    else:
        status, title, slug = known
        detail = str(error)
    errors = error.errors if isinstance(error, ProblemError) else None
    headers = {"WWW-Authenticate": 'Bearer realm="wqmon"'} if status == 401 else None
    return problem_response(
        request, status=status, title=title, slug=slug, detail=detail, errors=errors, headers=headers
    )


async def _validation_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    errors = [
        {"field": ".".join(str(p) for p in e.get("loc", ())), "message": str(e.get("msg", ""))} for e in error.errors()
    ]
    first = errors[0] if errors else {"field": "request", "message": "invalid"}
    detail = f"{first['field']}: {first['message']}" + (f" (and {len(errors) - 1} more)" if len(errors) > 1 else "")
    return problem_response(
        request, status=422, title="Invalid request", slug="invalid-request", detail=detail, errors=errors
    )


async def _http_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    titles = {404: "Not found", 405: "Method not allowed"}
    title = titles.get(error.status_code, "HTTP error")
    detail = str(error.detail)
    if error.status_code == 404 and detail == "Not Found":
        detail = f"no endpoint at {request.url.path}; the API is described at /api/v1/openapi.json"
    slug = title.lower().replace(" ", "-")
    headers = dict(error.headers or {})  # e.g. Allow on a 405
    return problem_response(
        request, status=error.status_code, title=title, slug=slug, detail=detail, headers=headers or None
    )


def install_problem_handlers(app: FastAPI) -> None:
    """Make every error of `app` a problem+json response."""
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(ProblemError, _domain_error)
    for klass in STATUS_CODES:
        app.add_exception_handler(klass, _domain_error)
    app.add_exception_handler(Exception, _domain_error)  # anything else: a 500 in the same shape
