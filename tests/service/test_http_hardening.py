"""The HTTP edge: 4xx for what a client got wrong, the security headers, links that ignore Host."""

import re
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from tests.service.conftest import LiveApi


@contextmanager
def logged_in(live: LiveApi, role: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live.url, timeout=30) as client:
        response = client.post("/login", data={"api_key": live.keys[role], "next": "/alerts"}, follow_redirects=True)
        assert response.status_code == 200, response.text
        yield client


def form_token(client: httpx.Client) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', client.get("/alerts").text)
    assert match is not None
    return match.group(1)


def test_an_alert_id_beyond_64_bits_is_a_4xx_on_the_page_and_the_api(live: LiveApi) -> None:
    huge = 9223372036854775808  # 2**63: no SQLite integer holds it
    with logged_in(live, "operator") as page:
        answer = page.post(f"/alerts/{huge}/acknowledge", data={"csrf": form_token(page), "note": "x"})
    with live.client("operator") as client:
        api = client.post(f"/api/v1/alerts/{huge}/acknowledge", json={"note": "x"})
    assert 400 <= answer.status_code < 500, answer.text
    assert 400 <= api.status_code < 500 and api.headers["content-type"].startswith("application/problem+json")


def test_an_oversized_chunked_body_is_413(live: LiveApi) -> None:
    """No Content-Length to refuse up front: the limit (200,000 bytes here) is counted as the body arrives."""

    def chunks() -> Iterator[bytes]:
        yield b'{"readings": ['
        for _ in range(5_000):
            yield b'{"site": "wwtp-chengdong", "parameter": "COD", "time": "2025-06-01T00:00:00Z", "value": 1},'
        yield b"{}]}"

    with live.client("ingest") as client:
        response = client.post("/api/v1/readings", content=chunks(), headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "WQMON_MAX_UPLOAD_BYTES" in response.json()["detail"]


def test_pages_carry_the_security_headers(live: LiveApi) -> None:
    with httpx.Client(base_url=live.url) as client:
        page = client.get("/login")
        api = client.get("/healthz")
    policy = page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy and "default-src 'self'" in policy
    assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]  # scripts: self or this page's nonce
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["cache-control"] == "no-store"
    assert api.headers["x-content-type-options"] == "nosniff"


def test_inline_scripts_carry_the_nonce_of_their_page(live: LiveApi) -> None:
    with logged_in(live, "viewer") as client:
        page = client.get("/sites/wwtp-chengdong")
    nonce = re.search(r"'nonce-([^']+)'", page.headers["content-security-policy"])
    assert nonce is not None
    scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", page.text)
    assert all(f'nonce="{nonce.group(1)}"' in attributes for attributes in scripts)


def test_page_links_never_take_the_host_header(live: LiveApi) -> None:
    with httpx.Client(base_url=live.url) as client:
        page = client.get("/login", headers={"Host": "evil.example"})
    assert page.status_code == 200
    assert "evil.example" not in page.text
