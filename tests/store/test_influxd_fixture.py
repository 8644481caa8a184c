"""The influxd fixture: a missing influxd skips the InfluxDB tests locally and fails them under CI."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_influx_test(tmp_path: Path, *, ci: bool) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "CI"} | {"WQMON_INFLUXD": str(tmp_path / "no-influxd")}
    if ci:
        env["CI"] = "true"
    test = "tests/store/test_contract.py::test_writing_nothing_stores_nothing[influxdb]"
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs", test]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("ci", [False, True])
def test_a_missing_influxd_skips_locally_and_fails_under_ci(tmp_path: Path, ci: bool) -> None:
    result = run_influx_test(tmp_path, ci=ci)
    if ci:
        assert result.returncode != 0, result.stdout
        assert "CI=true requires the InfluxDB tests to run" in result.stdout
    else:
        assert result.returncode == 0, result.stdout
        assert "1 skipped" in result.stdout and "influxd is not installed" in result.stdout
