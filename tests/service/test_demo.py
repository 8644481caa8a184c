"""The demo county: deterministic, and holding what the service is built to find."""

from pathlib import Path

import numpy as np
import pandas as pd
from typer.testing import CliRunner

from models.configuration import Configuration
from service.cli import app
from service.demo import DemoFolder, demo_readings


def test_the_demo_data_is_deterministic_and_fits_the_configuration(demo_config: Configuration) -> None:
    first, second = demo_readings(), demo_readings()
    pd.testing.assert_frame_equal(first, second)
    assert set(first["site"]) == set(demo_config.sites)
    kinds = {s.kind for s in demo_config.sites.values()}
    assert kinds == {"plant", "section", "source"}
    assert [s.id for s in demo_config.sites.values() if s.boundary == "outgoing"] == ["qx-chujing"]
    assert demo_config.sites["wwtp-chengdong"].logger is not None


def test_the_demo_plant_has_exceedances_gaps_and_a_stuck_analyser() -> None:
    readings = demo_readings()
    plant = readings[readings["site"] == "wwtp-chengdong"]
    cod = plant[plant["parameter"] == "w01018"].set_index("time")["value"]
    assert (cod > 50).sum() >= 10  # GB 18918 class 1A COD limit 50 mg/L
    assert cod.index.to_series().diff().max() >= pd.Timedelta(hours=48)  # the logger was offline
    nh3 = plant[plant["parameter"] == "w21003"]["value"].to_numpy()
    runs = np.diff(np.flatnonzero(np.diff(nh3) != 0))
    assert runs.max() >= 48  # the same NH3-N value for days
    assert set(plant["flag"]) == {"N", "M", "D"}


def test_the_monthly_lab_samples_include_non_detects() -> None:
    readings = demo_readings()
    samples = readings[readings["statistic"] == "sample"]
    assert samples.groupby("site")["time"].nunique().eq(12).all()
    assert samples["non_detect"].sum() > 50
    sources = samples[samples["site"].str.startswith("src-")]
    assert sources.groupby(["site", "time"]).size().min() >= 29


def test_wqmon_demo_no_serve_creates_the_county_and_prints_an_admin_key(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["demo", str(tmp_path / "county"), "--no-serve"])
    assert result.exit_code == 0, result.output
    assert "admin key: wqm_" in result.stdout
    where = DemoFolder(tmp_path / "county")
    assert where.exists()
    assert len(Configuration.load(where.config_dir).sites) == 7
