"""Downloads a spreadsheet opens: text that reads as a formula is neutralised, numbers stay numbers."""

import csv
import datetime as dt
import io

import openpyxl
import pandas as pd

from service.report.content import Report
from service.report.heading import ReportHeading
from service.report.xlsx import xlsx_bytes
from tests.service.conftest import LiveApi

RISKY = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"]


def test_csv_download_neutralises_text_cells_and_keeps_numbers(live: LiveApi) -> None:
    """Sources come from keys, pull sources and files named by people: a text cell, never a formula."""
    frame = pd.DataFrame({"time": pd.date_range("2025-06-01", periods=len(RISKY), freq="h", tz="UTC")})
    frame["site"], frame["parameter"], frame["statistic"] = "wwtp-chengdong", "w01018", "hour_avg"
    frame["value"], frame["non_detect"], frame["flag"], frame["source"] = -0.5, False, "N", RISKY
    live.store.write(frame)
    with live.client("viewer") as client:
        response = client.get("/api/v1/readings", params={"format": "csv"})
    got = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
    assert sorted(row["source"] for row in got) == sorted("'" + text for text in RISKY)
    assert [row["value"] for row in got] == ["-0.5"] * len(RISKY)  # a negative number is not neutralised


def test_report_xlsx_writes_formula_like_text_as_text() -> None:
    report = Report(
        heading=ReportHeading(issuing_unit=RISKY[0], county=RISKY[1]), issued_on=dt.date(2025, 7, 1),
        month="2025-06", first_day="2025-06-01", last_day="2025-06-30",
        rates=[{"id": text, "name": text, "numerator": 1, "denominator": 2, "unit_zh": "个", "rate": -50.0}
               for text in RISKY],
        indicators=[], scorecard_summary="", sections=[], sources=[], plants=[], findings=RISKY,
    )  # fmt: skip
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(report)))
    sheet = book.worksheets[0]
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    texts = {cell.value for cell in cells if cell.data_type == "s"}
    assert {text.replace("\r", "\n") for text in RISKY} <= texts  # kept as written (XML has no CR), as strings
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]  # no formula anywhere
    assert any(cell.value == -50.0 and cell.data_type == "n" for cell in cells)  # a number stays a number
