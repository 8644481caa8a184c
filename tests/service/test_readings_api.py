"""Readings over HTTP: good rows of a batch or upload are stored, bad ones named; series raw, aggregated or CSV."""

import io

import openpyxl
import pandas as pd

from store.audit import AuditLog
from tests.service.conftest import LiveApi

PLANT = "wwtp-chengdong"


def hourly_cod(hours: int) -> list[dict[str, object]]:
    times = pd.date_range("2025-06-01T00:00:00+08:00", periods=hours, freq="h")
    return [
        {"site": PLANT, "parameter": "COD", "time": t.isoformat(), "value": 20 + i, "statistic": "hour_avg"}
        for i, t in enumerate(times)
    ]


def test_a_batch_stores_the_good_rows_and_names_the_bad(live: LiveApi) -> None:
    rows = [
        *hourly_cod(3),
        {"site": PLANT, "parameter": "氨氮", "time": "2025-06-01T00:00:00Z", "value": "0.025L"},
        {"site": "nowhere", "parameter": "COD", "time": "2025-06-01T00:00:00Z", "value": 1},
        {"site": PLANT, "parameter": "COD", "time": "2025-06-01T00:00:00", "value": 1},
        {"site": PLANT, "parameter": "TP", "time": "2025-06-01T00:00:00Z", "value": "n.d."},
    ]
    with live.client("ingest") as client:
        response = client.post("/api/v1/readings", json={"readings": rows})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["accepted"], body["rejected"]) == (4, 3)
    assert [(e["row"], e["field"]) for e in body["errors"]] == [(4, "site"), (5, "time"), (6, "value")]
    stored = live.store.read(sites=[PLANT])
    assert len(stored) == 4
    nh3 = stored[stored["parameter"] == "w21003"].iloc[0]
    assert nh3["value"] == 0.025 and bool(nh3["non_detect"])
    assert set(stored["source"]) == {"api:test ingest"}  # who wrote it


def test_a_time_in_the_future_is_a_bad_row(live: LiveApi) -> None:
    """The same clock check as HJ 212 packets and lab files (models/plausibility.py): a reading more
    than an hour after the receiving clock is a mistyped date, not a measurement."""
    rows = [
        {"site": PLANT, "parameter": "COD", "time": "2025-06-01T00:00:00+08:00", "value": 20},
        {"site": PLANT, "parameter": "COD", "time": "2062-06-01T00:00:00+08:00", "value": 21},
    ]
    with live.client("ingest") as client:
        body = client.post("/api/v1/readings", json={"readings": rows}).json()
    assert (body["accepted"], body["rejected"]) == (1, 1)
    assert [(e["row"], e["field"]) for e in body["errors"]] == [(1, "time")]
    assert "future" in body["errors"][0]["message"]


def test_each_write_is_logged_with_the_key_name(live: LiveApi) -> None:
    with live.client("operator") as client:
        client.post("/api/v1/readings", json={"readings": hourly_cod(2)})
    total, entries = AuditLog(live.state).entries()
    assert total == 1
    assert entries[0]["actor"] == "test operator"
    assert entries[0]["action"] == "readings.api"
    assert entries[0]["detail"]["accepted"] == 2


def test_readings_raw_paged_with_total(live: LiveApi) -> None:
    with live.client("admin") as client:
        client.post("/api/v1/readings", json={"readings": hourly_cod(30)})
    with live.client("viewer") as client:
        page = client.get("/api/v1/readings", params={"site": PLANT, "parameter": "w01018", "limit": 10, "offset": 25})
    body = page.json()
    assert (body["total"], body["limit"], body["offset"], len(body["items"])) == (30, 10, 25, 5)
    assert body["items"][0]["time"] == "2025-06-01T17:00:00Z"  # 25 h after local midnight
    assert body["items"][0]["value"] == 45.0


def test_readings_aggregated_per_local_day(live: LiveApi) -> None:
    with live.client("admin") as client:
        client.post("/api/v1/readings", json={"readings": hourly_cod(30)})
    with live.client("viewer") as client:
        body = client.get("/api/v1/readings", params={"site": "城东污水处理厂", "interval": "day"}).json()
    assert body["total"] == 2
    first, second = body["items"]
    assert first["period"] == "2025-05-31T16:00:00Z"  # local midnight of 1 June
    assert (first["count"], first["mean"], first["min"], first["max"]) == (24, 31.5, 20.0, 43.0)
    assert second["count"] == 6


