"""Lab files as labs write them: CSV in GBK or UTF-8, XLSX with merged headers, wide and long."""

import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from ingest.delta import compare
from ingest.lab.importer import import_lab_file, lab_source
from models.configuration import Configuration
from store.base import Store

WIDE_CSV = """XX县地表水手工监测结果,,,,,,
断面名称,采样时间,氨氮(mg/L),总磷（mg/L）,铅(µg/L),备注,pH
河西断面,2024-05-06 10:30,0.52,0.05L,5,,7.2
东桥断面,2024/5/6 9:00,ND,<0.01,x,,7.5
未知断面,2024-05-06,1,1,1,,7
hx-01,2024-13-40,1,1,1,,7
城北水源地,2024年5月7日 8时15分,0.11,--,,,7.8
"""


def places(problems: list) -> set[tuple[str | None, int | None, str | None]]:
    return {(p.sheet, p.row, p.column.split()[0] if p.column else None) for p in problems}


def utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="Asia/Shanghai").tz_convert("UTC")


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig", "utf-8"])
def test_wide_csv_keeps_good_cells_and_places_each_bad_one(
    tmp_path: Path, site_config: Configuration, encoding: str
) -> None:
    path = tmp_path / "五月手工监测.csv"
    path.write_text(WIDE_CSV, encoding=encoding)
    result = import_lab_file(path, site_config)
    assert places(result.problems) == {
        (None, 4, "C"),  # ND without a detection limit
        (None, 4, "E"),  # 'x'
        (None, 5, "A"),  # unknown site
        (None, 6, "B"),  # bad date
    }
    reasons = {(p.row, p.column.split()[0]): p.reason for p in result.problems}
    assert "未知断面" in reasons[(5, "A")]
    assert "2024-13-40" in reasons[(6, "B")]
    got = result.readings.set_index(["site", "parameter", "time"]).sort_index()
    assert got.loc[("hx-01", "w21003", utc("2024-05-06 10:30")), "value"] == pytest.approx(0.52)
    tp = got.loc[("hx-01", "w21011", utc("2024-05-06 10:30"))]
    assert tp["value"] == pytest.approx(0.05) and tp["non_detect"]
    lead = got.loc[("hx-01", "w20120", utc("2024-05-06 10:30")), "value"]
    assert lead == pytest.approx(0.005)  # µg/L to the catalogue's mg/L
    assert got.loc[("dq-02", "w21011", utc("2024-05-06 09:00")), "non_detect"]
    assert got.loc[("sy-01", "w01001", utc("2024-05-07 08:15")), "value"] == pytest.approx(7.8)
    assert ("sy-01", "w21011") not in {(s, p) for s, p, _ in got.index}  # "--" is no value, not a problem
    assert len(result.readings) == 8
    assert set(result.readings["source"]) == {"lab"}  # one source for every lab file
    assert set(result.readings["statistic"]) == {"sample"} and set(result.readings["flag"]) == {"N"}


