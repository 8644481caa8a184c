"""The OpenAPI description says what the server does: period patterns, Allow on 405."""

import re

import httpx

from tests.service.conftest import LiveApi


def test_the_period_pattern_rejects_impossible_months_and_days(live: LiveApi) -> None:
    schema = httpx.get(f"{live.url}/api/v1/openapi.json").json()
    [pattern] = {p["schema"]["pattern"] for p in schema["paths"]["/api/v1/compliance"]["get"]["parameters"]
                 if p["name"] == "period"}  # fmt: skip
    assert re.match(pattern, "2025-03-01..2025-03-31") and re.match(pattern, "2025-Q2")
    assert not re.match(pattern, "2147-80-40..2147-80-41")
    with live.client("viewer") as client:
        answer = client.get("/api/v1/compliance", params={"period": "2147-80-40..2147-80-41"})
    assert answer.status_code == 422  # refused by the described pattern, not deeper in the server


def test_405_names_the_allowed_methods(live: LiveApi) -> None:
    with live.client("viewer") as client:
        answer = client.delete("/api/v1/readings")
    assert answer.status_code == 405
    assert answer.headers["content-type"].startswith("application/problem+json")
    allowed = set(answer.headers["allow"].replace(" ", "").split(","))
    assert allowed and allowed <= {"GET", "HEAD", "POST"}  # (Starlette names the first route of the path)


def test_every_operation_describes_the_problems_the_server_answers(live: LiveApi) -> None:
    """Besides 422, the server answers 400 (an unreadable body), 413 (beyond the upload limits) and 503
    (the store or the cluster away), each as application/problem+json: every API operation says so."""
    schema = httpx.get(f"{live.url}/api/v1/openapi.json").json()
    api = {path: operations for path, operations in schema["paths"].items() if path.startswith("/api/v1/")}
    assert len(api) > 10
    for path, operations in api.items():
        for method, operation in operations.items():
            for status in ("400", "413", "422", "503"):
                content = operation["responses"][status]["content"]
                assert "application/problem+json" in content, f"{method.upper()} {path} {status}"
