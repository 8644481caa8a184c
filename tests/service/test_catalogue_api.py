"""Sites, zones, parameters and standards as the API shows them."""

from tests.service.conftest import LiveApi


def test_sites_show_the_logger_mn_never_its_password(live: LiveApi) -> None:
    with live.client("scoring") as client:
        sites = client.get("/api/v1/sites").json()
        plant = client.get("/api/v1/sites/城东污水处理厂").json()
    assert sites["total"] == 7
    assert plant["id"] == "wwtp-chengdong" and plant["target"] == "1A"
    assert plant["logger_mn"] == "88888880000001"
    assert "123456" not in str(sites) and "password" not in str(plant)


def test_sites_filtered_by_kind_and_section_targets_from_zones(live: LiveApi) -> None:
    with live.client("viewer") as client:
        sections = client.get("/api/v1/sites", params={"kind": "section"}).json()["items"]
    assert {s["id"]: s["target"] for s in sections} == {
        "qx-rujing": "II",
        "qx-chengqu": "IV",
        "tx-huiru": "III",
        "qx-chujing": "III",
    }
    assert [s["id"] for s in sections if s["boundary"] == "outgoing"] == ["qx-chujing"]


def test_zones_parameters_standards(live: LiveApi) -> None:
    with live.client("viewer") as client:
        zones = client.get("/api/v1/zones").json()
        zone = client.get("/api/v1/zones/qs-reservoir").json()
        parameter = client.get("/api/v1/parameters/NH3-N").json()
        parameters = client.get("/api/v1/parameters", params={"limit": 5}).json()
        standards = client.get("/api/v1/standards").json()
        standard = client.get("/api/v1/standards/GB18918-2002").json()
        missing = client.get("/api/v1/standards/GB0000")
    assert zones["total"] == 5 and zone["water_body"] == "lake"
    assert parameter["code"] == "w21003" and parameter["unit"] == "mg/L"
    assert len(parameters["items"]) == 5 and parameters["total"] > 100
    assert {s["id"] for s in standards["items"]} == {"GB3838-2002", "GB18918-2002", "GB14848-2017"}
    assert standard["classes"] == ["1A", "1B", "2", "3"] and standard["limits"]
    assert missing.status_code == 404 and "GB3838-2002" in missing.json()["detail"]


def test_a_page_larger_than_allowed_is_refused(live: LiveApi) -> None:
    with live.client("viewer") as client:
        response = client.get("/api/v1/parameters", params={"limit": 501})
    assert response.status_code == 422 and "500" in response.json()["detail"]


def test_indicator_values_entered_by_an_operator_show_on_the_scorecard(live: LiveApi) -> None:
    entry = {"indicator": "green-coverage", "period": "2025", "value": 33.0, "evidence": "住建局 2025 年报"}
    with live.client("operator") as client:
        first = client.post("/api/v1/indicator-values", json=entry).json()
        card_before = client.get("/api/v1/scorecard", params={"period": "2025"}).json()
        client.post("/api/v1/indicator-values", json={**entry, "value": 36.5})
    with live.client("scoring") as client:
        listed = client.get("/api/v1/indicator-values", params={"period": "2025"}).json()
        card = client.get("/api/v1/scorecard", params={"period": "2025"}).json()
    assert first["entered_by"] == "test operator" and first["value"] == 33.0
    assert listed["values"]["green-coverage"]["value"] == 36.5  # the newest entry counts
    green = {i["id"]: i for i in card["indicators"]}["green-coverage"]
    assert green["value"] == 36.5  # not the cached 33.0 of card_before
    assert {i["id"]: i for i in card_before["indicators"]}["green-coverage"]["value"] == 33.0


def test_an_indicator_value_without_evidence_is_refused(live: LiveApi) -> None:
    with live.client("operator") as client:
        response = client.post("/api/v1/indicator-values", json={"indicator": "x", "period": "2025", "value": 1})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "body.evidence"


def test_a_qualitative_indicator_is_entered_as_a_status_with_evidence_and_date(live: LiveApi) -> None:
    entry = {"indicator": "monitoring-capacity", "period": "2025", "status": "不达标", "dated": "2025-11-30",
             "evidence": "监测站标准化建设验收意见"}  # fmt: skip
    with live.client("operator") as client:
        entered = client.post("/api/v1/indicator-values", json=entry).json()
        undated = client.post("/api/v1/indicator-values", json={**entry, "dated": None})
        both = client.post("/api/v1/indicator-values", json={**entry, "value": 1.0})
    with live.client("scoring") as client:
        listed = client.get("/api/v1/indicator-values", params={"period": "2025"}).json()
        card = client.get("/api/v1/scorecard", params={"period": "2025"}).json()
    assert (entered["status"], entered["dated"], entered["entered_by"]) == ("不达标", "2025-11-30", "test operator")
    assert undated.status_code == 422 and "dated" in undated.json()["detail"]
    assert both.status_code == 422 and "not both" in both.json()["detail"]
    assert listed["statuses"]["monitoring-capacity"]["status"] == "不达标"
    row = {i["id"]: i for i in card["indicators"]}["monitoring-capacity"]
    assert (row["status"], row["value"], row["entered"]["evidence"]) == ("不达标", None, "监测站标准化建设验收意见")