def write_workbook(path: Path, *, ammonia: object = 0.5) -> Path:
    """Two sheets: a wide table under merged headers, and a long table with units and limits."""
    workbook = openpyxl.Workbook()
    wide = workbook.active
    wide.title = "地表水"
    wide.append(["2024年5月地表水监测结果"])
    wide.merge_cells("A1:F1")
    wide.append(["断面名称", "采样日期", "监测项目", None, None, "备注"])
    wide.merge_cells("A2:A3")
    wide.merge_cells("B2:B3")
    wide.merge_cells("C2:E2")
    wide.merge_cells("F2:F3")
    wide.append([None, None, "氨氮", "高锰酸盐指数", "镉"])
    wide.append([None, None, "mg/L", "mg/L", "µg/L"])
    wide.append(["河西断面", dt.datetime(2024, 5, 6, 10, 0), ammonia, 3.1, "0.5L"])
    wide.append(["东桥断面", 45418.5, "0.3", "abc", 0.2])  # Excel serial 45418.5 = 2024-05-06 12:00
    wide.append(["河西断面", "20240507", 0.4, 2.9, None])
    wide.append(["平均值", None, 0.4, 3.0, None])
    long = workbook.create_sheet("水源地")
    long.append(["点位", "监测时间", "项目", "结果", "单位", "检出限"])
    long.append(["城北水源地", "2024-05-08 09:00", "总磷", "0.02", "mg/L", "0.01"])
    long.append(["城北水源地", "2024-05-08 09:00", "砷", "ND", "µg/L", "0.3"])
    long.append(["城北水源地", "2024-05-08 09:00", "总氮", "0.8", None, None])
    long.append(["城北水源地", "2024-05-08 09:00", "放射性", "1", "mg/L", None])
    long.append(["城北水源地", "2024-05-08 09:00", "汞", "0.1", "furlong", None])
    long.append(["城北水源地", "2024-05-08 09:00", "pH", "7.1", None, None])
    long.merge_cells("A2:A7")  # one sample: site and time merged down its item rows
    long.merge_cells("B2:B7")
    workbook.save(path)
    return path


@pytest.mark.parametrize("reader", ["calamine", "openpyxl"])
def test_xlsx_merged_headers_wide_and_long_sheets(tmp_path: Path, site_config: Configuration, reader: str) -> None:
    result = import_lab_file(write_workbook(tmp_path / "lab.xlsx"), site_config, xlsx_reader=reader)
    assert places(result.problems) == {
        ("地表水", 6, "D"),  # 'abc'
        ("水源地", 4, "E"),  # 总氮 without a unit in a file that has a unit column
        ("水源地", 5, "C"),  # unknown parameter
        ("水源地", 6, "E"),  # unknown unit
    }
    got = result.readings.set_index(["site", "parameter", "time"])["value"]
    assert got[("hx-01", "w21003", utc("2024-05-06 10:00"))] == pytest.approx(0.5)
    assert got[("hx-01", "w20115", utc("2024-05-06 10:00"))] == pytest.approx(0.0005)
    assert got[("dq-02", "w21003", utc("2024-05-06 12:00"))] == pytest.approx(0.3)
    assert got[("hx-01", "w01019", utc("2024-05-07 00:00"))] == pytest.approx(2.9)
    assert got[("sy-01", "w21011", utc("2024-05-08 09:00"))] == pytest.approx(0.02)
    assert got[("sy-01", "w20119", utc("2024-05-08 09:00"))] == pytest.approx(0.0003)  # ND at its limit, in mg/L
    assert got[("sy-01", "w01001", utc("2024-05-08 09:00"))] == pytest.approx(7.1)  # pH needs no unit
    arsenic = result.readings.query("parameter == 'w20119'")
    assert arsenic["non_detect"].all()
    assert len(result.readings) == 10


def test_same_file_twice_stores_nothing_new_and_a_corrected_file_replaces(
    tmp_path: Path, site_config: Configuration, store: Store
) -> None:
    path = write_workbook(tmp_path / "lab.xlsx")
    first = compare(store, import_lab_file(path, site_config).readings)
    assert (first.new, first.changed, first.unchanged) == (10, 0, 0)
    store.write(first.to_write)
    again = compare(store, import_lab_file(path, site_config).readings)
    assert (again.new, again.changed, again.unchanged, len(again.to_write)) == (0, 0, 10, 0)

    write_workbook(path, ammonia=0.65)
    corrected = compare(store, import_lab_file(path, site_config).readings)
    assert (corrected.new, corrected.changed, corrected.unchanged) == (0, 1, 9)
    store.write(corrected.to_write)
    stored = store.read(sites=["hx-01"], parameters=["w21003"])
    assert stored["value"].tolist() == pytest.approx([0.65, 0.4])
    assert set(stored["source"]) == {lab_source(path)}


