"""`wqmon ingest FILE... [--dry-run]` against a real DuckDB file."""

import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from service.cli import app
from store import open_store

ROOT = Path(__file__).resolve().parents[3]
FILE = "断面名称,采样时间,氨氮(mg/L),总磷(mg/L)\n河西断面,2024-05-06 10:00,{nh3},0.05L\n无此断面,2024-05-06 10:00,1,1\n"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["ingest", *args])
    return result.exit_code, result.output


def stored(url: str) -> list[float]:
    store = open_store(url)
    try:
        return store.read()["value"].tolist()
    finally:
        store.close()


def test_dry_run_then_store_then_again_then_corrected(tmp_path: Path, config_dir: Path) -> None:
    lab = tmp_path / "五月.csv"
    lab.write_text(FILE.format(nh3=0.5), encoding="gb18030")
    url = f"duckdb:///{tmp_path / 'wqmon.duckdb'}"
    options = ["--config-dir", str(config_dir), "--store", url, "--lang", "en"]

    code, output = run(str(lab), "--dry-run", *options)
    assert code == 1
    assert "2 reading(s) would be stored (dry run)" in output
    assert "五月.csv:row 3:column A 断面名称: unknown site '无此断面'" in output
    assert not (tmp_path / "wqmon.duckdb").exists()

    code, output = run(str(lab), *options)
    assert code == 1 and "stored 2 reading(s): 2 new, 0 corrected; 0 already stored" in output
    code, output = run(str(lab), *options)
    assert code == 1 and "stored 0 reading(s): 0 new, 0 corrected; 2 already stored" in output

    lab.write_text(FILE.format(nh3=0.55), encoding="gb18030")
    code, output = run(str(lab), *options)
    assert "stored 1 reading(s): 0 new, 1 corrected; 1 already stored" in output
    assert sorted(stored(url)) == [0.05, 0.55]


def test_clean_file_exits_zero_via_python_m_service(tmp_path: Path, config_dir: Path) -> None:
    lab = tmp_path / "clean.csv"
    lab.write_text("site,time,NH3-N\nhx-01,2024-05-06 10:00,0.2\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "service", "ingest", str(lab), "--config-dir", str(config_dir), "--dry-run"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "hx-01 w21003: 1 (2024-05-06 10:00)" in result.stdout


STATION = (
    "XX县2024年5月手工监测结果,,,\n"
    "断面名称,采样日期,采样时间,氨氮(mg/L),叶绿素a(mg/m³)\n"
    "河西断面,2024-05-06,09:00,0.52,8.5\n"
    "河西断面,2024-05-06,15:30,0.61,9.0\n"
    "平均值,,,0.565,8.75\n"
    "注：L表示低于检出限,,,,\n"
    "编制：张三,,审核：李四,,签发：王五\n"
)


def test_a_clean_station_file_exits_zero_and_lists_what_it_skipped(tmp_path: Path, config_dir: Path) -> None:
    lab = tmp_path / "五月.csv"
    lab.write_text(STATION, encoding="gb18030")
    url = f"duckdb:///{tmp_path / 'wqmon.duckdb'}"
    code, output = run(str(lab), "--config-dir", str(config_dir), "--store", url)
    assert code == 0, output
    assert "五月.csv：写入 4 条：新增 4，更正 0；已存在 0" in output  # Chinese by default
    assert "跳过: 文件 五月.csv，第 5 行：统计行" in output
    assert "跳过: 文件 五月.csv，第 6 行：脚注行" in output
    assert "跳过: 文件 五月.csv，第 7 行：签名行" in output
    assert sorted(stored(url)) == pytest.approx([0.0085, 0.009, 0.52, 0.61])  # mg/m³ × 0.001 = mg/L


def test_dry_run_shows_the_table_found_in_each_sheet(tmp_path: Path, config_dir: Path) -> None:
    lab = tmp_path / "may.csv"
    lab.write_text(STATION, encoding="utf-8")
    code, output = run(str(lab), "--dry-run", "--lang", "en", "--config-dir", str(config_dir))
    assert code == 0, output
    assert "may.csv: 4 reading(s) would be stored (dry run)" in output
    assert "wide table (a column per item); header row(s) 2" in output
    assert "site column A 断面名称; time column B 采样日期 + C 采样时间" in output
    assert "item column D 氨氮(mg/L) → w21003 (mg/L)" in output
    assert "item column E 叶绿素a(mg/m3) → x-chlorophyll-a (µg/L)" in output
    assert not (tmp_path / "wqmon.duckdb").exists()


def test_problems_name_the_place_in_chinese_or_english(tmp_path: Path, config_dir: Path) -> None:
    lab = tmp_path / "bad.csv"
    lab.write_text("点位,采样时间,氨氮\n无此断面,2024-05-06 10:00,0.5\n", encoding="utf-8")
    code, output = run(str(lab), "--dry-run", "--config-dir", str(config_dir))
    assert code == 1
    assert "问题: 文件 bad.csv，第 2 行，A 点位 列：未知点位 '无此断面'" in output
    code, output = run(str(lab), "--dry-run", "--lang", "en", "--config-dir", str(config_dir))
    assert "problem: bad.csv:row 2:column A 点位: unknown site '无此断面'" in output


def test_template_is_read_back_by_the_importer(tmp_path: Path, config_dir: Path) -> None:
    """The template's layout is the one the importer reads: filled in, it imports without a problem."""
    template = tmp_path / "模板.xlsx"
    code, output = run("--template", str(template), "--config-dir", str(config_dir))
    assert code == 0, output
    workbook = openpyxl.load_workbook(template)
    sheet = workbook["监测结果"]
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["断面名称", "采样日期", "采样时间", "水温(°C)"]  # GB 3838 Table 1 order
    assert "pH值(无量纲)" in header and "粪大肠菌群(个/L)" in header
    assert [sheet.cell(row, 1).value for row in (2, 3, 4)] == ["河西断面", "东桥断面", "城北水源地"]
    sheet["B2"], sheet["C2"], sheet["D2"] = "2024-05-06", "09:30", 18.5
    sheet.delete_rows(3, 2)  # sites without a sample this month
    workbook.save(template)
    code, output = run(str(template), "--dry-run", "--lang", "en", "--config-dir", str(config_dir))
    assert code == 0, output
    assert "1 reading(s) would be stored" in output and "hx-01 w01010: 1 (2024-05-06 09:30)" in output
    assert "skipped: 模板.xlsx:说明: no table of results" in output
