"""/api/v1/docs: Swagger UI from files served by the service (no CDN: a bureau's intranet reaches none).

The Swagger UI assets come from the fastapi-offline package (Swagger UI 5, which reads the
OpenAPI 3.1 description FastAPI writes); only its static files are used.
"""

import functools
from pathlib import Path
from typing import Final

import fastapi_offline
from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response

from service.api.problems import NotFound
from service.pages.headers import nonced_html

DOCS_PATH: Final[str] = "/api/v1/docs"
ASSETS: Final[dict[str, str]] = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "favicon.png": "image/png",
}
_FOLDER: Final[Path] = Path(fastapi_offline.__file__).parent / "static"

router = APIRouter(include_in_schema=False)


@functools.cache
def _asset(name: str) -> bytes:
    return (_FOLDER / name).read_bytes()


@router.get(DOCS_PATH, response_class=HTMLResponse)
def docs(request: Request) -> HTMLResponse:
    """Swagger UI over /api/v1/openapi.json, its script and style from /api/v1/docs/assets/; the page's
    one inline script (Swagger UI's start) carries the nonce of the page's Content-Security-Policy."""
    page = get_swagger_ui_html(
        openapi_url=request.app.openapi_url,
        title="wqmon API",
        swagger_js_url=f"{DOCS_PATH}/assets/swagger-ui-bundle.js",
        swagger_css_url=f"{DOCS_PATH}/assets/swagger-ui.css",
        swagger_favicon_url=f"{DOCS_PATH}/assets/favicon.png",
    )
    html = bytes(page.body).decode("utf-8")
    return nonced_html(lambda nonce: html.replace("<script>", f'<script nonce="{nonce}">'))


@router.get(DOCS_PATH + "/assets/{name}")
def asset(name: str) -> Response:
    """A Swagger UI file, cached by browsers for a day."""
    if name not in ASSETS:
        raise NotFound(f"no docs asset {name!r}; there are {', '.join(ASSETS)}")
    return Response(_asset(name), media_type=ASSETS[name], headers={"Cache-Control": "public, max-age=86400"})
