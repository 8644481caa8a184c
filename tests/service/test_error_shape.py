"""Every error is RFC 9457 problem+json of one shape, and one table gives domain errors their status."""

from pathlib import Path
from typing import Any

import httpx

from ingest.lab.sheets import LabFileError
from ingest.table_size import TableTooLarge
from models.configuration import Configuration
from models.errors import ConfigError, ReadingsError, UnitError, UnknownParameterError, UnknownSiteError
from models.period.periods import PeriodError
from models.values import ValueParseError
from service.api.app import create_app
from service.api.problems import PROBLEM_TYPE_BASE, STATUS_CODES, problem_of
from service.distributed import ClusterError
from service.settings import Settings
from store.alerts import AlertStateError, UnknownAlertError
from store.base import StoreError
from store.duckdb_store import DuckDBStore
from store.keys import KeyStore, UnknownKeyError
from store.state import StateDB
from tests.service.conftest import LiveApi, serve_in_thread

SHAPE = {"type", "title", "status", "detail", "instance"}


def assert_problem(response: httpx.Response, status: int, *, with_errors: bool = False) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert set(body) == SHAPE | ({"errors"} if with_errors else set())
    assert body["status"] == status
    assert body["type"].startswith(PROBLEM_TYPE_BASE)
    assert body["instance"] == response.request.url.path
    assert isinstance(body["detail"], str) and body["detail"]
    return body


def test_the_table_maps_each_domain_error_to_its_status() -> None:
    assert {klass: status for klass, (status, _, _) in STATUS_CODES.items()} == {
        UnknownSiteError: 404,
        UnknownParameterError: 404,
        UnknownKeyError: 404,
        ReadingsError: 422,
        ValueParseError: 422,
        UnitError: 422,
        ConfigError: 422,
        PeriodError: 422,
        LabFileError: 422,
        TableTooLarge: 413,
        UnknownAlertError: 404,
        AlertStateError: 409,
        StoreError: 503,
        ClusterError: 503,
    }
    assert problem_of(KeyError("not a domain error")) is None  # an unmapped error is a server error


def test_no_key_is_401_saying_how_to_send_one(live: LiveApi) -> None:
    with live.client() as client:
        body = assert_problem(client.get("/api/v1/sites"), 401)
    assert "Authorization: Bearer" in body["detail"]


def test_wrong_role_is_403_naming_the_roles_allowed(live: LiveApi) -> None:
    with live.client("ingest") as client:
        body = assert_problem(client.get("/api/v1/readings"), 403)
    assert "viewer" in body["detail"] and "'ingest'" in body["detail"]


def test_unknown_site_is_404_from_the_table(live: LiveApi) -> None:
    with live.client("viewer") as client:
        body = assert_problem(client.get("/api/v1/sites/nowhere"), 404)
    assert body["type"] == PROBLEM_TYPE_BASE + "unknown-site"
    assert "'nowhere'" in body["detail"]


def test_unknown_route_and_method(live: LiveApi) -> None:
    with live.client("viewer") as client:
        assert_problem(client.get("/api/v1/nothing-here"), 404)
        assert_problem(client.put("/api/v1/sites"), 405)


def test_invalid_query_is_422_with_the_field(live: LiveApi) -> None:
    with live.client("viewer") as client:
        body = assert_problem(client.get("/api/v1/readings", params={"interval": "week"}), 422, with_errors=True)
    assert body["errors"][0]["field"] == "query.interval"


def test_a_batch_of_only_bad_rows_is_422_with_errors_per_row(live: LiveApi) -> None:
    rows = [{"site": "nowhere", "parameter": "COD", "time": "2025-06-01T00:00:00Z", "value": 1}]
    with live.client("ingest") as client:
        body = assert_problem(client.post("/api/v1/readings", json={"readings": rows}), 422, with_errors=True)
    assert body["errors"] == [{"row": 0, "field": "site", "message": body["errors"][0]["message"]}]
    assert "'nowhere'" in body["errors"][0]["message"]


def test_too_large_upload_is_413(live: LiveApi) -> None:
    content = b"site,parameter,time,value\n" + b"wwtp-chengdong,COD,2025-06-01T00:00:00Z,1\n" * 20_000
    with live.client("operator") as client:
        response = client.post("/api/v1/readings/upload", files={"file": ("big.csv", content, "text/csv")})
    body = assert_problem(response, 413)
    assert "WQMON_MAX_UPLOAD_BYTES" in body["detail"]


def test_a_part_missing_from_an_app_is_501(tmp_path: Path, demo_config: Configuration) -> None:
    store, state = DuckDBStore(tmp_path / "wqmon.duckdb"), StateDB(tmp_path / "state.sqlite")
    token, _ = KeyStore(state).create(role="admin", name="admin")
    bare = create_app(Settings(state_path=tmp_path / "state.sqlite"), config=demo_config, store=store, state=state)
    url, server, thread = serve_in_thread(bare)
    try:
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}) as client:
            for path in ("/api/v1/indicators?period=2025", "/api/v1/alerts", "/api/v1/quarantine"):
                body = assert_problem(client.get(path), 501)
                assert "not part of this build" in body["detail"]
    finally:
        server.should_exit = True
        thread.join()
        store.close()
        state.close()


def test_an_alert_that_does_not_exist_is_404(live: LiveApi) -> None:
    with live.client("operator") as client:
        body = assert_problem(client.post("/api/v1/alerts/4242/acknowledge", json={"note": "x"}), 404)
    assert body["type"] == PROBLEM_TYPE_BASE + "unknown-alert"
