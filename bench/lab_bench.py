"""Time the import of a station's lab workbook: 100,000 value cells in under 10 s.

Run by hand: `python bench/lab_bench.py [--cells 100000] [--reader calamine|openpyxl] [--repeat 3]`.

The workbook is laid out as a monitoring station writes its results: one sheet per month, each
with a title, a "监测项目" label row over the item names, a units row (mg/L, µg/L, MPN/L, mg/m³,
无量纲), sampling date and time columns, two samples a day at some sites, a 平均值 row, a
footnote merged across the sheet and a signature line, plus a notes sheet. It is written once
into a temporary folder (not timed). Printed beside the import is its anchor: the same reader
(python-calamine or openpyxl read-only) reading every cell of the same file and nothing else.
"""

import argparse
import datetime as dt
import random
import sys
import tempfile
import time
from pathlib import Path

import openpyxl
from openpyxl.utils import get_column_letter

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ingest.lab.importer import import_lab_file  # noqa: E402
from models.configuration import Configuration  # noqa: E402

ITEMS = [
    ("水温", "℃"), ("pH", "无量纲"), ("溶解氧", "mg/L"), ("高锰酸盐指数", "mg/L"), ("化学需氧量", "mg/L"),
    ("五日生化需氧量", "mg/L"), ("氨氮", "mg/L"), ("总磷", "mg/L"), ("总氮", "mg/L"), ("铜", "mg/L"),
    ("锌", "mg/L"), ("氟化物", "mg/L"), ("砷", "µg/L"), ("汞", "µg/L"), ("镉", "µg/L"), ("铅", "µg/L"),
    ("挥发酚", "mg/L"), ("石油类", "mg/L"), ("总大肠菌群", "MPN/L"), ("叶绿素a", "mg/m³"),
]  # fmt: skip
SITES = [(f"s{i:03d}", f"断面{i:03d}") for i in range(40)]
MONTHS = 12


def write_config(folder: Path) -> Path:
    lines = ["sites:"]
    for site_id, name in SITES:
        lines.append(f"  - {{id: {site_id}, name: {name}, kind: section, standard: GB3838-2002, target: III}}")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sites.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def write_workbook(path: Path, cells: int) -> int:
    """A station workbook of about `cells` value cells; returns the number of sample rows."""
    rng = random.Random(13)
    rows_per_month = max(1, cells // len(ITEMS) // MONTHS)
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    width = 3 + len(ITEMS)
    last = get_column_letter(width)
    for month in range(1, MONTHS + 1):
        sheet = workbook.create_sheet(f"{month}月")
        sheet.append([f"XX县2024年{month}月地表水监测结果"])
        sheet.merge_cells(f"A1:{last}1")
        sheet.append(["断面名称", "采样日期", "采样时间", "监测项目"])
        sheet.merge_cells(f"D2:{last}2")
        for letter in "ABC":
            sheet.merge_cells(f"{letter}2:{letter}4")
        sheet.append([None, None, None, *[name for name, _ in ITEMS]])
        sheet.append([None, None, None, *[unit for _, unit in ITEMS]])
        for i in range(rows_per_month):
            site = SITES[i % len(SITES)][1]
            day = dt.datetime(2024, month, 1 + (i // (2 * len(SITES))) % 28)
            clock = dt.time(9, 0) if (i // len(SITES)) % 2 == 0 else dt.time(15, 30)  # two samples a day
            values: list[object] = [round(rng.uniform(0.01, 9.0), 3) for _ in ITEMS]
            values[1] = round(rng.uniform(6.5, 8.5), 2)  # pH
            if i % 17 == 0:
                values[7] = "0.01L"
            if i % 211 == 0:
                values[3] = "—"
            sheet.append([site, day, clock, *values])
        sheet.append(["平均值", None, None, *[1.0] * len(ITEMS)])
        row = sheet.max_row + 1
        sheet.append(["注：L表示低于检出限"])
        sheet.merge_cells(f"A{row}:{last}{row}")
        sheet.append(["编制：张三", None, "审核：李四", None, "签发：王五"])
    notes = workbook.create_sheet("说明")
    notes.append(["本工作簿为手工监测结果"])
    workbook.save(path)
    return rows_per_month * MONTHS


def anchor(path: Path, reader: str) -> float:
    """Seconds for the reader alone to read every cell of every sheet into Python values."""
    began = time.perf_counter()
    if reader == "calamine":
        from python_calamine import CalamineWorkbook

        workbook = CalamineWorkbook.from_path(str(path))
        for name in workbook.sheet_names:
            workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
    else:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        for sheet in book.worksheets:
            for _ in sheet.iter_rows(values_only=True):
                pass
        book.close()
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cells", type=int, default=100_000)
    parser.add_argument("--reader", choices=["calamine", "openpyxl"], default="calamine")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; the best is printed")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        config = Configuration.load(write_config(root / "config"))
        path = root / "station.xlsx"
        samples = write_workbook(path, args.cells)
        size = path.stat().st_size
        imports, anchors = [], []
        for _ in range(args.repeat):
            anchors.append(anchor(path, args.reader))
            began = time.perf_counter()
            result = import_lab_file(path, config, xlsx_reader=args.reader)
            imports.append(time.perf_counter() - began)
    value_cells = samples * len(ITEMS)
    print(
        f"station workbook: {MONTHS} month sheets + notes, {samples} sample rows × {len(ITEMS)} items = "
        f"{value_cells} value cells, {size} bytes"
    )
    print(f"  anchor  ({args.reader} reading every cell, nothing else): {min(anchors):.2f} s")
    print(
        f"  import  (wqmon, {args.reader}):                        {min(imports):.2f} s  "
        f"({min(imports) / min(anchors):.1f}× the anchor; {len(result.readings)} readings, "
        f"{len(result.problems)} problems, {len(result.skipped)} skipped)"
    )


if __name__ == "__main__":
    main()
