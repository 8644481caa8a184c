"""A lab-results workbook to fill in, in the layout the importer reads best.

One header row (site, sampling date, sampling time, then one column per item with its unit in
brackets: "氨氮(mg/L)"), one row per site and sample, and a notes sheet the importer skips.
"""

from pathlib import Path
from typing import Final

import openpyxl
from openpyxl.styles import Font

from models.configuration import Configuration

# GB 3838-2002 Table 1, in the table's order: the items when no site lists its own (sites.yaml `items`).
GB3838_TABLE1: Final[tuple[str, ...]] = (
    "w01010", "w01001", "w01009", "w01019", "w01018", "w01017", "w21003", "w21011", "w21001", "w20122",
    "w20123", "w21017", "w20128", "w20119", "w20111", "w20115", "w20117", "w20120", "w21016", "w23002",
    "w22001", "w19002", "w21019", "w02003",
)  # fmt: skip
_NOTES: Final[tuple[str, ...]] = (
    "填写说明",
    "1. 每个样品一行：点位名称、采样日期（如 2024-05-06）、采样时间（如 09:30），同一天两次采样写两行。",
    "2. 数值按表头括号中的单位填写；低于检出限写检出限加 L，如 0.05L；未测项目留空。",
    "3. 表格下方的脚注（注：…）、签名行（编制/审核/签发）和平均值行导入时会跳过。",
    "4. 导入前可运行 wqmon ingest 文件 --dry-run 查看识别结果。",
)


def template_items(config: Configuration) -> list[str]:
    """The items of the template: those the sites list (in order of first mention), else GB 3838 Table 1."""
    codes: list[str] = []
    for site in config.sites.values():
        for code in config.items_of(site):
            if code not in codes:
                codes.append(code)
    return codes or [code for code in GB3838_TABLE1 if code in config.catalogue]


def write_template(path: Path, config: Configuration) -> Path:
    """Write the template workbook to `path` (.xlsx) and return the path."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "监测结果"
    items = [config.catalogue[code] for code in template_items(config)]
    header = ["断面名称", "采样日期", "采样时间"] + [f"{p.zh}({'无量纲' if p.unit == '1' else p.unit})" for p in items]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for site in config.sites.values():
        sheet.append([site.name])
    sheet.freeze_panes = "D2"
    notes = workbook.create_sheet("说明")
    for line in _NOTES:
        notes.append([line])
    workbook.save(path)
    return path
