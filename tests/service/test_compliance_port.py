"""ComplianceService: the CompliancePort the HTTP API calls, over a real DuckDB store and StateDB."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from models.configuration import Configuration
from models.errors import ConfigError
from service.compliance_port import ComplianceService
from service.settings import Settings
from store.duckdb_store import DuckDBStore
from store.indicator_values import IndicatorValues
from store.state import StateDB
from tests.county_data import county_year


@pytest.fixture
def service(county: Configuration, tmp_path: Path) -> Iterator[ComplianceService]:
    store, state = DuckDBStore(tmp_path / "wqmon.duckdb"), StateDB(tmp_path / "state.sqlite")
    store.write(county_year())
    yield ComplianceService(county, store, state, Settings(config_dir=county.folder))
    store.close()
    state.close()


def test_rates_of_one_site_kind(service: ComplianceService) -> None:
    body = service.compliance(period="2026", kind="source")
    assert list(body["rates"]) == ["drinking_water_sources"]
    assert body["rates"]["drinking_water_sources"]["rate"] == 97.92
    with pytest.raises(ConfigError, match="kind 'river' is not one of plant, section, lake, source"):
        service.compliance(period="2026", kind="river")


def test_values_entered_over_http_count_in_the_scorecard(service: ComplianceService) -> None:
    IndicatorValues(service.state).put(
        indicator="public-satisfaction", period="2026", value=82.0, note="2026年满意度调查", entered_by="api-key-1"
    )
    rows = {r["id"]: r for r in service.indicators(period="2026")["indicators"]}
    assert (rows["public-satisfaction"]["value"], rows["public-satisfaction"]["status"]) == (82.0, "基本达标")
    assert rows["drinking-water-sources"]["numerator"] == 3916666.67
    card = service.scorecard(period="2026")
    assert card["summary"] == "1 达标, 4 基本达标, 1 不达标, 2 无数据, 23.5 分"


def test_evaluations_of_one_site(service: ComplianceService) -> None:
    body = service.evaluations(period="2026-07", site="s-town")
    assert [s["class"] for s in body["sites"]] == ["V"]
