"""Evaluations, rates and indicators over HTTP: the same JSON as the CLI, for the periods the CLI takes."""

from service.demo import demo_readings
from tests.service.conftest import LiveApi


def test_evaluations_compliance_and_indicators_of_the_demo_year(live: LiveApi) -> None:
    live.store.write(demo_readings())
    with live.client("scoring") as client:
        month = client.get("/api/v1/evaluations", params={"period": "2025-06", "site": "清溪出境断面"}).json()
        rates = client.get("/api/v1/compliance", params={"period": "2025-Q2"}).json()
        days = client.get("/api/v1/compliance", params={"period": "2025-06-01..2025-06-30"}).json()
        indicators = client.get("/api/v1/indicators", params={"period": "2025"}).json()
    assert month["period"] == "2025-06"
    assert rates != days
    rows = {i["id"]: i for i in indicators["indicators"]}
    assert {"water-environment", "sewage-treatment", "drinking-water-sources"} <= set(rows)
    assert [p["id"] for p in rows["water-environment"]["parts"]] == ["functional-zones", "outgoing-sections"]
    # plant outflow is the evidence of sewage treatment, not an indicator of its own
    plant = rows["sewage-treatment"]["evidence"][0]
    assert plant["rate_id"] == "plant_outflow"
    assert plant["denominator"] > 300 and plant["numerator"] < plant["denominator"]  # the demo plant fails some days


def test_a_period_the_cli_would_refuse_is_422(live: LiveApi) -> None:
    with live.client("scoring") as client:
        for period in ("2025-13", "0000", "2025-02-30..2025-03-01", "last year"):
            response = client.get("/api/v1/compliance", params={"period": period})
            assert response.status_code == 422, period
            assert response.headers["content-type"] == "application/problem+json"
