"""Hydrological seasons (GB 3838-2002 §4) and the season period notation."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from models.errors import ConfigError
from models.methods.seasons import season_of_months, seasons_from_mapping
from models.period.periods import PeriodError, parse_period
from models.sites import Site

YEAR = {"wet": [6, 7, 8, 9], "normal": [3, 4, 5, 10], "dry": [11, 12, 1, 2]}


def test_season_periods_span_their_year_and_keep_existing_forms() -> None:
    period = parse_period("2026-wet")
    assert (period.kind, period.season, period.first, period.end) == (
        "season", "wet", dt.date(2026, 1, 1), dt.date(2027, 1, 1),
    )  # fmt: skip
    assert parse_period("2026-枯水期").label == "2026-dry"
    assert parse_period("2026-10").kind == "month" and parse_period("2026-10").season is None
    assert parse_period("2026").kind == "year"
    with pytest.raises(PeriodError, match="YYYY-wet"):
        parse_period("2026-rainy")


def test_site_overrides_zone_overrides_default() -> None:
    seasons = seasons_from_mapping(
        {"default": YEAR, "zones": {"z": {**YEAR, "wet": [5, 6, 7, 8, 9], "normal": [3, 4, 10]}},
         "sites": {"b": {"wet": [7], "normal": [1, 2, 3, 4, 5, 6], "dry": [8, 9, 10, 11, 12]}}},
        origin="seasons.yaml",
    )  # fmt: skip
    sites = {
        "a": Site(id="a", name="A", kind="section", standard="GB3838-2002", target="III"),
        "b": Site(id="b", name="B", kind="section", standard="GB3838-2002", target="III", zone="z"),
        "c": Site(id="c", name="C", kind="section", standard="GB3838-2002", target="III", zone="z"),
    }
    frame = pd.Series(["a", "a", "b", "c", "x"])
    found = season_of_months(frame, np.array([1, 5, 7, 5, 7]), seasons, sites)
    assert list(found) == ["dry", "normal", "wet", "wet", None]


def test_months_must_cover_the_year_once() -> None:
    with pytest.raises(ConfigError, match="seasons.yaml: default: .*month 2 is in more than one season"):
        seasons_from_mapping({"default": {**YEAR, "wet": [2, 6, 7, 8, 9]}}, origin="seasons.yaml")
    with pytest.raises(ConfigError, match="month 9 is in no season"):
        seasons_from_mapping({"default": {**YEAR, "wet": [6, 7, 8]}}, origin="seasons.yaml")
