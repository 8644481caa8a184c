"""schemathesis drives every operation of the OpenAPI description against a live server: no server errors.

Bounded (a few examples per operation) so it stays part of the ordinary test run.
"""

from collections.abc import Iterator

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from models.alerts.config import AlertConfig
from models.configuration import Configuration
from service.runtime import Service
from service.settings import Settings
from store.duckdb_store import DuckDBStore
from store.keys import KeyStore
from store.state import StateDB
from tests.service.conftest import serve_in_thread


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory, demo_config: Configuration) -> Iterator[tuple[str, str]]:
    """(URL, admin key) of the live service (every part but the listeners) that the fuzzer may write to."""
    folder = tmp_path_factory.mktemp("fuzz")
    state_path, store = folder / "state.sqlite", DuckDBStore(folder / "wqmon.duckdb")
    settings = Settings(config_dir=demo_config.folder, store=f"duckdb:///{store.path}", state_path=state_path)
    state = StateDB(state_path)
    token, _ = KeyStore(state).create(role="admin", name="schemathesis")
    service = Service(
        settings, config=demo_config, store=store, state=state, rules=AlertConfig.load(demo_config.folder)
    )
    url, server, thread = serve_in_thread(service.app)
    yield url, token
    server.should_exit = True
    thread.join()
    store.close()
    state.close()


@pytest.fixture(scope="module")
def api_schema(fuzzed: tuple[str, str]) -> schemathesis.BaseSchema:
    url, _ = fuzzed
    # Revoking keys would revoke the fuzzer's own; key revocation is specified in test_access.
    return schemathesis.openapi.from_url(f"{url}/api/v1/openapi.json").exclude(method="DELETE")


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_operation_answers_with_a_server_error(case: schemathesis.Case, fuzzed: tuple[str, str]) -> None:
    url, token = fuzzed
    case.call_and_validate(base_url=url, headers={"Authorization": f"Bearer {token}"}, checks=[not_a_server_error])


def test_the_description_is_served_without_a_key(fuzzed: tuple[str, str]) -> None:
    url, _ = fuzzed
    spec = httpx.get(f"{url}/api/v1/openapi.json").json()
    assert spec["info"]["title"] == "wqmon"
    assert "/api/v1/readings" in spec["paths"]
