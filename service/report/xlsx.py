"""The report as an XLSX workbook (openpyxl): one sheet per table, native bar charts, ready to print.

Each sheet: title on row 1, subtitle on row 2, the header on row 3 (frozen, repeated on every printed
page), data from row 4. Rows are named as a reader knows them (site and rate names, not internal
ids); units sit in the headers; A4 landscape fitted to the page width, with page numbers.
"""

import io
from pathlib import Path
from typing import Any, Final

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from models.methods.ratings import CLASS_COLOURS
from models.methods.seasons import SEASON_ZH
from service.cell_text import neutralise_workbook
from service.report.comparison import EARLIER, TREND_ZH
from service.report.content import Report

RATES_SHEET = "达标率"
INDICATORS_SHEET = "考核指标"
SECTIONS_SHEET = "河流断面"
RATINGS_SHEET = "河流与流域"
SEASONS_SHEET = "水期对照"
SOURCES_SHEET = "饮用水源地"
PLANTS_SHEET = "污水处理厂"
HEADER_ROW: Final = 3
_HEADER_FILL = PatternFill("solid", fgColor="DDE4EC")
_BAD = Font(color="C62828", bold=True)
_TREND_FONT: Final = {"better": Font(color="2E7D32", bold=True), "worse": Font(color="C62828", bold=True)}
_TREND_BY_TEXT: Final = {text: trend for trend, text in TREND_ZH.items()}
_DARK_TEXT_CLASSES: Final = ("IV", "V")  # yellow and orange fills: black text reads better


