"""The influxd fixture: a missing influxd skips the InfluxDB tests locally and fails them under CI."""

from pathlib import Path

import pytest

from tests.store.conftest import require_influxd


def test_a_missing_influxd_skips_locally(tmp_path: Path) -> None:
    with pytest.raises(pytest.skip.Exception, match="influxd is not installed"):
        require_influxd({"WQMON_INFLUXD": str(tmp_path / "no-influxd")})


def test_a_missing_influxd_fails_under_ci(tmp_path: Path) -> None:
    with pytest.raises(pytest.fail.Exception, match="CI=true requires the InfluxDB tests"):
        require_influxd({"WQMON_INFLUXD": str(tmp_path / "no-influxd"), "CI": "true"})


def test_an_installed_influxd_is_found(tmp_path: Path) -> None:
    fake = tmp_path / "influxd"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    assert require_influxd({"WQMON_INFLUXD": str(fake), "CI": "true"}) == str(fake)
