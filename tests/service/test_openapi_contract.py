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