def test_english_long_csv_with_detection_limit_column(tmp_path: Path, site_config: Configuration) -> None:
    path = tmp_path / "results.csv"
    path.write_text(
        "site,time,parameter,value,unit,detection limit\n"
        "hx-01,2024-05-06 10:00,NH3-N,未检出,mg/L,0.025\n"
        "hx-01,2024-05-06 10:00,TP,0.12,mg/L,\n"
        "hx-01,2024-05-06 10:00,Pb,ND,ug/L,\n"
        "hx-01,,TN,1.2,mg/L,\n"
        "hx-01,2024-05-06 10:00,COD,inf,mg/L,\n",
        encoding="utf-8-sig",
    )
    result = import_lab_file(path, site_config)
    assert places(result.problems) == {(None, 4, "D"), (None, 5, "B"), (None, 6, "D")}
    got = result.readings.set_index("parameter")
    assert got.loc["w21003", "value"] == pytest.approx(0.025) and got.loc["w21003", "non_detect"]
    assert got.loc["w21011", "value"] == pytest.approx(0.12) and not got.loc["w21011", "non_detect"]


def test_unreadable_files_are_problems_not_crashes(tmp_path: Path, site_config: Configuration) -> None:
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    notes = tmp_path / "notes.csv"
    notes.write_text("这是说明\n没有表头\n", encoding="utf-8")
    other = tmp_path / "data.pdf"
    other.write_bytes(b"%PDF")
    for path in (broken, notes, other):
        result = import_lab_file(path, site_config)
        assert result.readings.empty
        assert len(result.problems) == 1 and result.problems[0].file == path.name
    assert "site column" in import_lab_file(notes, site_config).problems[0].reason


def test_wide_without_units_and_separate_date_and_time_columns(tmp_path: Path, site_config: Configuration) -> None:
    path = tmp_path / "plain.csv"
    path.write_text(
        "点位,采样日期,采样时间,TP,溶解氧\nhx-01,2024-05-06,09:30,0.12,7.5\nhx-01,2024-05-07,25:99,0.2,7\n",
        encoding="utf-8",
    )
    result = import_lab_file(path, site_config)
    assert places(result.problems) == {(None, 3, "C")}
    assert "25:99" in result.problems[0].reason
    got = result.readings.set_index("parameter")
    assert got.loc["w21011", "value"] == pytest.approx(0.12)  # no unit in the header: the catalogue's mg/L
    assert got.loc["w21011", "time"] == utc("2024-05-06 09:30")


def test_wide_detection_limit_row_and_excel_datetime_with_time_column(
    tmp_path: Path, site_config: Configuration
) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["断面名称", "采样日期", "采样时间", "氨氮(mg/L)", "汞(µg/L)"])
    sheet.append(["检出限", None, None, 0.025, 0.04])
    sheet.append(["河西断面", dt.datetime(2024, 5, 6, 0, 0), dt.time(14, 5), "ND", "未检出"])
    path = tmp_path / "dl.xlsx"
    workbook.save(path)
    result = import_lab_file(path, site_config)
    assert result.problems == []
    got = result.readings.set_index("parameter")
    assert got["non_detect"].all()
    assert got.loc["w21003", "value"] == pytest.approx(0.025)
    assert got.loc["w20111", "value"] == pytest.approx(0.00004)  # the limit row is in the column's unit
    assert set(got["time"]) == {utc("2024-05-06 14:05")}


@pytest.mark.parametrize("year", ["0001", "1677", "9999"])
def test_an_out_of_range_year_rejects_its_row_not_the_sheet(
    tmp_path: Path, site_config: Configuration, year: str
) -> None:
    path = tmp_path / "lab.csv"
    path.write_text(
        f"断面名称,采样时间,氨氮(mg/L)\n河西断面,{year}-05-06 10:00,0.5\n河西断面,2024-05-07 10:00,0.4\n",
        encoding="utf-8",
    )
    result = import_lab_file(path, site_config)
    assert result.readings["value"].tolist() == [0.4]
    [problem] = result.problems
    assert (problem.row, problem.column) == (2, "B 采样时间") and f"{year}-05-06" in str(problem)
