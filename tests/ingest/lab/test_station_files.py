"""Lab files laid out as monitoring stations write them, asserted cell by cell.

Each file mixes what a station's monthly report holds around its table: a title, a "监测项目"
label row over the items, a units row, two samples of one site on one day, footnotes merged
across the sheet, signature lines, 平均值 rows, notes, chart and empty sheets. Expected values
are the cells as written, converted to the catalogue unit by the factor named beside each.
"""

import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from openpyxl.chart import BarChart, Reference

from ingest.delta import compare
from ingest.lab.importer import import_lab_file
from models.configuration import Configuration
from store.base import Store

NOW = dt.datetime(2024, 6, 1, tzinfo=dt.UTC)


def utc(text: str) -> pd.Timestamp:
    """A local (Asia/Shanghai, UTC+8) time as UTC."""
    return pd.Timestamp(text, tz="Asia/Shanghai").tz_convert("UTC")


def stored_cells(readings: pd.DataFrame) -> dict[tuple[str, str, pd.Timestamp], tuple[float, bool]]:
    return {
        (r.site, r.parameter, r.time): (round(r.value, 9), bool(r.non_detect)) for r in readings.itertuples(index=False)
    }


def places(problems: list) -> list[tuple[str | None, int | None, str | None]]:
    return sorted(
        ((p.sheet, p.row, p.column.split()[0] if p.column else None) for p in problems),
        key=lambda t: (t[0] or "", t[1] or 0, t[2] or ""),
    )


