"""`wqmon report`: the XLSX read back with openpyxl agrees with the compliance API; HTML and PDF are written."""

import datetime as dt
import io
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import pytest
import yaml
from typer.testing import CliRunner

from models.errors import ConfigError
from models.methods.ratings import CLASS_COLOURS
from service.cli import app
from service.report.content import report_from_views
from service.report.heading import ReportHeading, load_heading
from service.report.html import render_html
from service.report.xlsx import (
    INDICATORS_SHEET,
    PLANTS_SHEET,
    RATES_SHEET,
    RATINGS_SHEET,
    SEASONS_SHEET,
    SECTIONS_SHEET,
    SOURCES_SHEET,
)
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


def rows_by_name(sheet: Any) -> dict[str, list[Any]]:
    """The table's rows (from row 4 to the first blank row) keyed by the name in column A."""
    rows: dict[str, list[Any]] = {}
    for row in sheet.iter_rows(min_row=4, values_only=True):
        if row[0] is None:
            break
        rows[row[0]] = list(row)
    return rows


def header(sheet: Any) -> list[str]:
    return [cell.value for cell in sheet[3] if cell.value is not None]


@pytest.fixture(scope="module")
def report_base(demo_server: DemoServer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """FILE of `wqmon report --out FILE.xlsx` (FILE.xlsx and FILE.html written; heading from report.yaml)."""
    out = tmp_path_factory.mktemp("report") / "月报-2025-10"
    result = run_report(demo_server, out.with_suffix(".xlsx"))
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def workbook(report_base: Path) -> Any:
    return openpyxl.load_workbook(report_base.with_name(report_base.name + ".xlsx"))


def test_xlsx_rates_match_the_compliance_api(demo_server: DemoServer, workbook: Any) -> None:
    rates = api(demo_server, "compliance", period=MONTH)["rates"]
    sheet = rows_by_name(workbook[RATES_SHEET])
    assert set(sheet) == {rate["name"] for rate in rates.values()}
    for rate in rates.values():
        _, numerator, denominator, _, percent = sheet[rate["name"]][:5]
        assert (numerator, denominator, percent) == (rate["numerator"], rate["denominator"], rate["rate"])


def test_xlsx_indicators_match_the_scorecard_api(demo_server: DemoServer, workbook: Any) -> None:
    card = api(demo_server, "scorecard", period=MONTH)
    sheet = {row[0]: row for row in workbook[INDICATORS_SHEET].iter_rows(min_row=4, values_only=True) if row[0]}
    assert list(sheet) == [i["name"] for i in card["indicators"]]
    for row in card["indicators"]:
        assert (sheet[row["name"]][1], sheet[row["name"]][4], sheet[row["name"]][5]) == (
            row["value"],
            row["status"],
            row["points"],
        )


def test_xlsx_sections_sources_and_plants_match_the_evaluations_api(demo_server: DemoServer, workbook: Any) -> None:
    evaluations = api(demo_server, "evaluations", period=MONTH)
    surface = {s["name"]: s for s in evaluations["sites"]}
    sections = rows_by_name(workbook[SECTIONS_SHEET])
    columns = header(workbook[SECTIONS_SHEET])
    verdict, pollutants = columns.index("是否达标"), columns.index("主要污染物（超标倍数）")
    assert set(sections) == {s for s, e in surface.items() if e["kind"] == "section"}
    for name, row in sections.items():
        entry = surface[name]
        assert (row[3], row[4]) == (entry["target"], entry["class"])
        assert row[verdict] == {True: "达标", False: "不达标"}[entry["meets_target"]]
        for item in entry["items_over_target"][:3]:
            assert f"{item['name']}（{item['exceedance_multiple']} 倍）" in row[pollutants]
    failing = [s for s in sections.values() if s[verdict] == "不达标"]
    assert failing and all(s[pollutants] != "—" for s in failing)

    parts = {
        p["name"]: p for p in api(demo_server, "compliance", period=MONTH)["rates"]["drinking_water_sources"]["parts"]
    }
    sources = rows_by_name(workbook[SOURCES_SHEET])
    assert set(sources) == set(parts)
    for name, row in sources.items():
        assert (row[3], row[4]) == (parts[name]["volume_m3"], parts[name]["compliant_volume_m3"])
        assert row[2] == surface[name]["class"]

    plants = rows_by_name(workbook[PLANTS_SHEET])
    for plant in evaluations["plants"]:
        row = plants[plant["name"]]
        assert (row[3], row[4], row[5]) == (plant["valid_days"], plant["compliant_days"], plant["rate"])


def test_xlsx_has_charts(workbook: Any) -> None:
    assert len(workbook[RATES_SHEET]._charts) == 1
    assert len(workbook[SOURCES_SHEET]._charts) == 1


def test_html_report_is_self_contained_and_has_every_table(report_base: Path) -> None:
    html = report_base.with_name(report_base.name + ".html").read_text(encoding="utf-8")
    assert "<title>清溪县水环境质量月报（2025年10月）</title>" in html  # the county of report.yaml
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
    for name in (RATES_SHEET, SECTIONS_SHEET, SOURCES_SHEET, PLANTS_SHEET, RATINGS_SHEET):
        assert rows_by_name(downloaded[name]) == rows_by_name(workbook[name])
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


def test_the_heading_comes_from_report_yaml_and_no_placeholder_county_appears(
    demo_server: DemoServer, report_base: Path, workbook: Any
) -> None:
    html = report_base.with_name(report_base.name + ".html").read_text(encoding="utf-8")
    heading = yaml.safe_load((demo_server.config.folder / "report.yaml").read_text(encoding="utf-8"))["report"]
    assert f'<span id="issuing-unit">{heading["issuing_unit"]}</span>' in html
    today = dt.date.today()  # the date of issue is the day the report is made when report.yaml gives none
    assert f'<span id="date-of-issue">{today.year}年{today.month}月{today.day}日</span>' in html
    for label, name in (("编制", "prepared_by"), ("审核", "reviewed_by"), ("签发", "approved_by")):
        assert f"<span>{label}：{heading[name]}</span>" in html
    assert "XX县" not in html and 'id="heading-missing"' not in html
    for sheet in workbook.worksheets:
        texts = [str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None]
        assert not any("XX" in t for t in texts), sheet.title
    assert workbook[RATES_SHEET]["A1"].value == "清溪县水环境质量月报（2025年10月）"


def test_a_report_without_report_yaml_names_no_county_and_says_where_to_set_it(demo_server: DemoServer) -> None:
    evaluations, compliance = (
        api(demo_server, "evaluations", period=MONTH),
        api(demo_server, "compliance", period=MONTH),
    )
    report = report_from_views(demo_server.config, evaluations, compliance, api(demo_server, "scorecard", period=MONTH),
                               heading=ReportHeading(), issued_on=dt.date(2025, 11, 5))  # fmt: skip
    assert report.title == "水环境质量月报（2025年10月）"
    html = render_html(report, plotly_src="/static/plotly.min.js")
    assert 'id="heading-missing"' in html and "report.yaml" in html
    assert "编制单位、县名、编制、审核、签发" in html
    assert '<span id="date-of-issue">2025年11月5日</span>' in html


@pytest.mark.parametrize(
    ("content", "where"),
    [
        ("report:\n  county: 清溪县\n  signed_by: 周明\n", "report.signed_by"),
        ("report:\n  date_of_issue: next week\n", "report.date_of_issue"),
        ("report: [清溪县]\n", "'report' must be a mapping"),
    ],
)
def test_a_bad_report_yaml_is_refused_naming_file_and_field(tmp_path: Path, content: str, where: str) -> None:
    (tmp_path / "report.yaml").write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        load_heading(tmp_path)
    assert str(tmp_path / "report.yaml") in str(refused.value) and where in str(refused.value)


def test_the_basis_names_each_standard_and_method_with_its_number(report_base: Path) -> None:
    html = report_base.with_name(report_base.name + ".html").read_text(encoding="utf-8")
    basis = html.split('<table id="basis">')[1].split("</table>")[0]
    for number, title in (
        ("GB 3838-2002", "地表水环境质量标准"),
        ("GB 18918-2002", "城镇污水处理厂污染物排放标准"),
        ("环办〔2011〕22号", "地表水环境质量评价办法（试行）"),
        ("环办监测函〔2020〕82号", "地表水环境质量监测数据统计技术规定（试行）"),
        ("HJ/T 356-2007", "日均值有效性：每日有效小时值不少于 18 个"),
    ):
        assert f"<td>{number}</td><td>{title}</td>" in basis


def test_the_coverage_gives_the_values_each_result_rests_on(demo_server: DemoServer, report_base: Path) -> None:
    html = report_base.with_name(report_base.name + ".html").read_text(encoding="utf-8")
    coverage = html.split('<table id="coverage">')[1].split("</table>")[0]
    evaluations = api(demo_server, "evaluations", period=MONTH)
    for entry in evaluations["sites"]:
        judged = sum(1 for item in entry["items"] if item["evaluated"])
        assert f'data-site="{entry["site"]}"' in coverage
        assert f"<td>{entry['n_values']} 个数值（{judged} 个评价项目）</td><td>{entry['class']} 类</td>" in coverage
    for plant in evaluations["plants"]:
        assert f"{plant['days_with_data']} 天有数据，{plant['valid_days']} 个有效日" in coverage


def test_sites_without_data_are_listed_as_not_judged_with_the_reason(demo_server: DemoServer) -> None:
    """2024-10 is before the demo county's data: every site is in the coverage table, not judged, and why."""
    month = "2024-10"
    report = report_from_views(
        demo_server.config, api(demo_server, "evaluations", period=month), api(demo_server, "compliance", period=month),
        api(demo_server, "scorecard", period=month), heading=ReportHeading(), issued_on=dt.date(2024, 11, 5),
    )  # fmt: skip
    assert {row["site"] for row in report.coverage} == set(demo_server.config.sites)
    for row in report.coverage:
        assert (row["values"], row["result"], row["reason"]) == ("0", "未参评", "本时段无监测数据")


def test_rates_and_classes_are_compared_with_the_previous_month_and_last_year(
    demo_server: DemoServer, report_base: Path
) -> None:
    """2025-09 and 2024-10 (no data in the demo county: "—"); a higher rate and a class nearer I are better."""
    html = report_base.with_name(report_base.name + ".html").read_text(encoding="utf-8")
    assert '<th title="2025-09">上月</th><th title="2024-10">上年同期</th>' in html
    now, then = api(demo_server, "compliance", period=MONTH)["rates"], api(demo_server, "compliance", period="2025-09")
    arrows = 0
    for rate_id, rate in now.items():
        row = html.split(f'<tr data-rate="{rate_id}">')[1].split("</tr>")[0]
        before = then["rates"][rate_id]["rate"]
        previous = row.split('data-compare="previous">')[1].split("</td>")[0]
        assert row.split('data-compare="last_year">')[1].split("</td>")[0] == "—"
        if before is None or rate["rate"] is None:
            assert previous == "—"
            continue
        trend = "same" if rate["rate"] == before else "better" if rate["rate"] > before else "worse"
        arrow = {"better": "↑", "worse": "↓", "same": "＝"}[trend]
        assert previous.startswith(f'{before:.2f}<span class="trend {trend}"') and previous.endswith(f">{arrow}</span>")
        arrows += trend != "same"
    assert arrows >= 1
    classes = {s["site"]: s["class"] for s in api(demo_server, "evaluations", period="2025-09")["sites"]}
    row = html.split('<tr data-site="qx-chujing">')[1].split("</tr>")[0]  # IV this month
    previous = row.split('data-compare="previous">')[1].split("</td>")[0]
    assert f">{classes['qx-chujing']}</span>" in previous


def test_xlsx_is_print_ready(workbook: Any, demo_server: DemoServer) -> None:
    ids = set(demo_server.config.sites)
    for sheet in workbook.worksheets:
        assert (
            int(sheet.page_setup.paperSize) == int(sheet.PAPERSIZE_A4) and sheet.page_setup.orientation == "landscape"
        )
        assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToWidth == 1
        assert sheet.freeze_panes == "B4" and sheet.print_title_rows == "$3:$3"
        assert "&P" in sheet.oddFooter.center.text
        names = [row[0] for row in sheet.iter_rows(min_row=4, values_only=True) if row[0]]
        assert names and not ids & set(names), sheet.title  # rows are named, not internal ids
        for cell in sheet[3]:
            if cell.value:  # wide enough for the header (CJK counts twice)
                width = sum(2 if ord(ch) > 0x2E80 else 1 for ch in cell.value)
                assert sheet.column_dimensions[cell.column_letter].width >= min(48, width), cell.value
    assert "达标率（%）" in header(workbook[RATES_SHEET]) and "取水总量（m³）" in header(workbook[SOURCES_SHEET])
    assert "有效天数（天）" in header(workbook[PLANTS_SHEET]) and "上月达标率（%）" in header(workbook[PLANTS_SHEET])


def test_xlsx_ratings_sheet_matches_the_ratings_api_in_its_colours(demo_server: DemoServer, workbook: Any) -> None:
    ratings = api(demo_server, "ratings", period=MONTH)
    sheet = workbook[RATINGS_SHEET]
    rows = {(row[0].value, row[1].value): row for row in sheet.iter_rows(min_row=4)}
    level_zh = {"river": "河流", "basin": "流域", "county": "全县"}
    groups = [*ratings["rivers"], *ratings["basins"], ratings["county"]]
    assert len(rows) == len(groups)
    for group in groups:
        row = rows[(group["name"], level_zh[group["level"]])]
        assert (row[2].value, row[3].value) == (group["n_sections"], group["rating_zh"] or "—")
        assert (row[4].value, row[5].value, row[8].value) == (group["good_percent"], group["worse_than_v_percent"],
                                                              group["cwqi"])  # fmt: skip
        if group["colour"]:
            assert row[3].fill.fgColor.rgb.upper().endswith(group["colour"]["hex"].lstrip("#").upper())


def test_xlsx_class_cells_carry_the_class_colours(workbook: Any) -> None:
    sheet = workbook[SECTIONS_SHEET]
    coloured = 0
    for row in sheet.iter_rows(min_row=4, min_col=4, max_col=5):
        for cell in row:
            if cell.value in CLASS_COLOURS:
                assert cell.fill.fgColor.rgb.upper().endswith(CLASS_COLOURS[cell.value]["hex"].lstrip("#").upper())
                coloured += 1
    assert coloured >= 8  # target and class of each of the four sections


@pytest.mark.browser
def test_the_report_page_prints_to_pdf_while_the_service_runs(demo_server: DemoServer) -> None:
    chromium_or_skip()
    with httpx.Client(base_url=demo_server.url, timeout=180) as session:
        session.post("/login", data={"api_key": demo_server.keys["viewer"]})
        html = session.get("/report", params={"month": MONTH}).text
        answer = session.get("/report", params={"month": MONTH, "format": "pdf"})
        still = session.get("/healthz")
    assert '<button type="button" id="print-button">打印</button>' in html
    assert f'href="/report?month={MONTH}&amp;format=pdf"' in html
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
    assert (
        answer.content.startswith(b"%PDF")
        and answer.content.count(b"/Type /Page\n")
        + answer.content.count(b"/Type /Page\r")
        + answer.content.count(b"/Type /Page/")
        + answer.content.count(b"/Type /Page>")
        >= 2
    )
    assert "filename*=UTF-8''" in answer.headers["content-disposition"]
    assert still.status_code == 200


def test_the_annual_report_sets_the_seasons_side_by_side_as_the_api_gives_them(
    demo_server: DemoServer, tmp_path: Path
) -> None:
    """`wqmon report --year 2025`: titled 年报, compared with the year before (上年), and a table of the
    year and its 丰/平/枯水期 whose every class is the class of `/api/v1/seasons?year=2025`."""
    where = ["--store", demo_server.settings.store, "--config-dir", str(demo_server.config.folder),
             "--state", str(demo_server.settings.state_path)]  # fmt: skip
    result = CliRunner().invoke(app, ["report", "--year", "2025", "--out", str(tmp_path / "年报"), *where])
    assert result.exit_code == 0, result.output
    seasons = api(demo_server, "seasons", year="2025")
    sheet = rows_by_name(openpyxl.load_workbook(tmp_path / "年报.xlsx")[SEASONS_SHEET])
    assert header(openpyxl.load_workbook(tmp_path / "年报.xlsx")[SEASONS_SHEET])[2:6] == [
        "全年",
        "丰水期",
        "平水期",
        "枯水期",
    ]
    for site in seasons["sites"]:
        classes = [site["periods"][label]["class"] or "—" for label in ("2025", "2025-wet", "2025-normal", "2025-dry")]
        assert sheet[site["name"]][2:6] == classes
    html = (tmp_path / "年报.html").read_text(encoding="utf-8")
    assert "水环境质量年报（2025年）" in html and '<table id="seasons">' in html
    assert 'title="2024">上年</th>' in html and "上月" not in html
    with httpx.Client(base_url=demo_server.url, timeout=60) as session:
        session.post("/login", data={"api_key": demo_server.keys["viewer"]})
        page = session.get("/report", params={"year": "2025"})
    assert page.status_code == 200 and '<table id="seasons">' in page.text
    assert 'href="/report?year=2025&amp;format=xlsx"' in page.text


def test_the_report_asks_for_a_month_or_a_year_not_both(demo_server: DemoServer, tmp_path: Path) -> None:
    where = ["--store", demo_server.settings.store, "--config-dir", str(demo_server.config.folder)]
    both = CliRunner().invoke(app, ["report", "--month", MONTH, "--year", "2025", "--out", str(tmp_path / "r"), *where])
    neither = CliRunner().invoke(app, ["report", "--out", str(tmp_path / "r"), *where])
    assert both.exit_code == neither.exit_code == 2
    assert "--year YYYY" in both.output and "--month YYYY-MM" in neither.output
    assert not list(tmp_path.iterdir())


def test_the_report_page_s_inline_scripts_carry_the_nonce_of_its_policy(demo_server: DemoServer) -> None:
    """Served under a Content-Security-Policy, the report's charts and print button run only if each
    inline script carries the nonce the policy names."""
    with httpx.Client(base_url=demo_server.url, timeout=60) as session:
        session.post("/login", data={"api_key": demo_server.keys["viewer"]})
        page = session.get("/report", params={"month": MONTH})
    policy = page.headers["content-security-policy"]
    nonce = policy.split("'nonce-")[1].split("'")[0]
    inline = [tag for tag in page.text.split("<script")[1:] if not tag.lstrip().startswith("src=")]
    assert inline and all(tag.startswith(f' nonce="{nonce}">') for tag in inline)