def write_xlsx(report: Report, path: Path) -> Path:
    """Write the workbook to `path` and return it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    report_workbook(report).save(path)
    return path


def xlsx_bytes(report: Report) -> bytes:
    """The workbook as the bytes of an .xlsx file."""
    buffer = io.BytesIO()
    report_workbook(report).save(buffer)
    return buffer.getvalue()


def report_workbook(report: Report) -> Workbook:
    """The report as an openpyxl workbook."""
    book = Workbook()
    rates = book.active
    assert rates is not None
    rates.title = RATES_SHEET
    _title(rates, report.title, f"统计时段：{report.first_day} 至 {report.last_day}")
    _table(
        rates,
        ["项目", "达标数", "总数", "单位", "达标率（%）", *_compare_header(report, "达标率（%）")],
        [
            [r["name"], r["numerator"], r["denominator"], r["unit_zh"], r["rate"], *_compare_cells(report, r, "rate")]
            for r in report.rates
        ],
        bad=[r["rate"] is not None and r["rate"] < 100 for r in report.rates],
    )
    row = HEADER_ROW + 2 + len(report.rates)
    for line in report.findings:
        rates.cell(row=row, column=1, value=line)
        row += 1
    _bar_chart(rates, "各项达标率（%）", categories=1, values=5, rows=len(report.rates), anchor=f"A{row + 1}")

    indicators = book.create_sheet(INDICATORS_SHEET)
    _title(indicators, "考核指标完成情况", report.scorecard_summary)
    _table(
        indicators,
        ["指标", f"{report.this}值", "单位", "目标", "状态", "得分（分）", "满分（分）"],
        [
            [i["name"], i["value"], i["unit"], i["target"], i["status"], i["points"], i["max_points"]]
            for i in report.indicators
        ],  # fmt: skip
        bad=[i["status"] == "不达标" for i in report.indicators],
    )

    sections = book.create_sheet(SECTIONS_SHEET)
    _title(sections, "河流断面水质状况", "主要污染物后括号内为超标倍数；类别按环办〔2011〕22号着色")
    _table(
        sections,
        ["断面名称", "水功能区", "跨界", "目标类别", f"{report.this}类别", *_compare_header(report, "类别"), "是否达标",
         "主要污染物（超标倍数）"],
        [
            [s["name"], s["zone"], s["boundary"], s["target"], s["class"], *_compare_cells(report, s, "class"),
             _verdict(s["meets_target"]), _pollutants(s["pollutants"])]
            for s in report.sections
        ],
        bad=[s["meets_target"] is False for s in report.sections],
    )  # fmt: skip
    _colour_classes(sections, [4, 5, *_compare_columns(report, 6)], len(report.sections))

    if report.ratings:
        _ratings_sheet(book.create_sheet(RATINGS_SHEET), report.ratings)
    if report.seasons:
        _seasons_sheet(book.create_sheet(SEASONS_SHEET), report.seasons)

    sources = book.create_sheet(SOURCES_SHEET)
    _title(sources, "集中式饮用水水源地水质达标情况", "水量单位：立方米")
    _table(
        sources,
        ["水源地", "目标类别", f"{report.this}类别", "取水总量（m³）", "达标水量（m³）", "达标率（%）",
         *_compare_header(report, "类别"), *_compare_header(report, "达标率（%）"), "超标项目（超标倍数）"],
        [
            [s["name"], s["target"], s["class"], s["volume_m3"], s["compliant_volume_m3"], s["rate"],
             *_compare_cells(report, s, "class"), *_compare_cells(report, s, "rate"), _pollutants(s["pollutants"])]
            for s in report.sources
        ],
        bad=[s["meets_target"] is False for s in report.sources],
    )  # fmt: skip
    _colour_classes(sources, [2, 3, *_compare_columns(report, 7)], len(report.sources))
    if report.sources:
        chart = BarChart()
        chart.title, chart.y_axis.title = "取水总量与达标水量（m³）", "m³"
        last = HEADER_ROW + len(report.sources)
        chart.add_data(Reference(sources, min_col=4, max_col=5, min_row=HEADER_ROW, max_row=last),
                       titles_from_data=True)  # fmt: skip
        chart.set_categories(Reference(sources, min_col=1, min_row=HEADER_ROW + 1, max_row=last))
        sources.add_chart(chart, f"A{last + 3}")

    plants = book.create_sheet(PLANTS_SHEET)
    _title(plants, "城镇污水处理厂出水达标情况（日均值）", "")
    _table(
        plants,
        ["污水处理厂", "执行标准", "有数据天数（天）", "有效天数（天）", "达标天数（天）", "达标率（%）",
         *_compare_header(report, "达标率（%）"), "超标项目（最大超标倍数）"],
        [
            [p["name"], f"{p['standard']} {p['class']}", p["days_with_data"], p["valid_days"], p["compliant_days"],
             p["rate"], *_compare_cells(report, p, "rate"),
             "、".join(f"{i['name']}（{i['max_exceedance_multiple']} 倍）" for i in p["items"]
                      if i["compliant_days"] < i["valid_days"]) or "—"]
            for p in report.plants
        ],
        bad=[p["rate"] is not None and p["rate"] < 100 for p in report.plants],
    )  # fmt: skip
    if report.plants:
        _bar_chart(plants, "出水日均值达标率（%）", categories=1, values=6, rows=len(report.plants),
                   anchor=f"A{HEADER_ROW + len(report.plants) + 3}")  # fmt: skip
    for sheet in book.worksheets:
        _print_ready(sheet, report.title)
    neutralise_workbook(book)  # names and notes come from users: never a formula
    return book


def _ratings_sheet(sheet: Worksheet, ratings: dict[str, Any]) -> None:
    """Rivers, basins and the county (环办〔2011〕22号; CWQI 环办监测〔2017〕51号), rating cells in their colour."""
    _title(sheet, "河流、流域与全县水质状况",
           f"环办〔2011〕22号；CWQI：环办监测〔2017〕51号，基准 {ratings.get('base_period') or '—'}")  # fmt: skip
    groups = [*ratings["rivers"], *ratings.get("lakes", []), *ratings["basins"], ratings["county"]]
    level_zh = {"river": "河流", "lake": "湖库", "basin": "流域", "county": "全县"}
    _table(
        sheet,
        ["名称", "层级", "断面数（个）", "水质状况", "Ⅰ～Ⅲ类比例（%）", "劣Ⅴ类比例（%）", "主要污染物（断面超标率%）",
         "无劣Ⅴ类", "CWQI", "ΔCWQI（%）", "与基准期比"],
        [
            [g["name"], level_zh.get(g["level"], g["level"]), g["n_sections"], g["rating_zh"] or "—",
             g["good_percent"], g["worse_than_v_percent"],
             "、".join(f"{p['name']}（{p['exceedance_rate']}）" if p["exceedance_rate"] is not None else p["name"]
                      for p in g["main_pollutants"]) or "—",
             "是" if g["no_worse_than_v"]["answer"] == "yes"
             else "否：" + "、".join(s["name"] for s in g["no_worse_than_v"]["sites"]),
             g["cwqi"], g["cwqi_change_percent"], (g.get("change") or {}).get("verdict_zh") or "—"]
            for g in groups
        ],
        bad=[g["no_worse_than_v"]["answer"] == "no" for g in groups],
    )  # fmt: skip
    for offset, group in enumerate(groups):
        if group["colour"]:
            cell = sheet.cell(row=HEADER_ROW + 1 + offset, column=4)
            cell.fill = PatternFill("solid", fgColor=group["colour"]["hex"].lstrip("#"))
            cell.font = Font(bold=True, color="000000" if group["colour"]["name"] in ("yellow", "orange") else "FFFFFF")


def _compare_header(report: Report, what: str) -> list[str]:
    return [f"{EARLIER[when]}{what}" if i == 0 else f"{EARLIER[when]}比较"
            for when in report.earlier for i in (0, 1)]  # fmt: skip


def _compare_cells(report: Report, row: dict[str, Any], field: str) -> list[Any]:
    """Per compared month: the earlier value and 好转 / 变差 / 持平 (— when either side has none)."""
    cells: list[Any] = []
    for when in report.earlier:
        entry = row["compare"][field][when]
        cells += [entry["value"], TREND_ZH[entry["trend"]] if entry["trend"] else "—"]
    return cells


def _compare_columns(report: Report, first: int) -> list[int]:
    """The columns of the earlier classes when the comparison starts at column `first`."""
    return [first + 2 * i for i in range(len(report.earlier))]


def _title(sheet: Worksheet, title: str, subtitle: str) -> None:
    sheet.cell(row=1, column=1, value=title).font = Font(bold=True, size=14)
    sheet.cell(row=2, column=1, value=subtitle)


def _table(sheet: Worksheet, header: list[str], rows: list[list[Any]], *, bad: list[bool]) -> None:
    """Header on row 3, data from row 4; a bad row's verdict columns in red; columns wide enough."""
    widths = [_width(name) for name in header]
    for column, name in enumerate(header, start=1):
        cell = sheet.cell(row=HEADER_ROW, column=column, value=name)
        cell.font, cell.fill = Font(bold=True), _HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for offset, (values, is_bad) in enumerate(zip(rows, bad, strict=True)):
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=HEADER_ROW + 1 + offset, column=column, value=value)
            widths[column - 1] = max(widths[column - 1], _width(value))
            if value in _TREND_BY_TEXT:
                if _TREND_BY_TEXT[value] in _TREND_FONT:
                    cell.font = _TREND_FONT[_TREND_BY_TEXT[value]]
            elif is_bad and column > 1:
                cell.font = _BAD
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = max(8, min(48, width + 2))


