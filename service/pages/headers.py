"""Security headers: what a browser may load, embed and keep of wqmon's answers.

Every answer says `nosniff`. Pages (text/html) also say: scripts only from this server or inline
with this answer's nonce, no framing by another site (clickjacking), nothing kept in caches
(pages show a user's data), and no referrer beyond this site.
"""

import secrets
from collections.abc import Callable
from typing import Final

from starlette.datastructures import MutableHeaders
from starlette.responses import HTMLResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PAGE_POLICY: Final[str] = (
    "default-src 'self'; script-src 'self'{nonce}; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def new_nonce() -> str:
    """A fresh nonce for the inline scripts of one page."""
    return secrets.token_urlsafe(16)


def content_security_policy(nonce: str | None = None) -> str:
    """The pages' Content-Security-Policy, allowing inline scripts carrying `nonce` when given."""
    return PAGE_POLICY.format(nonce=f" 'nonce-{nonce}'" if nonce else "")


def nonced_html(render: Callable[[str], str]) -> HTMLResponse:
    """An HTML answer whose inline scripts may run: `render` writes the page with a fresh nonce on
    each inline script, and the answer's policy names that nonce."""
    nonce = new_nonce()
    answer = HTMLResponse(render(nonce))
    answer.headers["Content-Security-Policy"] = content_security_policy(nonce)
    return answer


class SecurityHeaders:
    """ASGI middleware adding the headers above to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                if headers.get("content-type", "").startswith("text/html"):
                    headers.setdefault("Content-Security-Policy", content_security_policy())
                    headers.setdefault("X-Frame-Options", "DENY")
                    headers.setdefault("Cache-Control", "no-store")
                    headers.setdefault("Referrer-Policy", "same-origin")
            await send(message)

        await self.app(scope, receive, with_headers)
