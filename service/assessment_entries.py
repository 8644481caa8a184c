"""A file of hand-entered indicator values and statuses (YAML), entered in one go.

The file names its period and who enters it, then ``values`` (indicator, value, evidence) and
``statuses`` (indicator or basic condition, status, dated, evidence); see
config/examples/model-city/entries.yaml. Every entry is checked against the indicator system
before any is stored, so a bad line stores nothing and the message names the file and entry.
"""

import datetime as dt
from pathlib import Path
from typing import Any

from models.configuration import read_config_file
from models.errors import ConfigError
from models.rates.indicators import Indicator, IndicatorSystem
from store.indicator_entries import IndicatorEntries
from store.state import StateDB


def enter_entries_file(path: Path, system: IndicatorSystem, state: StateDB, *, now: dt.datetime) -> int:
    """Enter every value and status of `path`; how many were entered."""
    data = read_config_file(path)
    period = str(data.get("period") or "")
    by = str(data.get("entered_by") or "")
    if not period or not by:
        raise ConfigError(f"{path}: give period and entered_by at the top of the file")
    values = [_checked(path, e, system, status=False) for e in data.get("values") or []]
    statuses = [_checked(path, e, system, status=True) for e in data.get("statuses") or []]
    entries = IndicatorEntries(state)
    with state.transaction():
        for entry in values:
            entries.enter(
                entry["indicator"], period, float(entry["value"]), evidence=str(entry["evidence"]),
                entered_by=by, entered_at=now,
            )  # fmt: skip
        for entry in statuses:
            entries.enter_status(
                entry["indicator"], period, str(entry["status"]), evidence=str(entry["evidence"]),
                dated=dt.date.fromisoformat(str(entry["dated"])), entered_by=by, entered_at=now,
            )  # fmt: skip
    return len(values) + len(statuses)


def _checked(path: Path, entry: Any, system: IndicatorSystem, *, status: bool) -> dict[str, Any]:
    where = f"{path}: {'statuses' if status else 'values'} entry {entry!r}"
    if not isinstance(entry, dict) or not entry.get("evidence"):
        raise ConfigError(f"{where}: each entry needs indicator and evidence")
    known = system.entered(str(entry.get("indicator")))
    if known is None:
        raise ConfigError(f"{where}: no indicator or basic condition has this id")
    if isinstance(known, Indicator) and not known.is_manual:
        raise ConfigError(f"{where}: '{known.id}' is computed from data, not entered by hand")
    if status != (not isinstance(known, Indicator) or known.is_qualitative):
        kind = "a status (statuses:)" if not status else "a number (values:)"
        raise ConfigError(f"{where}: '{known.id}' is entered as {kind}")
    try:
        if status:
            dt.date.fromisoformat(str(entry.get("dated")))
        else:
            float(entry["value"])
    except (KeyError, TypeError, ValueError):
        raise ConfigError(f"{where}: {'dated must be YYYY-MM-DD' if status else 'value must be a number'}") from None
    return dict(entry)
