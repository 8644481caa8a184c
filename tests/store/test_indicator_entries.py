"""Hand-entered indicator values: kept with evidence, who and when; the newest counts."""

import datetime as dt
from pathlib import Path

import pytest

from store.indicator_entries import IndicatorEntries
from store.state import StateDB


def test_entries_keep_who_and_when_and_the_newest_wins(tmp_path: Path) -> None:
    state = StateDB(tmp_path / "state.sqlite")
    entries = IndicatorEntries(state)
    when = dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    entries.enter("green-coverage", "2026", 36.2, evidence="园林局2026年报", entered_by="李四", entered_at=when)
    entries.enter("green-coverage", "2026", 36.5, evidence="园林局更正函", entered_by="王五", entered_at=when)
    state.close()
    reopened = IndicatorEntries(StateDB(tmp_path / "state.sqlite"))
    value = reopened.for_period("2026")["green-coverage"]
    assert (value.value, value.entered_by, value.entered_at) == (36.5, "王五", "2026-11-02T01:30:00+00:00")
    assert [v.value for v in reopened.history("green-coverage", "2026")] == [36.2, 36.5]
    assert reopened.for_period("2025") == {}


def test_a_value_without_evidence_is_refused(tmp_path: Path) -> None:
    entries = IndicatorEntries(StateDB(tmp_path / "state.sqlite"))
    with pytest.raises(ValueError, match="needs its evidence"):
        entries.enter(
            "green-coverage", "2026", 36.0, evidence=" ", entered_by="李四", entered_at=dt.datetime.now(dt.UTC)
        )
