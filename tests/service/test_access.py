"""Who may do what: every endpoint refuses a request without a valid key, and each role gets only its rights."""

from typing import Any

import httpx
import pytest

from service.api.access import ROLE_CAPABILITIES
from store.keys import ROLES, KeyStore
from tests.service.conftest import LiveApi

READING = {"site": "wwtp-chengdong", "parameter": "COD", "time": "2025-06-01T00:00:00+08:00", "value": 21.5}
CSV = b"site,parameter,time,value\nwwtp-chengdong,NH3-N,2025-06-01T00:00:00Z,0.8\n"

# (method, path, request options, capability needed)
ENDPOINTS: list[tuple[str, str, dict[str, Any], str]] = [
    ("GET", "/api/v1/sites", {}, "catalogue"),
    ("GET", "/api/v1/sites/wwtp-chengdong", {}, "catalogue"),
    ("GET", "/api/v1/zones", {}, "catalogue"),
    ("GET", "/api/v1/zones/qx-town", {}, "catalogue"),
    ("GET", "/api/v1/parameters", {}, "catalogue"),
    ("GET", "/api/v1/parameters/COD", {}, "catalogue"),
    ("GET", "/api/v1/standards", {}, "catalogue"),
    ("GET", "/api/v1/standards/GB3838-2002", {}, "catalogue"),
    ("GET", "/api/v1/evaluations?period=2025-06", {}, "catalogue"),
    ("GET", "/api/v1/compliance?period=2025", {}, "catalogue"),
    ("GET", "/api/v1/indicators?period=2025", {}, "catalogue"),
    ("GET", "/api/v1/scorecard?period=2025", {}, "catalogue"),
    ("GET", "/api/v1/ratings?period=2025", {}, "catalogue"),
    ("GET", "/api/v1/seasons?year=2025", {}, "catalogue"),
    ("GET", "/api/v1/indicator-values?period=2025", {}, "catalogue"),
    ("GET", "/api/v1/ranking?period=2025", {}, "catalogue"),  # 501 here: this wqmon ranks no counties
    (
        "POST",
        "/api/v1/indicator-values",
        {"json": {"indicator": "green-coverage", "period": "2025", "value": 36, "evidence": "住建局 2025 年报"}},
        "operate",
    ),
    ("GET", "/api/v1/readings", {}, "read"),
    ("GET", "/api/v1/readings?format=csv", {}, "read"),
    ("GET", "/api/v1/series", {}, "read"),
    ("POST", "/api/v1/readings", {"json": {"readings": [READING]}}, "write_readings"),
    ("POST", "/api/v1/readings/upload", {"files": {"file": ("lab.csv", CSV, "text/csv")}}, "write_readings"),
    ("GET", "/api/v1/alerts", {}, "read"),
    ("GET", "/api/v1/alerts/1", {}, "read"),
    ("POST", "/api/v1/alerts/1/acknowledge", {"json": {"note": "查看中"}}, "operate"),
    ("POST", "/api/v1/alerts/1/resolve", {"json": {"note": "已处理"}}, "operate"),
    ("POST", "/api/v1/alerts/acknowledge", {"json": {"ids": [1], "note": "查看中"}}, "operate"),
    ("GET", "/api/v1/quarantine", {}, "read"),
    ("GET", "/api/v1/keys", {}, "admin"),
    ("POST", "/api/v1/keys", {"json": {"role": "viewer", "name": "评分系统"}}, "admin"),
    ("DELETE", "/api/v1/keys/999", {}, "admin"),
    ("GET", "/api/v1/audit", {}, "admin"),
    ("GET", "/metrics", {}, "read"),
]


def call(client: httpx.Client, method: str, path: str, options: dict[str, Any]) -> httpx.Response:
    return client.request(method, path, **options)


def test_every_route_of_the_app_is_in_the_matrix(live: LiveApi) -> None:
    with live.client() as client:
        spec = client.get("/api/v1/openapi.json")
    # the description itself is public like the docs; every operation in it is in ENDPOINTS
    assert spec.status_code == 200
    described = {(m.upper(), p) for p, ops in spec.json()["paths"].items() for m in ops}
    listed = {(m, p.split("?")[0]) for m, p, _, _ in ENDPOINTS}
    normalised = {
        (m, p.replace("{site_id}", "wwtp-chengdong").replace("{zone_id}", "qx-town").replace("{name}", "COD")
         .replace("{standard_id}", "GB3838-2002").replace("{alert_id}", "1").replace("{key_id}", "999"))
        for m, p in described
    }  # fmt: skip
    assert normalised == listed | {("GET", "/healthz")}


def test_no_key_is_refused_everywhere(live: LiveApi) -> None:
    with live.client() as client:
        allowed = [(m, p) for m, p, options, _ in ENDPOINTS if call(client, m, p, options).status_code != 401]
    assert allowed == []


def test_an_unknown_key_is_refused(live: LiveApi) -> None:
    for headers in ({"Authorization": "Bearer wqm_not-a-key"}, {"X-API-Key": "wqm_not-a-key"}):
        with httpx.Client(base_url=live.url, headers=headers) as client:
            assert client.get("/api/v1/sites").status_code == 401
            assert client.post("/api/v1/readings", json={"readings": []}).status_code == 401


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_exactly_its_rights(live: LiveApi, role: str) -> None:
    wrong = []
    with live.client(role) as client:
        for method, path, options, capability in ENDPOINTS:
            status = call(client, method, path, options).status_code
            # allowed: the endpoint's own answer (501 for parts absent from this build, 404 for no such id)
            expected_refusal = capability not in ROLE_CAPABILITIES[role]
            if expected_refusal != (status == 403) or status == 401:
                wrong.append((method, path, status))
    assert wrong == []


def test_the_scoring_key_reads_compliance_but_not_readings(live: LiveApi) -> None:
    assert ROLE_CAPABILITIES["scoring"] == frozenset({"catalogue"})
    with live.client("scoring") as client:
        assert client.get("/api/v1/sites").status_code == 200
        assert client.get("/api/v1/readings").status_code == 403


def test_healthz_needs_no_key(live: LiveApi) -> None:
    with live.client() as client:
        response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_the_key_may_come_as_x_api_key(live: LiveApi) -> None:
    with httpx.Client(base_url=live.url, headers={"X-API-Key": live.keys["viewer"]}) as client:
        assert client.get("/api/v1/sites").status_code == 200


def test_a_revoked_key_is_refused_at_once(live: LiveApi) -> None:
    keys = KeyStore(live.state)
    token, record = keys.create(role="viewer", name="temp")
    with httpx.Client(base_url=live.url, headers={"Authorization": f"Bearer {token}"}) as client:
        assert client.get("/api/v1/sites").status_code == 200
        with live.client("admin") as admin:
            assert admin.delete(f"/api/v1/keys/{record.id}").json()["revoked_at"] is not None
        assert client.get("/api/v1/sites").status_code == 401