def _width(value: Any) -> int:
    """Display width of a value: CJK characters count twice."""
    text = "" if value is None else str(value)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _seasons_sheet(sheet: Worksheet, seasons: dict[str, Any]) -> None:
    """The year and its wet, normal and dry seasons side by side (GB 3838-2002 §4), classes in their colours."""
    _title(sheet, "全年与丰、平、枯水期水质类别对照", "GB 3838-2002 §4；环办〔2011〕22号")
    labels = [column["period"] for column in seasons["columns"]]
    _table(
        sheet,
        ["断面/点位", "目标类别", *(column["name"] for column in seasons["columns"]), "最差水期"],
        [
            [site["name"], site["target"], *(site["periods"][label]["class"] or "—" for label in labels),
             SEASON_ZH.get(site["worst_season"] or "", "—")]
            for site in seasons["sites"]
        ],
        bad=[False for _ in seasons["sites"]],
    )  # fmt: skip
    _colour_classes(sheet, list(range(2, 3 + len(labels))), len(seasons["sites"]))


def _colour_classes(sheet: Worksheet, columns: list[int], rows: int) -> None:
    """Fill class cells with the class colours of the ratings JSON (models.methods.ratings.CLASS_COLOURS)."""
    for row in range(HEADER_ROW + 1, HEADER_ROW + 1 + rows):
        for column in columns:
            cell = sheet.cell(row=row, column=column)
            colour = CLASS_COLOURS.get(str(cell.value)) if cell.value else None
            if colour:
                cell.fill = PatternFill("solid", fgColor=colour["hex"].lstrip("#"))
                cell.font = Font(bold=True, color="000000" if cell.value in _DARK_TEXT_CLASSES else "FFFFFF")
                cell.alignment = Alignment(horizontal="center")


def _print_ready(sheet: Worksheet, title: str) -> None:
    """A4 landscape fitted to the page width, header row frozen and repeated, page numbers in the footer."""
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.5
    sheet.freeze_panes = f"B{HEADER_ROW + 1}"
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.oddHeader.center.text = title
    sheet.oddFooter.center.text = "第 &P 页 共 &N 页"


def _bar_chart(sheet: Worksheet, title: str, *, categories: int, values: int, rows: int, anchor: str) -> None:
    chart = BarChart()
    chart.title, chart.legend = title, None
    chart.add_data(Reference(sheet, min_col=values, min_row=HEADER_ROW, max_row=HEADER_ROW + rows),
                   titles_from_data=True)  # fmt: skip
    chart.set_categories(Reference(sheet, min_col=categories, min_row=HEADER_ROW + 1, max_row=HEADER_ROW + rows))
    chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0, 100
    sheet.add_chart(chart, anchor)


def _verdict(meets: bool | None) -> str:
    return {True: "达标", False: "不达标"}.get(meets, "—") if meets is not None else "—"


def _pollutants(items: list[dict[str, Any]]) -> str:
    return "、".join(f"{p['name']}（{p['multiple']} 倍）" for p in items) or "—"
