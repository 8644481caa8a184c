"""Time the import of a large lab spreadsheet (issue 5: 100,000 rows in under 10 s).

Run by hand:
`python bench/lab_bench.py [--rows 100000] [--layout wide|long] [--format xlsx|csv] [--reader openpyxl]`.
Writes the file once into a temporary folder (that part is not timed), then prints the seconds
spent reading and converting it, and how many readings and problems came out.
"""

import argparse
import datetime as dt
import random
import sys
import tempfile
import time
from pathlib import Path

import openpyxl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ingest.lab.importer import import_lab_file  # noqa: E402
from models.configuration import Configuration  # noqa: E402

ITEMS = ["水温(℃)", "pH", "溶解氧(mg/L)", "高锰酸盐指数(mg/L)", "氨氮(mg/L)", "总磷（mg/L）", "总氮(mg/L)", "铅(µg/L)"]
SITES = [(f"s{i:03d}", f"断面{i:03d}") for i in range(50)]


def write_config(folder: Path) -> Path:
    lines = ["sites:"]
    for site_id, name in SITES:
        lines.append(f"  - {{id: {site_id}, name: {name}, kind: section, standard: GB3838-2002, target: III}}")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sites.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def rows(count: int, layout: str) -> list[list[object]]:
    rng = random.Random(5)
    start = dt.datetime(2020, 1, 1, 8, 0)
    out: list[list[object]] = []
    if layout == "wide":
        for i in range(count):
            site = SITES[i % len(SITES)][1]
            when = start + dt.timedelta(hours=i // len(SITES))
            values: list[object] = [round(rng.uniform(0, 10), 3) for _ in ITEMS]
            if i % 97 == 0:
                values[5] = "0.01L"
            if i % 1009 == 0:
                values[3] = "bad"
            out.append([site, when, *values])
    else:
        names = [item.split("(")[0].split("（")[0] for item in ITEMS]
        for i in range(count):
            site = SITES[(i // len(names)) % len(SITES)][1]
            when = (start + dt.timedelta(hours=i // (len(names) * len(SITES)))).strftime("%Y-%m-%d %H:%M")
            name = names[i % len(names)]
            value: object = "ND" if i % 97 == 0 else round(rng.uniform(0, 10), 3)
            out.append([site, when, name, value, {"pH": "", "水温": "℃"}.get(name, "mg/L"), "0.01"])
    return out


def write_file(path: Path, count: int, layout: str) -> None:
    header = (
        ["断面名称", "采样时间", *ITEMS] if layout == "wide" else ["点位", "监测时间", "项目", "结果", "单位", "检出限"]
    )
    data = rows(count, layout)
    if path.suffix == ".csv":
        import csv

        with path.open("w", encoding="gb18030", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(
                [[c.strftime("%Y/%m/%d %H:%M") if isinstance(c, dt.datetime) else c for c in r] for r in data]
            )
        return
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("结果")
    sheet.append(header)
    for row in data:
        sheet.append(row)
    workbook.save(path)
    _add_dimension(path, f"A1:{openpyxl.utils.get_column_letter(len(header))}{len(data) + 1}")


def _add_dimension(path: Path, ref: str) -> None:
    """Write the <dimension> element Excel and WPS put in every sheet (openpyxl's write-only mode
    leaves it out, and without it a read-only reader scans the whole sheet once more for its size)."""
    import shutil
    import zipfile

    packed = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                data = data.replace(b"<sheetViews>", f'<dimension ref="{ref}"/><sheetViews>'.encode(), 1)
            target.writestr(item, data)
    shutil.move(packed, path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--layout", choices=["wide", "long"], default="wide")
    parser.add_argument("--format", choices=["xlsx", "csv"], default="xlsx")
    parser.add_argument("--reader", choices=["calamine", "openpyxl"], default=None, help="XLSX reader")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        config = Configuration.load(write_config(root / "config"))
        path = root / f"bench-{args.layout}.{args.format}"
        write_file(path, args.rows, args.layout)
        size = path.stat().st_size
        began = time.perf_counter()
        result = import_lab_file(path, config, xlsx_reader=args.reader)
        seconds = time.perf_counter() - began
    print(
        f"{args.rows} rows ({args.layout}, {args.format}, {args.reader or 'default reader'}, {size} bytes): "
        f"{seconds:.2f} s, {len(result.readings)} readings, {len(result.problems)} problems"
    )


if __name__ == "__main__":
    main()