def station_workbook(path: Path) -> Path:
    """A wide sheet under a 3-row header, with rows around it that are not data, and three other sheets."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "地表水"
    sheet.append(["XX县2024年5月地表水监测结果"])  # row 1: title merged across
    sheet.merge_cells("A1:I1")
    sheet.append(["断面名称", "采样日期", "采样时间", "监测项目"])  # row 2
    sheet.merge_cells("D2:I2")
    for letter in "ABC":
        sheet.merge_cells(f"{letter}2:{letter}4")
    sheet.append([None, None, None, "氨氮", "总磷", "总大肠菌群", "叶绿素a", "放射性X", "铅"])  # row 3
    sheet.append([None, None, None, "mg/L", "mg/L", "MPN/L", "mg/m³", "Bq/L", "mg/kg"])  # row 4: units
    sheet.append(["河西断面", dt.datetime(2024, 5, 6), "09:00", 0.52, "0.05L", 2400, 8.5, 1, 1])  # row 5
    sheet.append(["河西断面", dt.datetime(2024, 5, 6), dt.time(15, 30), 0.61, 0.06, 3500, 9.0, 1, 1])  # row 6
    sheet.append(["东桥断面", "2024-05-07", "10:00", -0.2, 0.04, 1600, 4.2, 1, 1])  # row 7: negative NH3-N
    sheet.append(["东桥断面", "2062-05-07", "10:00", 0.3, 0.02, 900, 3.0, 1, 1])  # row 8: dated 2062
    sheet.append(["平均值", None, None, 0.41, 0.05, 2100, 6.2])  # row 9
    sheet.append(["注：L表示低于检出限"])  # row 10: a footnote merged across the sheet
    sheet.merge_cells("A10:I10")
    sheet.append(["编制：张三", None, "审核：李四", None, "签发：王五"])  # row 11
    notes = workbook.create_sheet("说明")
    notes.append(["本表为手工监测结果"])
    notes.append(["如有疑问请联系监测站"])
    workbook.create_sheet("Sheet3")
    chart = BarChart()
    chart.add_data(Reference(sheet, min_col=4, min_row=5, max_row=8))
    workbook.create_chartsheet("图表").add_chart(chart)
    workbook.save(path)
    return path


@pytest.mark.parametrize("reader", ["calamine", "openpyxl"])
def test_wide_station_workbook_cell_by_cell(tmp_path: Path, site_config: Configuration, reader: str) -> None:
    result = import_lab_file(station_workbook(tmp_path / "五月.xlsx"), site_config, xlsx_reader=reader, now=NOW)
    nine, half_past_three, ten = utc("2024-05-06 09:00"), utc("2024-05-06 15:30"), utc("2024-05-07 10:00")
    assert stored_cells(result.readings) == {
        # two samples of 河西断面 on 6 May: 09:00 and 15:30 (the footnote row does not lose the time column)
        ("hx-01", "w21003", nine): (0.52, False),
        ("hx-01", "w21003", half_past_three): (0.61, False),
        ("hx-01", "w21011", nine): (0.05, True),  # "0.05L": below the detection limit 0.05
        ("hx-01", "w21011", half_past_three): (0.06, False),
        ("dq-02", "w21011", ten): (0.04, False),
        # 总大肠菌群 in MPN/L, stored as itself (not as fecal coliform): MPN/L = 个/L
        ("hx-01", "x-total-coliform", nine): (2400.0, False),
        ("hx-01", "x-total-coliform", half_past_three): (3500.0, False),
        ("dq-02", "x-total-coliform", ten): (1600.0, False),
        # 叶绿素a in mg/m³ = µg/L; catalogue mg/L: 8.5 × 0.001 = 0.0085
        ("hx-01", "x-chlorophyll-a", nine): (0.0085, False),
        ("hx-01", "x-chlorophyll-a", half_past_three): (0.009, False),
        ("dq-02", "x-chlorophyll-a", ten): (0.0042, False),
    }
    assert set(result.readings["parameter"]) & {"w02003"} == set()  # nothing stored as fecal coliform
    assert places(result.problems) == [
        ("地表水", 4, "H"),  # 放射性X: not in the catalogue, one problem for the column
        ("地表水", 4, "I"),  # 铅 in mg/kg: a unit that does not convert to mg/L
        ("地表水", 7, "D"),  # NH3-N -0.2: below its plausible range 0–500 mg/L
        ("地表水", 8, "B"),  # 2062-05-07: after the clock (one problem for the row)
    ]
    by_place = {(p.row, p.column.split()[0]): p for p in result.problems}
    assert "放射性X" in by_place[(4, "H")].reason_zh and "config/parameters.yaml" in by_place[(4, "H")].reason
    assert "mg/kg" in by_place[(4, "I")].reason_zh
    assert "-0.2" in by_place[(7, "D")].reason and "合理范围" in by_place[(7, "D")].reason_zh
    assert "2062-05-07 10:00" in by_place[(8, "B")].reason
    assert [(p.sheet, p.row, p.reason_zh) for p in result.skipped if p.sheet == "地表水"] == [
        ("地表水", 9, "统计行（平均值/最大值/最小值等），不是样品数据"),
        ("地表水", 10, "脚注行，不是样品数据"),
        ("地表水", 11, "签名行（编制/审核/签发），不是样品数据"),
    ]
    assert {p.sheet for p in result.skipped if p.row is None} >= {"说明", "Sheet3"}  # notes and empty sheets
    assert all(p.sheet != "图表" for p in result.problems)  # the chart sheet is never an error
    (sheet, layout), *_ = result.layouts
    assert sheet == "地表水" and layout.kind == "wide" and layout.header_rows == [2, 3, 4]
    assert (layout.site, layout.time, layout.clock) == ("A 断面名称", "B 采样日期", "C 采样时间")
    assert [item[1:] for item in layout.items] == [
        ("w21003", "mg/L"), ("w21011", "mg/L"), ("x-total-coliform", "个/L"), ("x-chlorophyll-a", "µg/L")
    ]  # fmt: skip


LONG_EN = (
    "Water quality results May 2024,,,,,\n"
    "Sampling site,Sampling date,Time,Parameter,Result,Unit\n"
    "hx-01,2024-05-06,09:00,Ammonia nitrogen,0.52,mg/L\n"
    "hx-01,2024-05-06,15:30,Ammonia nitrogen,0.61,mg/L\n"
    "hx-01,2024-05-06,15:30,Lead,5,μg/L\n"
    "hx-01,2024-05-06,15:30,Transparency,85,cm\n"
    "hx-01,2024-05-06,15:30,pH,7.4,无量纲\n"
    "Nowhere,2024-05-06,15:30,TP,0.1,mg/L\n"
    "hx-01,2024-05-06,noon,TP,0.1,mg/L\n"
    "Note: L = below the detection limit,,,,,\n"
    "Results checked by the laboratory,,,,,\n"
)


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig", "gbk-with-bom"])
def test_long_csv_with_english_headers(tmp_path: Path, site_config: Configuration, encoding: str) -> None:
    path = tmp_path / "may.csv"
    data = LONG_EN.encode("gbk" if encoding == "gbk-with-bom" else encoding)
    path.write_bytes(b"\xef\xbb\xbf" + data if encoding == "gbk-with-bom" else data)
    result = import_lab_file(path, site_config, now=NOW)
    nine, half_past_three = utc("2024-05-06 09:00"), utc("2024-05-06 15:30")
    assert stored_cells(result.readings) == {
        ("hx-01", "w21003", nine): (0.52, False),
        ("hx-01", "w21003", half_past_three): (0.61, False),
        ("hx-01", "w20120", half_past_three): (0.005, False),  # 5 µg/L × 0.001 = 0.005 mg/L
        ("hx-01", "x-transparency", half_past_three): (0.85, False),  # 85 cm × 0.01 = 0.85 m
        ("hx-01", "w01001", half_past_three): (7.4, False),  # 无量纲: pH has no unit
    }
    assert places(result.problems) == [(None, 8, "A"), (None, 9, "C")]  # unknown site; "noon" is no time
    assert [(p.row, p.reason) for p in result.skipped] == [
        (10, "footnote row, not a sample"),
        (11, "footnote row, not a sample"),  # a text alone in its row: no value is lost
    ]


@pytest.mark.parametrize(
    "header",
    ["采样日期", "监测日期", "日期", "时间", "采样时间", "Date", "Sampling date", "sampling_date", "SAMPLE DATE",
     "Sample_Time", "date/time"],
)  # fmt: skip
def test_time_headers_are_matched_forgivingly(tmp_path: Path, site_config: Configuration, header: str) -> None:
    path = tmp_path / "t.csv"
    path.write_text(f"点位名称,{header},氨氮\n河西断面,2024-05-06 10:00,0.5\n", encoding="utf-8")
    result = import_lab_file(path, site_config, now=NOW)
    assert result.problems == []
    assert stored_cells(result.readings) == {("hx-01", "w21003", utc("2024-05-06 10:00")): (0.5, False)}


@pytest.mark.parametrize(
    "content",
    [
        "点位,采样时间,氨氮\n无此断面,2024-05-06,0.5\n",  # the only row has an unknown site
        "Sampling site,Sampling date,NH3-N\nhx-01,someday,0.5\n",  # the only row has a bad date
        "site,date,NH3-N\nhx-01,2024-05-06,-1\n",  # the only value is implausible
    ],
)
def test_a_sheet_without_good_rows_reports_and_never_raises(
    tmp_path: Path, site_config: Configuration, content: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    result = import_lab_file(path, site_config, now=NOW)
    assert result.readings.empty
    assert len(result.problems) == 1 and result.problems[0].row == 2
    assert "Error" not in result.problems[0].reason  # a reported row, not an exception's text


def test_unknown_item_under_a_label_row_is_one_column(tmp_path: Path, site_config: Configuration) -> None:
    """An item the catalogue does not know stops nothing: the columns either side are read."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["点位名称", "采样时间", "监测项目", None, None])
    sheet.merge_cells("C1:E1")
    sheet.append(["点位名称", "采样时间", "溶解氧", "某未知项目", "高锰酸盐指数"])
    sheet.append(["城北水源地", "2024-05-08 09:00", 7.6, 12, 2.1])
    path = tmp_path / "水源地.xlsx"
    workbook.save(path)
    result = import_lab_file(path, site_config, now=NOW)
    assert stored_cells(result.readings) == {
        ("sy-01", "w01009", utc("2024-05-08 09:00")): (7.6, False),
        ("sy-01", "w01019", utc("2024-05-08 09:00")): (2.1, False),
    }
    assert places(result.problems) == [("Sheet", 2, "D")]


