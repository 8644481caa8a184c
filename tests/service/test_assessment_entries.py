"""A file of hand-entered values and statuses: checked whole against the indicator system before any is stored."""

import datetime as dt
from pathlib import Path

import pytest
from typer.testing import CliRunner

from models.configuration import BUILTIN_CONFIG
from models.errors import ConfigError
from service.assessment_entries import enter_entries_file
from service.cli import app
from service.compliance_views import load_indicator_system
from store.indicator_entries import IndicatorEntries
from store.state import StateDB

EXAMPLE = BUILTIN_CONFIG / "examples" / "model-city"
NOW = dt.datetime(2026, 1, 5, 2, 0, tzinfo=dt.UTC)


def test_the_example_entries_are_entered_with_their_evidence_and_dates(tmp_path: Path) -> None:
    state = StateDB(tmp_path / "state.sqlite")
    assert enter_entries_file(EXAMPLE / "entries.yaml", load_indicator_system(EXAMPLE), state, now=NOW) == 17
    entries = IndicatorEntries(state)
    assert entries.for_period("2025")["green-coverage"].value == 33.8
    capacity = entries.statuses_for("2025")["monitoring-capacity"]
    assert (capacity.status, capacity.dated, capacity.entered_at) == (
        "不达标",
        "2025-11-30",
        "2026-01-05T02:00:00+00:00",
    )


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ("values:\n  - {indicator: nowhere, value: 1, evidence: x}\n", "no indicator or basic condition has this id"),
        ("values:\n  - {indicator: monitoring-capacity, value: 1, evidence: x}\n", "is entered as a status"),
        ("statuses:\n  - {indicator: green-coverage, status: 达标, dated: 2025-01-01, evidence: x}\n",
         "is entered as a number"),
        ("values:\n  - {indicator: drinking-water-sources, value: 1, evidence: x}\n", "computed from data"),
        ("statuses:\n  - {indicator: no-major-incident, status: 达标, dated: 31.12.2025, evidence: x}\n",
         "dated must be YYYY-MM-DD"),
        ("values:\n  - {indicator: green-coverage, value: 1}\n", "needs indicator and evidence"),
    ],
)  # fmt: skip
def test_a_bad_entry_names_the_file_and_entry_and_stores_nothing(tmp_path: Path, lines: str, message: str) -> None:
    path = tmp_path / "entries.yaml"
    good = "period: '2025'\nentered_by: 张三\nvalues:\n  - {indicator: clean-energy, value: 64, evidence: 年报}\n"
    # a bad value goes under the same `values:` list as the good one, a bad status in its own list
    path.write_text(good + lines.removeprefix("values:\n"), encoding="utf-8")
    state = StateDB(tmp_path / "state.sqlite")
    with pytest.raises(ConfigError, match=message) as error:
        enter_entries_file(path, load_indicator_system(EXAMPLE), state, now=NOW)
    assert str(error.value).startswith(f"{path}: ")
    assert IndicatorEntries(state).for_period("2025") == {}  # the good line before it is not stored either


def test_wqmon_enter_indicators_enters_a_file(tmp_path: Path) -> None:
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "indicators.yaml").write_bytes((EXAMPLE / "indicators.yaml").read_bytes())
    args = ["enter-indicators", str(EXAMPLE / "entries.yaml"), "--config-dir", str(tmp_path / "config")]
    result = CliRunner().invoke(app, [*args, "--state", str(tmp_path / "state.sqlite")])
    assert result.exit_code == 0, result.output
    assert "entered 17 values and statuses" in result.stdout
    assert len(IndicatorEntries(StateDB(tmp_path / "state.sqlite")).statuses_for("2025")) == 4
