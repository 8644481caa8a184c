"""`wqmon evaluate | compliance | indicators | enter-indicator | export` over a real DuckDB store."""

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import xarray as xr
from typer.testing import CliRunner

from service.cli import app
from store import open_store
from tests.county_data import county_year

COUNTY = Path(__file__).resolve().parents[1] / "fixtures" / "county"


@pytest.fixture(scope="module")
def store_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"duckdb:///{tmp_path_factory.mktemp('store') / 'county.duckdb'}"
    store = open_store(url)
    store.write(county_year())
    store.close()
    return url


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str


def wqmon(*args: str, store: str, state: Path | None = None) -> Run:
    """Run the CLI in-process with the store, configuration and state chosen by WQMON_* variables."""
    env = {"WQMON_STORE": store, "WQMON_CONFIG_DIR": str(COUNTY), "WQMON_STATE_PATH": str(state) if state else None}
    result = CliRunner().invoke(app, list(args), env=env)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Run(result.exit_code, result.stdout, result.stderr)


def test_python_m_service_runs_the_compliance_command(store_url: str) -> None:
    env = {**os.environ, "WQMON_STORE": store_url, "WQMON_CONFIG_DIR": str(COUNTY)}
    command = [sys.executable, "-m", "service", "compliance", "--period", "2026-03"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stderr
    assert "集中式饮用水水源地水质达标率: 75.00% (250000/333333.33 m3)" in result.stdout
    assert "src-west 西河水源地: 总磷" in result.stdout


def test_compliance_json_carries_numerator_denominator_rate_and_failing_sites(store_url: str) -> None:
    result = wqmon("compliance", "--period", "2026", "--json", store=store_url)
    assert result.returncode == 0, result.stderr
    rates = json.loads(result.stdout)["rates"]
    frequency = rates["functional_zone_frequency"]
    assert (frequency["numerator"], frequency["denominator"], frequency["rate"]) == (34, 36, 94.44)
    assert [s["site"] for s in frequency["failing"]] == ["s-outgoing", "s-town"]
    sources = rates["drinking_water_sources"]
    # 47 of 48 source-months; the failing one is src-west's March (1 000 000 / 12 m3).
    assert (sources["numerator"], sources["denominator"], sources["rate"]) == (3916666.67, 4000000, 97.92)
    outgoing = rates["outgoing_sections"]
    assert (outgoing["numerator"], outgoing["denominator"], outgoing["rate"]) == (11, 12, 91.67)
    plant = rates["plant_outflow"]
    assert (plant["numerator"], plant["denominator"], plant["rate"]) == (2, 3, 66.67)
    assert plant["parts"][0]["invalid_days"] == 1


def test_evaluate_a_month_per_site_with_exceedance_and_counts(store_url: str) -> None:
    result = wqmon("evaluate", "--period", "2026-07", "--json", store=store_url)
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    sites = {s["site"]: s for s in body["sites"]}
    town = sites["s-town"]
    assert (town["class"], town["meets_target"], town["n_values"]) == ("V", False, 1)
    assert town["items_over_target"][0]["exceedance_multiple"] == 0.6
    assert town["main_pollutants"] == [{"code": "w21003", "name": "氨氮", "multiple_iii": 0.6}]
    plant = body["plants"][0]
    assert (plant["site"], plant["valid_days"], plant["compliant_days"], plant["days_with_data"]) == ("p-city", 3, 2, 4)
    ph = next(i for i in plant["items"] if i["code"] == "w01001")
    assert ph["compliant_days"] == 1  # daily pH 6.30 through [H+] is within 6-9


def test_evaluate_one_site_with_its_trend(store_url: str) -> None:
    result = wqmon("evaluate", "--period", "2026", "--site", "清河城区断面", "--json", store=store_url)
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    assert [s["site"] for s in body["sites"]] == ["s-town"] and body["plants"] == []
    assert body["sites"][0]["class"] == "III" and body["sites"][0]["n_months"] == 12
    assert body["trends"][0]["n"] == 12 and body["trends"][0]["verdict"] == "no significant change"


def test_scorecard_with_a_hand_entered_indicator(store_url: str, tmp_path: Path) -> None:
    """The shipped system (config/indicators.yaml, points scheme: 基本达标 half, 不达标 nothing):

    water-environment (18): functional zones 100 % 达标, outgoing 11/12 = 91.67 % >= 80 基本达标
                            -> the compound is 基本达标: 18 / 2 = 9
    drinking-water-sources (10): 97.92 % in [96, 100) 基本达标: 5
    sewage-treatment (6): not entered, 无数据: 0 (plant outflow 2/3 shown beneath as evidence)
    green-coverage (4): 36.5 >= 35 达标: 4
    public-satisfaction (4): not entered: 0
    monitoring-capacity (4): entered as 不达标: 0
    total 9 + 5 + 4 = 18
    """
    state = tmp_path / "state.sqlite"
    entered = wqmon(
        "enter-indicator", "green-coverage", "36.5", "--period", "2026", "--evidence", "园林局2026年报", "--by", "李四",
        store=store_url, state=state,
    )  # fmt: skip
    assert entered.returncode == 0, entered.stderr
    capacity = wqmon(
        "enter-indicator", "monitoring-capacity", "不达标", "--period", "2026", "--dated", "2026-11-30",
        "--evidence", "标准化建设验收意见", "--by", "李四", store=store_url, state=state,
    )  # fmt: skip
    assert capacity.returncode == 0, capacity.stderr
    result = wqmon("indicators", "--period", "2026", "--json", store=store_url, state=state)
    assert result.returncode == 0, result.stderr
    card = json.loads(result.stdout)
    rows = {r["id"]: r for r in card["indicators"]}
    assert (rows["green-coverage"]["value"], rows["green-coverage"]["status"]) == (36.5, "达标")
    assert rows["green-coverage"]["entered"]["entered_by"] == "李四"
    assert (rows["drinking-water-sources"]["value"], rows["drinking-water-sources"]["status"]) == (97.92, "基本达标")
    assert [p["status"] for p in rows["water-environment"]["parts"]] == ["达标", "基本达标"]
    assert rows["sewage-treatment"]["evidence"][0]["value"] == 66.67
    assert rows["monitoring-capacity"]["entered"]["dated"] == "2026-11-30"
    assert card["summary"] == "1 达标, 2 基本达标, 1 不达标, 2 无数据, 18 分"
    table = wqmon("indicators", "--period", "2026", store=store_url, state=state).stdout
    assert "依据 污水处理厂出水日均值达标率: 66.67% (2/3)" in table
    assert "2026-11-30: 标准化建设验收意见" in table


def test_export_writes_a_cf_netcdf_cube(store_url: str, tmp_path: Path) -> None:
    path = tmp_path / "2026.nc"
    result = wqmon("export", "--netcdf", str(path), "--period", "2026", "--store", store_url, store="duckdb:///nowhere")
    assert result.returncode == 0, result.stderr
    with xr.open_dataset(path) as cube:
        assert cube.attrs["Conventions"] == "CF-1.8"
        assert cube.sizes["time"] == 12
        assert float(cube["value"].sel(site="s-town", parameter="w21003").isel(time=6)) == 1.6


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["compliance", "--period", "2026-13"], "month 13 is not 01-12"),
        (["evaluate", "--period", "2026", "--site", "nowhere"], "unknown site 'nowhere'"),
        (["enter-indicator", "drinking-water-sources", "99", "--period", "2026", "--evidence", "x", "--by", "y"],
         "not entered by hand"),
        (["enter-indicator", "plant-outflow", "99", "--period", "2026", "--evidence", "x", "--by", "y"],
         "unknown indicator 'plant-outflow'"),
        (["enter-indicator", "monitoring-capacity", "不达标", "--period", "2026", "--evidence", "x", "--by", "y"],
         "give the date of its evidence with --dated YYYY-MM-DD"),
        (["enter-indicator", "monitoring-capacity", "良好", "--period", "2026", "--dated", "2026-01-02",
          "--evidence", "x", "--by", "y"], "status '良好' is not one of 达标, 基本达标, 不达标"),
        (["enter-indicator", "green-coverage", "高", "--period", "2026", "--evidence", "x", "--by", "y"],
         "value '高' is not a number"),
    ],
)  # fmt: skip
def test_bad_input_exits_2_with_a_clear_message(store_url: str, args: list[str], message: str, tmp_path: Path) -> None:
    result = wqmon(*args, store=store_url, state=tmp_path / "s.sqlite")
    assert result.returncode == 2
    assert message in result.stderr
