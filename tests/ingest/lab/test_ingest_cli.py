"""`wqmon ingest FILE... [--dry-run]` against a real DuckDB file."""

import subprocess
import sys
from pathlib import Path

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