def test_same_sample_in_a_wide_and_a_long_file_is_one_sample(
    tmp_path: Path, site_config: Configuration, store: Store
) -> None:
    """A sample is (site, item, sampling time, statistic): the file it came in is not part of it."""
    wide = import_lab_file(station_workbook(tmp_path / "五月.xlsx"), site_config, now=NOW)
    first = compare(store, wide.readings)
    store.write(first.to_write)
    assert (first.new, first.changed, first.unchanged) == (11, 0, 0)

    # The same results re-typed in a long file under another name, three of them corrected.
    corrected = tmp_path / "五月-更正.csv"
    corrected.write_text(
        "点位,采样日期,采样时间,项目,结果,单位\n"
        "河西断面,2024-05-06,09:00,氨氮,0.55,mg/L\n"  # was 0.52
        "河西断面,2024-05-06,15:30,氨氮,0.61,mg/L\n"  # unchanged
        "河西断面,2024-05-06,09:00,总磷,0.05L,mg/L\n"  # unchanged
        "河西断面,2024-05-06,15:30,总磷,0.07,mg/L\n"  # was 0.06
        "东桥断面,2024-05-07,10:00,叶绿素a,5.0,μg/L\n",  # was 4.2 mg/m³
        encoding="gb18030",
    )
    again = compare(store, import_lab_file(corrected, site_config, now=NOW).readings)
    assert (again.new, again.changed, again.unchanged) == (0, 3, 2)
    store.write(again.to_write)
    stored = store.read()
    assert len(stored) == 11  # no second copy of any sample
    cells = stored_cells(stored)
    assert cells[("hx-01", "w21003", utc("2024-05-06 09:00"))] == (0.55, False)
    assert cells[("hx-01", "w21011", utc("2024-05-06 15:30"))] == (0.07, False)
    assert cells[("dq-02", "x-chlorophyll-a", utc("2024-05-07 10:00"))] == (0.005, False)  # 5 µg/L
    assert set(stored["source"]) == {"lab"}


