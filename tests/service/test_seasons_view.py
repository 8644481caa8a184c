"""`wqmon seasons` and `/api/v1/seasons`: a year and its wet, normal and dry seasons side by side.

Hand-worked county (GB 3838-2002 表1, river NH3-N: I ≤0.15, II ≤0.5, III ≤1.0, IV ≤1.5, V ≤2.0).
Both sections take one NH3-N sample on the 10th of every month of 2025: 1.2 in May-September,
0.4 in March, April and October, 0.9 in November-February.

a (the county's seasons, config/seasons.yaml default: wet 5-9, normal 3,4,10, dry 11,12,1,2):
  year    (5×1.2 + 3×0.4 + 4×0.9) / 12 = 10.8 / 12 = 0.9  -> III
  wet     1.2 -> IV      normal  0.4 -> II      dry  0.9 -> III      worst: wet
b (its own months: wet 6-8, normal 4,5,9,10, dry 11,12,1,2,3):
  year    0.9 -> III (same samples)
  wet     1.2 -> IV      normal (0.4+1.2+1.2+0.4)/4 = 0.8 -> III
  dry     (4×0.9 + 0.4)/5 = 0.8 -> III                                worst: wet
County (2 sections < 5: each item averaged over the sections and judged as one, 环办〔2011〕22号):
  year 0.9 -> III 良好; wet 1.2 -> IV 轻度污染; normal a 0.4, b 0.8 -> 0.6 (0.63 weighted by
  samples) -> III 良好; dry a 0.9, b 0.8 -> III 良好.
"""

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from models.configuration import Configuration
from service.cli import app
from service.demo import demo_readings
from service.seasons_view import seasons_for
from store import open_store
from tests.reading_builders import samples
from tests.service.conftest import LiveApi

SITES = """
sites:
  - {id: a, name: 清溪甲断面, kind: section, standard: GB3838-2002, target: III, river: 清溪}
  - {id: b, name: 清溪乙断面, kind: section, standard: GB3838-2002, target: III, river: 清溪}
"""
SEASONS = """
default: {wet: [5, 6, 7, 8, 9], normal: [3, 4, 10], dry: [11, 12, 1, 2]}
sites:
  b: {wet: [6, 7, 8], normal: [4, 5, 9, 10], dry: [11, 12, 1, 2, 3]}
"""
NH3N = {1: 0.9, 2: 0.9, 3: 0.4, 4: 0.4, 5: 1.2, 6: 1.2, 7: 1.2, 8: 1.2, 9: 1.2, 10: 0.4, 11: 0.9, 12: 0.9}


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    folder = tmp_path_factory.mktemp("seasons")
    config = folder / "config"
    config.mkdir()
    (config / "sites.yaml").write_text(SITES, encoding="utf-8")
    (config / "seasons.yaml").write_text(SEASONS, encoding="utf-8")
    days = [f"2025-{month:02d}-10" for month in NH3N]
    readings = pd.concat([samples(site, "w21003", days, list(NH3N.values())) for site in ("a", "b")])
    url = f"duckdb:///{folder / 'store.duckdb'}"
    store = open_store(url)
    store.write(readings.reset_index(drop=True))
    store.close()
    return url, config


def wqmon(county: tuple[str, Path], *args: str) -> CliRunner:
    url, config = county
    return CliRunner().invoke(app, list(args), env={"WQMON_STORE": url, "WQMON_CONFIG_DIR": str(config)})


def classes(site: dict) -> list[str | None]:
    return [site["periods"][label]["class"] for label in ("2025", "2025-wet", "2025-normal", "2025-dry")]


def test_each_site_is_judged_in_the_year_and_in_its_own_season_months(county: tuple[str, Path]) -> None:
    result = wqmon(county, "seasons", "--year", "2025", "--json")
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert [c["name"] for c in body["columns"]] == ["全年", "丰水期", "平水期", "枯水期"]
    a, b = body["sites"]
    assert classes(a) == ["III", "IV", "II", "III"]
    assert classes(b) == ["III", "IV", "III", "III"]
    assert (a["worst_season"], b["worst_season"]) == ("wet", "wet")
    assert b["periods"]["2025-dry"]["months"] == [11, 12, 1, 2, 3]
    assert a["periods"]["2025-wet"]["meets_target"] is False
    assert a["periods"]["2025-wet"]["main_pollutants"] == [{"code": "w21003", "name": "氨氮"}]
    assert a["periods"]["2025-wet"]["colour"]["name"] == "yellow"  # class IV


def test_the_county_is_rated_per_column(county: tuple[str, Path]) -> None:
    body = json.loads(wqmon(county, "seasons", "--year", "2025", "--json").stdout)
    ratings = [body["county"][label]["rating_zh"] for label in ("2025", "2025-wet", "2025-normal", "2025-dry")]
    assert ratings == ["良好", "轻度污染", "良好", "良好"]


def test_a_season_column_equals_the_evaluation_of_that_season(county: tuple[str, Path]) -> None:
    seasons = json.loads(wqmon(county, "seasons", "--year", "2025", "--json").stdout)
    evaluated = json.loads(wqmon(county, "evaluate", "--period", "2025-normal", "--json").stdout)
    assert {s["site"]: s["class"] for s in evaluated["sites"]} == {
        s["site"]: s["periods"]["2025-normal"]["class"] for s in seasons["sites"]
    }


def test_the_table_shows_the_columns_side_by_side(county: tuple[str, Path]) -> None:
    result = wqmon(county, "seasons", "--year", "2025")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["断面/点位", "全年", "丰水期", "平水期", "枯水期", "最差水期"]
    assert lines[1].split() == ["清溪甲断面", "III", "IV", "II", "III", "丰水期"]


def test_a_period_that_is_not_a_year_is_refused_with_what_to_give(county: tuple[str, Path]) -> None:
    result = wqmon(county, "seasons", "--year", "2025-06")
    assert result.exit_code != 0
    assert "give a year such as" in result.output


def test_the_api_serves_the_cli_answer_to_viewer_and_scoring_keys(live: LiveApi) -> None:
    live.store.write(demo_readings())
    config = Configuration.load(live.settings.config_dir)
    expected = json.loads(json.dumps(seasons_for(config, live.store, "2025")))
    for role in ("viewer", "scoring"):
        with live.client(role) as client:
            answer = client.get("/api/v1/seasons", params={"year": "2025"})
        assert answer.status_code == 200, answer.text
        assert answer.json() == expected
    assert any(site["periods"]["2025-wet"]["class"] for site in expected["sites"])
    with live.client("ingest") as client:
        assert client.get("/api/v1/seasons", params={"year": "2025"}).status_code == 403
    with live.client("viewer") as client:
        refused = client.get("/api/v1/seasons", params={"year": "2025-wet"})
    assert refused.status_code == 422 and refused.headers["content-type"] == "application/problem+json"
