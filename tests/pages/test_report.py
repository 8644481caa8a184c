"""`wqmon report`: the XLSX read back with openpyxl agrees with the compliance API; HTML and PDF are written."""

import io
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import pytest
from typer.testing import CliRunner

from service.cli import app
from service.report.xlsx import INDICATORS_SHEET, PLANTS_SHEET, RATES_SHEET, SECTIONS_SHEET, SOURCES_SHEET
from tests.pages.conftest import DemoServer, chromium_or_skip

MONTH = "2025-10"


def run_report(server: DemoServer, out: Path, *extra: str) -> Any:
    return CliRunner().invoke(
        app,
        ["report", "--month", MONTH, "--out", str(out), "--store", server.settings.store,
         "--config-dir", str(server.config.folder), "--state", str(server.settings.state_path), *extra],
    )  # fmt: skip


def api(server: DemoServer, path: str, **params: str) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {server.keys['viewer']}"}
    with httpx.Client(base_url=server.url, headers=headers, timeout=60) as session:
        answer = session.get(f"/api/v1/{path}", params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


def rows_by_id(sheet: Any) -> dict[str, list[Any]]:
    """Data rows (from row 4) keyed by the id in column A."""
    return {row[0]: list(row) for row in sheet.iter_rows(min_row=4, values_only=True) if row[0] and row[2] is not None}


@pytest.fixture(scope="module")
def report_base(demo_server: DemoServer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """FILE of `wqmon report --out FILE.xlsx --area 清溪县` (FILE.xlsx and FILE.html written)."""
    out = tmp_path_factory.mktemp("report") / "月报-2025-10"
    result = run_report(demo_server, out.with_suffix(".xlsx"), "--area", "清溪县")
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def workbook(report_base: Path) -> Any:
    return openpyxl.load_workbook(report_base.with_name(report_base.name + ".xlsx"))


def test_xlsx_rates_match_the_compliance_api(demo_server: DemoServer, workbook: Any) -> None:
    rates = api(demo_server, "compliance", period=MONTH)["rates"]
    sheet = rows_by_id(workbook[RATES_SHEET])
    assert set(sheet) == set(rates)
    for rate_id, rate in rates.items():
        _, name, numerator, denominator, _, percent = sheet[rate_id]
        assert (name, numerator, denominator, percent) == (
            rate["name"],
            rate["numerator"],
            rate["denominator"],
            rate["rate"],
        )


def test_xlsx_indicators_match_the_scorecard_api(demo_server: DemoServer, workbook: Any) -> None:
    card = api(demo_server, "scorecard", period=MONTH)
    sheet = {row[0]: row for row in workbook[INDICATORS_SHEET].iter_rows(min_row=4, values_only=True) if row[0]}
    assert list(sheet) == [i["id"] for i in card["indicators"]]
    for row in card["indicators"]:
        assert (sheet[row["id"]][2], sheet[row["id"]][5], sheet[row["id"]][6]) == (
            row["value"],
            row["status"],
            row["points"],
        )


def test_xlsx_sections_sources_and_plants_match_the_evaluations_api(demo_server: DemoServer, workbook: Any) -> None:
    evaluations = api(demo_server, "evaluations", period=MONTH)
    surface = {s["site"]: s for s in evaluations["sites"]}
    sections = rows_by_id(workbook[SECTIONS_SHEET])
    assert set(sections) == {s for s, e in surface.items() if e["kind"] == "section"}
    for site_id, row in sections.items():
        entry = surface[site_id]
        assert (row[4], row[5]) == (entry["target"], entry["class"])
        assert row[6] == {True: "达标", False: "不达标"}[entry["meets_target"]]
        for item in entry["items_over_target"][:3]:
            assert f"{item['name']}（{item['exceedance_multiple']}）" in row[7]
    failing = [s for s in sections.values() if s[6] == "不达标"]
    assert failing and all(s[7] != "—" for s in failing)

    parts = {
        p["site"]: p for p in api(demo_server, "compliance", period=MONTH)["rates"]["drinking_water_sources"]["parts"]
    }
    sources = rows_by_id(workbook[SOURCES_SHEET])
    assert set(sources) == set(parts)
    for site_id, row in sources.items():
        assert (row[4], row[5]) == (parts[site_id]["volume_m3"], parts[site_id]["compliant_volume_m3"])
        assert row[3] == surface[site_id]["class"]

    plants = rows_by_id(workbook[PLANTS_SHEET])
    for plant in evaluations["plants"]:
        row = plants[plant["site"]]
        assert (row[4], row[5], row[6]) == (plant["valid_days"], plant["compliant_days"], plant["rate"])


def test_xlsx_has_charts(workbook: Any) -> None:
    assert len(workbook[RATES_SHEET]._charts) == 1
    assert len(workbook[SOURCES_SHEET]._charts) == 1


def test_html_report_is_self_contained_and_has_every_table(report_base: Path) -> None:
    html = report_base.with_name(report_base.name + ".html").read_text(encoding="utf-8")
    assert "<title>清溪县水环境质量月报（2025年10月）</title>" in html
    for table in ("rates", "indicators", "sections", "sources", "plants"):
        assert f'<table id="{table}">' in html
    assert "Plotly.newPlot" in html and 'src="http' not in html


def test_html_report_has_the_ratings_in_their_colours(demo_server: DemoServer, report_base: Path) -> None:
    """The ratings table (环办〔2011〕22号) carries the same groups, ratings and colours as /api/v1/ratings."""
    html = report_base.with_name(report_base.name + ".html").read_text(encoding="utf-8")
    assert '<table id="ratings">' in html
    with httpx.Client(base_url=demo_server.url, timeout=60) as session:
        bearer = {"Authorization": f"Bearer {demo_server.keys['viewer']}"}
        ratings = session.get("/api/v1/ratings", params={"period": MONTH}, headers=bearer).json()
    for group in [*ratings["rivers"], *ratings["basins"], ratings["county"]]:
        assert f'data-level="{group["level"]}" data-name="{group["name"]}"' in html
        if group["rating"]:
            assert f'style="background: {group["colour"]["hex"]}; color: #fff; padding: 0 4pt"' in html


def test_report_from_the_pages_has_the_same_numbers(demo_server: DemoServer, workbook: Any) -> None:
    with httpx.Client(base_url=demo_server.url, timeout=60) as session:
        session.post("/login", data={"api_key": demo_server.keys["viewer"]})
        answer = session.get("/report", params={"month": MONTH, "format": "xlsx"})
        html = session.get("/report", params={"month": MONTH}).text
    assert answer.status_code == 200
    downloaded = openpyxl.load_workbook(io.BytesIO(answer.content))
    for name in (RATES_SHEET, SECTIONS_SHEET, SOURCES_SHEET, PLANTS_SHEET):
        assert rows_by_id(downloaded[name]) == rows_by_id(workbook[name])
    assert '<script src="/static/plotly.min.js">' in html and '<table id="sections">' in html


@pytest.mark.parametrize("month", ["2025-13", "2025", "2025-Q3"])
def test_a_month_is_required(demo_server: DemoServer, tmp_path: Path, month: str) -> None:
    where = ["--store", demo_server.settings.store, "--config-dir", str(demo_server.config.folder)]
    result = CliRunner().invoke(app, ["report", "--month", month, "--out", str(tmp_path / "r"), *where])
    assert result.exit_code == 2
    assert "--month" in result.output and month in result.output
    assert not list(tmp_path.iterdir())


@pytest.mark.browser
def test_pdf_printed_by_headless_chromium(demo_server: DemoServer, tmp_path: Path) -> None:
    chromium_or_skip()
    result = run_report(demo_server, tmp_path / "report", "--pdf")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "report.pdf").read_bytes().startswith(b"%PDF")


def test_the_report_names_the_largest_points_at_stake(demo_server: DemoServer, report_base: Path) -> None:
    card = api(demo_server, "scorecard", period=MONTH)
    staked = [f for f in card["fixes"] if f["points_at_stake"] > 0][:3]
    html = report_base.with_name(report_base.name + ".html").read_text(encoding="utf-8")
    named = "；".join(f"{f['name']}（{f['points_at_stake']:g} 分）" for f in staked)
    assert staked and f"整改重点（按分值）：{named}。" in html
