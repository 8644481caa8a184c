"""The page session: a random session id in an HttpOnly SameSite cookie, and a form token against CSRF.

The session lives on the server (store/sessions.py): it expires, ends at logout and with its key.
The form token is an HMAC of the session id, so only a page that could read the (HttpOnly)
cookie's owner's pages can send it; with SameSite=Strict a cross-site form carries no cookie
at all. Both checks guard every state-changing form; /login and /logout also check the Origin
(a page of another site must not log a user in as someone else), and failed logins are limited
per address.
"""

import datetime as dt
import hashlib
import hmac
import urllib.parse
from typing import Final

from fastapi import Request, Response

from service.api.access import ROLE_CAPABILITIES
from service.api.context import Services
from store.keys import ApiKey, UnknownKeyError

SESSION_COOKIE: Final[str] = "wqmon_session"
_FORM_LABEL: Final[bytes] = b"wqmon page form token v1"


def session_key(request: Request, context: Services) -> ApiKey | None:
    """The active key of this browser's live session, if any."""
    session_id = request.cookies.get(SESSION_COOKIE)
    if not session_id:
        return None
    key_id = context.sessions.key_id(session_id)
    if key_id is None:
        return None
    try:
        key = context.keys.get(key_id)
    except UnknownKeyError:
        return None
    return key if key.is_active else None


def may(key: ApiKey, capability: str) -> bool:
    """Whether the key's role grants `capability` (the API's own role table)."""
    return capability in ROLE_CAPABILITIES.get(key.role, frozenset())


def start_session(request: Request, response: Response, key: ApiKey, context: Services) -> None:
    """Start a session of `key` and keep its id in the cookie (Secure when served over https)."""
    lifetime = dt.timedelta(hours=context.settings.session_hours)
    session_id = context.sessions.start(key.id, lifetime=lifetime)
    response.set_cookie(
        SESSION_COOKIE,
        session_id,
        max_age=int(lifetime.total_seconds()),
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )


def end_session(request: Request, response: Response, context: Services) -> None:
    """End the session on the server and forget its cookie."""
    session_id = request.cookies.get(SESSION_COOKIE)
    if session_id:
        context.sessions.end(session_id)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")


def same_origin(request: Request) -> bool:
    """Whether a form post comes from this site's own pages (its Origin, when the browser sends one)."""
    origin = request.headers.get("origin")
    if origin is None:
        return True  # not a browser's cross-site post: browsers send Origin with every form post
    return urllib.parse.urlsplit(origin).netloc == request.headers.get("host", "")


def form_token(request: Request) -> str:
    """The token the session's forms carry."""
    secret = (request.cookies.get(SESSION_COOKIE) or "").encode()
    return hmac.new(secret, _FORM_LABEL, hashlib.sha256).hexdigest()


def form_token_ok(request: Request, sent: str | None) -> bool:
    """Whether a submitted form carries this session's token."""
    return bool(sent) and hmac.compare_digest(form_token(request), sent or "")
