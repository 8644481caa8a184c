"""The report as an XLSX workbook (openpyxl): one sheet per table, native bar charts.

Each table's first column is the id the API uses (rate id, site id), so a reader can match rows.
"""

import io
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from service.cell_text import neutralise_workbook
from service.report.content import MonthlyReport

RATES_SHEET = "达标率"
INDICATORS_SHEET = "考核指标"
SECTIONS_SHEET = "河流断面"
SOURCES_SHEET = "饮用水源地"
PLANTS_SHEET = "污水处理厂"
_HEADER_FILL = PatternFill("solid", fgColor="DDE4EC")
_BAD = Font(color="C62828", bold=True)


def write_xlsx(report: MonthlyReport, path: Path) -> Path:
    """Write the workbook to `path` and return it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    report_workbook(report).save(path)
    return path


def xlsx_bytes(report: MonthlyReport) -> bytes:
    """The workbook as the bytes of an .xlsx file."""
    buffer = io.BytesIO()
    book = report_workbook(report)
    neutralise_workbook(book)  # names and notes come from users: never a formula
    book.save(buffer)
    return buffer.getvalue()


def report_workbook(report: MonthlyReport) -> Workbook:
    """The report as an openpyxl workbook."""
    book = Workbook()
    rates = book.active
    assert rates is not None
    rates.title = RATES_SHEET
    _title(rates, report.title, f"统计时段：{report.first_day} 至 {report.last_day}")
    _table(
        rates,
        ["编号", "项目", "达标数", "总数", "单位", "达标率（%）"],
        [[r["id"], r["name"], r["numerator"], r["denominator"], r["unit_zh"], r["rate"]] for r in report.rates],
        bad=[r["rate"] is not None and r["rate"] < 100 for r in report.rates],
    )
    row = 5 + len(report.rates)
    for line in report.findings:
        rates.cell(row=row, column=1, value=line)
        row += 1
    _bar_chart(rates, "各项达标率（%）", categories=2, values=6, rows=len(report.rates), anchor=f"H{3}")

    indicators = book.create_sheet(INDICATORS_SHEET)
    _title(indicators, "考核指标完成情况", report.scorecard_summary)
    _table(
        indicators,
        ["编号", "指标", "本月值", "单位", "目标", "状态", "得分", "满分"],
        [
            [i["id"], i["name"], i["value"], i["unit"], i["target"], i["status"], i["points"], i["max_points"]]
            for i in report.indicators
        ],  # fmt: skip
        bad=[i["status"] == "不达标" for i in report.indicators],
    )

    sections = book.create_sheet(SECTIONS_SHEET)
    _title(sections, "河流断面水质状况", "主要污染物后括号内为超标倍数")
    _table(
        sections,
        ["编号", "断面名称", "水功能区", "跨界", "目标类别", "本月类别", "是否达标", "主要污染物（超标倍数）"],
        [
            [
                s["site"],
                s["name"],
                s["zone"],
                s["boundary"],
                s["target"],
                s["class"],
                _verdict(s["meets_target"]),
                _pollutants(s["pollutants"]),
            ]
            for s in report.sections
        ],  # fmt: skip
        bad=[s["meets_target"] is False for s in report.sections],
    )

    sources = book.create_sheet(SOURCES_SHEET)
    _title(sources, "集中式饮用水水源地水质达标情况", "水量单位：立方米")
    _table(
        sources,
        [
            "编号",
            "水源地",
            "目标类别",
            "本月类别",
            "取水总量（m³）",
            "达标水量（m³）",
            "达标率（%）",
            "超标项目（超标倍数）",
        ],
        [
            [
                s["site"],
                s["name"],
                s["target"],
                s["class"],
                s["volume_m3"],
                s["compliant_volume_m3"],
                s["rate"],
                _pollutants(s["pollutants"]),
            ]
            for s in report.sources
        ],  # fmt: skip
        bad=[s["meets_target"] is False for s in report.sources],
    )
    if report.sources:
        chart = BarChart()
        chart.title, chart.y_axis.title = "取水总量与达标水量（m³）", "m³"
        chart.add_data(Reference(sources, min_col=5, max_col=6, min_row=3, max_row=3 + len(report.sources)),
                       titles_from_data=True)  # fmt: skip
        chart.set_categories(Reference(sources, min_col=2, min_row=4, max_row=3 + len(report.sources)))
        sources.add_chart(chart, f"B{6 + len(report.sources)}")

    plants = book.create_sheet(PLANTS_SHEET)
    _title(plants, "城镇污水处理厂出水达标情况（日均值）", "")
    _table(
        plants,
        [
            "编号",
            "污水处理厂",
            "执行标准",
            "有数据天数",
            "有效天数",
            "达标天数",
            "达标率（%）",
            "超标项目（最大超标倍数）",
        ],
        [
            [
                p["site"],
                p["name"],
                f"{p['standard']} {p['class']}",
                p["days_with_data"],
                p["valid_days"],
                p["compliant_days"],
                p["rate"],
                "、".join(
                    f"{i['name']}（{i['max_exceedance_multiple']}）"
                    for i in p["items"]
                    if i["compliant_days"] < i["valid_days"]
                )
                or "—",
            ]
            for p in report.plants
        ],  # fmt: skip
        bad=[p["rate"] is not None and p["rate"] < 100 for p in report.plants],
    )
    if report.plants:
        _bar_chart(plants, "出水日均值达标率（%）", categories=2, values=7, rows=len(report.plants),
                   anchor=f"B{6 + len(report.plants)}")  # fmt: skip
    return book


def _title(sheet: Worksheet, title: str, subtitle: str) -> None:
    sheet.cell(row=1, column=1, value=title).font = Font(bold=True, size=14)
    sheet.cell(row=2, column=1, value=subtitle)


def _table(sheet: Worksheet, header: list[str], rows: list[list[Any]], *, bad: list[bool]) -> None:
    """Header on row 3, data from row 4; a bad row's verdict columns in red."""
    for column, name in enumerate(header, start=1):
        cell = sheet.cell(row=3, column=column, value=name)
        cell.font, cell.fill = Font(bold=True), _HEADER_FILL
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
        sheet.column_dimensions[cell.column_letter].width = max(10, min(40, 2 * len(name) + 4))
    for offset, (values, is_bad) in enumerate(zip(rows, bad, strict=True)):
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=4 + offset, column=column, value=value)
            if is_bad and column > 2:
                cell.font = _BAD


def _bar_chart(sheet: Worksheet, title: str, *, categories: int, values: int, rows: int, anchor: str) -> None:
    chart = BarChart()
    chart.title, chart.legend = title, None
    chart.add_data(Reference(sheet, min_col=values, min_row=3, max_row=3 + rows), titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=categories, min_row=4, max_row=3 + rows))
    chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0, 100
    sheet.add_chart(chart, anchor)


def _verdict(meets: bool | None) -> str:
    return {True: "达标", False: "不达标"}.get(meets, "—") if meets is not None else "—"


def _pollutants(items: list[dict[str, Any]]) -> str:
    return "、".join(f"{p['name']}（{p['multiple']}）" for p in items) or "—"
