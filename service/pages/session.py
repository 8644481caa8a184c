"""The page session: the API key in an HttpOnly SameSite cookie, and a form token against CSRF.

The form token is an HMAC of the session's key, so only a page that could read the (HttpOnly)
cookie's owner's pages can send it; with SameSite=Strict a cross-site form carries no cookie
at all. Both checks guard every state-changing form.
"""

import hashlib
import hmac
from typing import Final

from fastapi import Request, Response

from service.api.access import ROLE_CAPABILITIES
from service.api.context import Services
from store.keys import ApiKey

SESSION_COOKIE: Final[str] = "wqmon_session"
_FORM_LABEL: Final[bytes] = b"wqmon page form token v1"


def session_key(request: Request, context: Services) -> ApiKey | None:
    """The valid key of this browser's session, if any."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    return context.keys.verify(token)


def may(key: ApiKey, capability: str) -> bool:
    """Whether the key's role grants `capability` (the API's own role table)."""
    return capability in ROLE_CAPABILITIES.get(key.role, frozenset())


def start_session(request: Request, response: Response, token: str) -> None:
    """Keep `token` in the session cookie (Secure when served over https)."""
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )


def end_session(response: Response) -> None:
    """Forget the session cookie."""
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")


def form_token(request: Request) -> str:
    """The token the session's forms carry."""
    secret = (request.cookies.get(SESSION_COOKIE) or "").encode()
    return hmac.new(secret, _FORM_LABEL, hashlib.sha256).hexdigest()


def form_token_ok(request: Request, sent: str | None) -> bool:
    """Whether a submitted form carries this session's token."""
    return bool(sent) and hmac.compare_digest(form_token(request), sent or "")
