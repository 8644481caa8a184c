"""What a writer can and cannot do to stored readings: the server names the source, bad rows go one by one."""

import math

import pandas as pd

from store.audit import AuditLog
from tests.service.conftest import LiveApi

PLANT = "wwtp-chengdong"
SECTION = "qx-chujing"


def cod(time: str, value: object, **extra: object) -> dict[str, object]:
    return {"site": PLANT, "parameter": "COD", "time": time, "value": value, "statistic": "hour_avg", **extra}


def test_the_source_is_the_key_not_what_the_client_says(live: LiveApi) -> None:
    rows = [cod("2025-06-01T00:00:00+08:00", 20), cod("2025-06-01T01:00:00+08:00", 21, source="hj212:POSE-AS-LOGGER")]
    with live.client("ingest") as client:
        body = client.post("/api/v1/readings", json={"readings": rows}).json()
    assert (body["accepted"], body["rejected"]) == (1, 1)
    assert body["errors"][0]["row"] == 1 and body["errors"][0]["field"] == "source"
    assert "api:test ingest" in body["errors"][0]["message"]
    assert set(live.store.read()["source"]) == {"api:test ingest"}


def test_a_writer_never_replaces_a_lab_sample(live: LiveApi) -> None:
    lab = b"site,parameter,time,value\nqx-chujing,COD,2025-06-10T10:00:00+08:00,15.10\n"
    with live.client("operator") as client:
        assert client.post("/api/v1/readings/upload", files={"file": ("lab.csv", lab)}).json()["accepted"] == 1
    sent = {"site": SECTION, "parameter": "COD", "time": "2025-06-10T10:00:00+08:00", "value": 1.0}
    with live.client("ingest") as client:
        assert client.post("/api/v1/readings", json={"readings": [sent]}).json()["accepted"] == 1
    stored = live.store.read(sites=[SECTION]).set_index("source")["value"]
    assert stored.to_dict() == {"api:test ingest": 1.0, "lab": 15.10}  # both kept, each under its own source


def test_each_write_is_audited_with_key_source_count_and_span(live: LiveApi) -> None:
    rows = [cod("2025-06-01T00:00:00+08:00", 20), cod("2025-06-01T05:00:00+08:00", 21), cod("bad", 1)]
    with live.client("ingest") as client:
        client.post("/api/v1/readings", json={"readings": rows})
    _, entries = AuditLog(live.state).entries()
    detail = entries[0]["detail"]
    assert entries[0]["actor"] == "test ingest"
    assert detail["source"] == "api:test ingest"
    assert (detail["accepted"], detail["rejected"]) == (2, 1)
    assert (detail["first"], detail["last"]) == ("2025-05-31T16:00:00+00:00", "2025-05-31T21:00:00+00:00")


def test_out_of_range_years_are_bad_rows_and_the_rest_is_stored(live: LiveApi) -> None:
    rows = [
        cod("0001-01-01T00:00:00+08:00", 1),
        cod("1677-01-01T00:00:00+08:00", 2),
        cod("9999-01-01T00:00:00+08:00", 3),
        cod("2025-06-01T00:00:00+08:00", 20),
    ]
    with live.client("ingest") as client:
        response = client.post("/api/v1/readings", json={"readings": rows})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["accepted"], body["rejected"]) == (1, 3)
    assert [(e["row"], e["field"]) for e in body["errors"]] == [(0, "time"), (1, "time"), (2, "time")]
    assert "1900" in body["errors"][0]["message"]
    assert len(live.store.read()) == 1


def test_an_out_of_range_year_in_an_upload_rejects_only_its_line(live: LiveApi) -> None:
    content = (
        b"site,parameter,time,value\n"
        b"qx-chujing,COD,0001-06-10T10:00:00+08:00,15\n"
        b"qx-chujing,COD,2025-06-10T10:00:00+08:00,16\n"
    )
    with live.client("operator") as client:
        body = client.post("/api/v1/readings/upload", files={"file": ("lab.csv", content)}).json()
    assert (body["accepted"], body["rejected"]) == (1, 1)
    assert body["errors"][0]["line"] == 2


def test_values_beyond_the_plausible_range_are_bad_rows(live: LiveApi) -> None:
    """config/parameters.yaml gives COD a plausible range of 0 to 5000 mg/L (models/plausibility.py)."""
    rows = [cod("2025-06-01T00:00:00+08:00", 1e308), cod("2025-06-01T01:00:00+08:00", 1e308)]
    rows.append(cod("2025-06-01T02:00:00+08:00", 4999))
    with live.client("ingest") as client:
        body = client.post("/api/v1/readings", json={"readings": rows}).json()
    assert (body["accepted"], body["rejected"]) == (1, 2)
    assert [(e["row"], e["field"]) for e in body["errors"]] == [(0, "value"), (1, "value")]
    assert "5000" in body["errors"][0]["message"]


def test_answers_never_hold_a_non_finite_number(live: LiveApi) -> None:
    """Two huge stored values overflow a daily mean: the answer says null, never `Infinity`."""
    frame = pd.DataFrame({"time": pd.to_datetime(["2025-06-01T00:00:00Z", "2025-06-01T01:00:00Z"]), "value": 1e308})
    frame["site"], frame["parameter"] = PLANT, "w01018"
    frame["statistic"], frame["non_detect"], frame["flag"], frame["source"] = "hour_avg", False, "N", "test"
    live.store.write(frame)  # as an older version may have stored them
    with live.client("viewer") as client:
        response = client.get("/api/v1/readings", params={"site": PLANT, "interval": "day"})
    assert response.status_code == 200
    assert "Infinity" not in response.text and "NaN" not in response.text
    item = response.json()["items"][0]
    assert item["mean"] is None or math.isfinite(item["mean"])


def test_duplicates_in_one_batch_are_reported_and_replacements_counted(live: LiveApi) -> None:
    same = "2025-06-01T00:00:00+08:00"
    with live.client("ingest") as client:
        first = client.post("/api/v1/readings", json={"readings": [cod(same, 1), cod(same, 2), cod(same, 3)]}).json()
        again = client.post("/api/v1/readings", json={"readings": [cod(same, 4)]}).json()
    assert (first["accepted"], first["rejected"]) == (1, 2)  # what was stored, and the two repeats
    assert [e["row"] for e in first["errors"]] == [0, 1]
    assert "row 2" in first["errors"][0]["message"]
    assert (again["accepted"], again["replaced"]) == (1, 1)
    assert live.store.read()["value"].tolist() == [4.0]


def test_true_is_not_a_number(live: LiveApi) -> None:
    rows = [cod("2025-06-01T00:00:00+08:00", True), cod("2025-06-01T01:00:00+08:00", 1)]
    with live.client("ingest") as client:
        body = client.post("/api/v1/readings", json={"readings": rows}).json()
    assert (body["accepted"], body["rejected"]) == (1, 1)
    assert (body["errors"][0]["row"], body["errors"][0]["field"]) == (0, "value")
    assert live.store.read()["value"].tolist() == [1.0]


def test_unknown_fields_are_an_error(live: LiveApi) -> None:
    with live.client("ingest") as client:
        response = client.post("/api/v1/readings", json={"readings": [cod("2025-06-01T00:00:00+08:00", 1, unit="g/L")]})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "unit" in response.text
    assert live.store.read().empty