def test_detection_limit_row_and_summary_rows_under_a_wide_table(tmp_path: Path, site_config: Configuration) -> None:
    path = tmp_path / "汇总.csv"
    path.write_text(
        "断面名称,采样时间,氨氮(mg/L),汞(μg/L)\n"
        "检出限,,0.025,0.04\n"
        "河西断面,2024-05-06 10:00,ND,0.05\n"
        "最大值,,0.025,0.05\n"
        "最小值,,0.025,0.05\n"
        "审核：李四,,,\n",
        encoding="utf-8",
    )
    result = import_lab_file(path, site_config, now=NOW)
    assert result.problems == []
    assert stored_cells(result.readings) == {
        ("hx-01", "w21003", utc("2024-05-06 10:00")): (0.025, True),  # ND at the limit of the 检出限 row
        ("hx-01", "w20111", utc("2024-05-06 10:00")): (0.00005, False),  # 0.05 µg/L × 0.001
    }
    assert [(p.row, p.reason) for p in result.skipped] == [
        (4, "summary row (平均值/最大值/最小值…), not a sample"),
        (5, "summary row (平均值/最大值/最小值…), not a sample"),
        (6, "signature line (编制/审核/签发), not a sample"),
    ]


@pytest.mark.parametrize(
    ("header", "rows"),
    [
        # a date column and a full date-and-time column: the times of day come from the second
        (
            "点位,采样日期,时间,氨氮",
            ["河西断面,2024-05-06,2024-05-06 09:00,0.5", "河西断面,2024-05-06,2024-05-06 15:30,0.6"],
        ),
        # the time of day first, the date after it
        ("点位,时间,日期,氨氮", ["河西断面,09:00,2024/5/6,0.5", "河西断面,15:30,2024/5/6,0.6"]),
    ],
)
def test_two_samples_on_one_day_keep_their_times_whatever_the_column_order(
    tmp_path: Path, site_config: Configuration, header: str, rows: list[str]
) -> None:
    path = tmp_path / "two.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    result = import_lab_file(path, site_config, now=NOW)
    assert result.problems == []
    assert stored_cells(result.readings) == {
        ("hx-01", "w21003", utc("2024-05-06 09:00")): (0.5, False),
        ("hx-01", "w21003", utc("2024-05-06 15:30")): (0.6, False),
    }