def test_readings_as_csv_download(live: LiveApi) -> None:
    with live.client("admin") as client:
        client.post("/api/v1/readings", json={"readings": hourly_cod(5)})
    with live.client("viewer") as client:
        response = client.get("/api/v1/readings", params={"format": "csv", "limit": 1})
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    frame = pd.read_csv(io.BytesIO(response.content), encoding="utf-8-sig")
    assert len(frame) == 5  # the whole selection, not a page
    assert list(frame.columns) == ["site", "parameter", "time", "statistic", "value", "non_detect", "flag", "source"]


def test_csv_upload_reports_bad_lines_and_keeps_the_rest(live: LiveApi) -> None:
    content = (
        "site,parameter,time,value\n"
        "src-qingshan,汞,2025-06-10T10:00:00+08:00,0.00004L\n"
        "src-qingshan,Hg,2025-07-10T10:00:00+08:00,abc\n"
        "src-qingshan,unobtainium,2025-07-10T10:00:00+08:00,1\n"
        "src-qingshan,总磷,2025-07-10T10:00:00+08:00,0.02\n"
    ).encode()
    with live.client("operator") as client:
        response = client.post("/api/v1/readings/upload", files={"file": ("lab-2025-07.csv", content, "text/csv")})
    body = response.json()
    assert (body["accepted"], body["rejected"]) == (2, 2)
    assert [(e["line"], e["field"]) for e in body["errors"]] == [(3, "value"), (4, "parameter")]
    assert "'abc'" in body["errors"][0]["message"]
    assert set(live.store.read()["source"]) == {"lab"}


def test_xlsx_upload(live: LiveApi) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Site", "Parameter", "Time", "Value"])
    sheet.append(["qx-chujing", "DO", "2025-06-10T10:00:00+08:00", "6.8"])
    sheet.append(["qx-chujing", "CODMn", "2025-06-10T10:00:00+08:00", "4.1"])
    buffer = io.BytesIO()
    book.save(buffer)
    with live.client("operator") as client:
        response = client.post("/api/v1/readings/upload", files={"file": ("lab.xlsx", buffer.getvalue())})
    assert response.json() == {"accepted": 2, "rejected": 0, "replaced": 0, "errors": []}
    assert sorted(live.store.read()["parameter"]) == ["w01009", "w01019"]


def test_an_unreadable_upload_is_422_naming_the_file(live: LiveApi) -> None:
    with live.client("operator") as client:
        response = client.post("/api/v1/readings/upload", files={"file": ("lab.xlsx", b"not a workbook")})
        other = client.post("/api/v1/readings/upload", files={"file": ("lab.pdf", b"%PDF")})
    assert response.status_code == 422 and "lab.xlsx" in response.json()["detail"]
    assert other.status_code == 422 and other.json()["errors"][0]["file"] == "lab.pdf"


def test_series_and_metrics_count_what_came_in(live: LiveApi) -> None:
    with live.client("ingest") as client:
        client.post("/api/v1/readings", json={"readings": hourly_cod(4)})
    with live.client("viewer") as client:
        series = client.get("/api/v1/series").json()
        metrics = client.get("/metrics").text
    assert series["total"] == 1
    assert series["items"][0]["count"] == 4
    assert 'wqmon_readings_ingested_total{channel="api"} 4.0' in metrics


def test_a_naive_time_filter_is_refused(live: LiveApi) -> None:
    with live.client("viewer") as client:
        response = client.get("/api/v1/readings", params={"start": "2025-06-01T00:00:00"})
    assert response.status_code == 422
    assert "time zone" in response.json()["detail"]


def test_an_upload_in_a_lab_layout_goes_through_the_lab_importer(live: LiveApi) -> None:
    wide = (
        "站点,采样时间,汞,总磷,化学需氧量\n"
        "青山水库水源地,2025-06-10 10:00,0.00004L,0.02,abc\n"
        "桃溪水源地,2025-06-10 10:30,0.00005,0.03,12\n"
    ).encode()
    with live.client("operator") as client:
        body = client.post("/api/v1/readings/upload", files={"file": ("2025-06 水源地.csv", wide)}).json()
    assert (body["accepted"], body["rejected"]) == (5, 1)
    (problem,) = body["errors"]
    assert (problem["row"], problem["column"]) == (2, "E 化学需氧量")
    assert "'abc'" in problem["message"]
    assert (
        problem["message_zh"]
        == "文件 2025-06 水源地.csv，第 2 行，E 化学需氧量 列：'abc' 不是数值：应写成如 1.25、0.05L 或 <0.05"
    )
    stored = live.store.read()
    assert bool(stored[stored["parameter"] == "w20111"]["non_detect"].iloc[0])
