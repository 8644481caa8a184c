"""Page sessions live on the server: the cookie is a random id that expires, ends at logout and with its key."""

import datetime as dt
from pathlib import Path

import httpx

from service.pages.session import SESSION_COOKIE
from store.keys import KeyStore
from store.sessions import PageSessions
from store.state import StateDB
from tests.service.conftest import LiveApi


def log_in(live: LiveApi, client: httpx.Client, role: str = "viewer") -> httpx.Response:
    return client.post("/login", data={"api_key": live.keys[role], "next": "/overview"})


def test_the_cookie_is_a_session_id_not_the_key(live: LiveApi) -> None:
    with httpx.Client(base_url=live.url) as client:
        answer = log_in(live, client)
        assert answer.status_code == 303
        cookie = client.cookies[SESSION_COOKIE]
    assert cookie != live.keys["viewer"] and live.keys["viewer"] not in answer.headers["set-cookie"]
    assert "Max-Age=43200" in answer.headers["set-cookie"]  # 12 hours (WQMON_SESSION_HOURS)


def test_logout_ends_the_session_on_the_server(live: LiveApi) -> None:
    with httpx.Client(base_url=live.url) as client:
        log_in(live, client)
        cookie = client.cookies[SESSION_COOKIE]
        assert client.get("/overview").status_code == 200
        client.post("/logout")
    with httpx.Client(base_url=live.url, cookies={SESSION_COOKIE: cookie}) as replay:
        answer = replay.get("/overview")  # the copied cookie after logout
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")


def test_revoking_the_key_ends_its_sessions(live: LiveApi) -> None:
    with httpx.Client(base_url=live.url) as client:
        log_in(live, client, "operator")
        assert client.get("/overview").status_code == 200
        keys = KeyStore(live.state)
        (operator,) = [k for k in keys.list() if k.name == "test operator"]
        keys.revoke(operator.id)
        assert client.get("/overview").status_code == 303


def test_a_session_expires(tmp_path: Path) -> None:
    sessions = PageSessions(StateDB(tmp_path / "state.sqlite"))
    start = dt.datetime(2025, 6, 1, 8, tzinfo=dt.UTC)
    session_id = sessions.start(7, lifetime=dt.timedelta(hours=12), now=start)
    assert sessions.key_id(session_id, now=start + dt.timedelta(hours=11, minutes=59)) == 7
    assert sessions.key_id(session_id, now=start + dt.timedelta(hours=12)) is None
    assert sessions.key_id("made-up", now=start) is None


def test_a_login_posted_from_another_site_is_refused(live: LiveApi) -> None:
    """A page on another site must not log the visitor in as the attacker's viewer."""
    with httpx.Client(base_url=live.url, headers={"Origin": "https://evil.example"}) as client:
        answer = log_in(live, client)
        logout = client.post("/logout")
    assert answer.status_code == 403 and SESSION_COOKIE not in answer.headers.get("set-cookie", "")
    assert logout.status_code == 403


def test_failed_logins_are_limited_per_address(live: LiveApi) -> None:
    with httpx.Client(base_url=live.url) as client:
        tries = [client.post("/login", data={"api_key": f"wqm_guess-{n}"}).status_code for n in range(11)]
        then = log_in(live, client)  # even the right key waits until the window has passed
    assert tries == [401] * 10 + [429]
    assert then.status_code == 429
