"""Uploads: measured before they are read, refused beyond the limits, imported off the event loop."""

import io
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import openpyxl
import pandas as pd
import pytest

from models.configuration import Configuration
from tests.service.conftest import LiveApi, live_service


def workbook(*cells: str) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["site", "parameter", "time", "value"])
    for cell in cells:
        sheet[cell] = 1
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_tiny_workbook_declaring_a_huge_sheet_is_refused_before_reading(live: LiveApi) -> None:
    content = workbook("XFD1048576")  # 16,384 columns × 1,048,576 rows in a few kilobytes
    assert len(content) < 10_000
    with live.client("operator") as client:
        response = client.post("/api/v1/readings/upload", files={"file": ("lab.xlsx", content)})
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "WQMON_MAX_UPLOAD_ROWS" in response.json()["detail"]
    assert "lab.xlsx" in response.json()["detail"]


def test_a_wide_workbook_is_refused_naming_the_column_limit(live: LiveApi) -> None:
    with live.client("operator") as client:
        response = client.post("/api/v1/readings/upload", files={"file": ("lab.xlsx", workbook("KZ2"))})
    assert response.status_code == 413
    assert "312 columns" in response.json()["detail"]  # KZ: 11 × 26 + 26
    assert "WQMON_MAX_UPLOAD_COLUMNS" in response.json()["detail"]


def test_a_csv_of_many_columns_is_refused(live: LiveApi) -> None:
    content = b"site,parameter,time,value" + b"," * 5000 + b"\n"
    with live.client("operator") as client:
        response = client.post("/api/v1/readings/upload", files={"file": ("wide.csv", content)})
    assert response.status_code == 413
    assert "5004 columns" in response.json()["detail"]


def test_the_cell_limit_counts_rows_times_columns(roomy: LiveApi) -> None:
    """150 columns pass the column limit (200) and 20,000 rows the row limit; 3 million cells do not."""
    line = b"," * 149 + b"\n"
    with roomy.client("operator") as client:
        response = client.post("/api/v1/readings/upload", files={"file": ("grid.csv", line * 20_000)})
    assert response.status_code == 413
    assert "WQMON_MAX_UPLOAD_CELLS" in response.json()["detail"]


@pytest.mark.parametrize("name", ["..", "x" * 300 + ".csv"])
def test_an_upload_with_a_name_that_names_no_file_is_422(live: LiveApi, name: str) -> None:
    with live.client("operator") as client:
        response = client.post("/api/v1/readings/upload", files={"file": (name, b"site,parameter,time,value\n")})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "plain name" in response.json()["detail"]


@pytest.fixture
def roomy(tmp_path: Path, demo_config: Configuration) -> Iterator[LiveApi]:
    """The demo service accepting uploads of 30 MB."""
    with live_service(tmp_path, demo_config, max_upload_bytes=30_000_000) as api:
        yield api


def test_healthz_answers_while_a_large_upload_is_imported(roomy: LiveApi) -> None:
    """The import runs in a worker thread: /healthz keeps answering through the second half of it
    (on the event loop it answered only once the import was over)."""
    times = pd.date_range("2000-01-01T00:00:00+08:00", periods=200_000, freq="h")
    frame = pd.DataFrame({"site": "qx-chujing", "parameter": "COD", "time": times.map(pd.Timestamp.isoformat)})
    frame["value"] = 12.5
    content = frame.to_csv(index=False).encode()
    outcome: dict[str, object] = {}

    def upload() -> None:
        with roomy.client("operator") as client:
            outcome["start"] = time.monotonic()
            outcome["response"] = client.post("/api/v1/readings/upload", files={"file": ("big.csv", content)})
            outcome["end"] = time.monotonic()

    worker = threading.Thread(target=upload)
    worker.start()
    answered: list[float] = []
    with httpx.Client(base_url=roomy.url, timeout=120) as client:
        while worker.is_alive():
            assert client.get("/healthz").status_code == 200
            answered.append(time.monotonic())
    worker.join()
    response = outcome["response"]
    assert isinstance(response, httpx.Response) and response.status_code == 200, response
    assert response.json()["accepted"] == 200_000
    start, end = float(outcome["start"]), float(outcome["end"])  # type: ignore[arg-type]
    middle = (start + end) / 2
    assert sum(middle <= t < end for t in answered) >= 3
