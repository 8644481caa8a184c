"""Reporting periods: a month "2026-10", a quarter "2026-Q3", a year "2026", a range, or a season.

A season of a year ("2026-wet", "2026-normal", "2026-dry", or 2026-丰水期 / 平水期 / 枯水期) spans
the calendar year; its evaluation keeps the months each site counts in that hydrological season
(models.methods.seasons, GB 3838-2002 §4), so a dry season of Nov-Feb takes Jan, Feb, Nov and
Dec of that year.

Days, months and years are local calendar periods (Asia/Shanghai by default, DESIGN.md); a
period's bounds are given both as local dates and as UTC instants for reading the store.
"""

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal
from zoneinfo import ZoneInfo

import pandas as pd

PeriodKind = Literal["month", "quarter", "year", "range", "season"]

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$", re.IGNORECASE)
_YEAR = re.compile(r"^(\d{4})$")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:\.\.|/)(\d{4}-\d{2}-\d{2})$")
_SEASON = re.compile(r"^(\d{4})-(wet|normal|dry|丰水期|平水期|枯水期)$", re.IGNORECASE)
SEASON_WORDS = {"丰水期": "wet", "平水期": "normal", "枯水期": "dry"}
PERIOD_FORMS = (
    "YYYY-MM (month), YYYY-Qn (quarter), YYYY (year), YYYY-MM-DD..YYYY-MM-DD (range, end included) "
    "or YYYY-wet / YYYY-normal / YYYY-dry (season of a year)"
)


class PeriodError(ValueError):
    """A period label is not one of the accepted forms."""


@dataclass(frozen=True)
class Period:
    """A local calendar period [first, end) with its label."""

    label: str
    kind: PeriodKind
    first: dt.date  # first local day
    end: dt.date  # local day after the last one
    timezone: str = "Asia/Shanghai"
    season: str | None = None  # wet | normal | dry for a season of a year

    @property
    def start_utc(self) -> dt.datetime:
        """The period's first instant, in UTC."""
        return _local_midnight(self.first, self.timezone)

    @property
    def end_utc(self) -> dt.datetime:
        """The instant after the period, in UTC."""
        return _local_midnight(self.end, self.timezone)

    @property
    def days(self) -> int:
        """Number of local days in the period."""
        return (self.end - self.first).days

    def months(self) -> pd.DatetimeIndex:
        """Start (UTC) of each local month that the period touches."""
        first = pd.Timestamp(self.first.replace(day=1)).tz_localize(self.timezone)
        last = pd.Timestamp(self.end - dt.timedelta(days=1)).tz_localize(self.timezone)
        return pd.date_range(first, last, freq="MS").tz_convert("UTC")


MIN_YEAR, MAX_YEAR = 1900, 2199  # also keeps the period's end inside datetime's range


def parse_period(label: str, *, timezone: str = "Asia/Shanghai") -> Period:
    """The period named by `label`; PeriodError naming the accepted forms."""
    text = label.strip()
    year_match = re.match(r"^(\d{4})", text)
    if year_match and not MIN_YEAR <= int(year_match[1]) <= MAX_YEAR:
        raise PeriodError(f"period {label!r}: year {year_match[1]} is not between {MIN_YEAR} and {MAX_YEAR}")
    if match := _MONTH.match(text):
        year, month = int(match[1]), int(match[2])
        if not 1 <= month <= 12:
            raise PeriodError(f"period {label!r}: month {month} is not 01-12")
        first = dt.date(year, month, 1)
        return Period(text, "month", first, _add_months(first, 1), timezone)
    if match := _QUARTER.match(text):
        first = dt.date(int(match[1]), 3 * int(match[2]) - 2, 1)
        return Period(text.upper(), "quarter", first, _add_months(first, 3), timezone)
    if match := _YEAR.match(text):
        first = dt.date(int(match[1]), 1, 1)
        return Period(text, "year", first, _add_months(first, 12), timezone)
    if match := _RANGE.match(text):
        try:
            first, last = dt.date.fromisoformat(match[1]), dt.date.fromisoformat(match[2])
        except ValueError as error:
            raise PeriodError(f"period {label!r}: {error}") from None
        if last < first:
            raise PeriodError(f"period {label!r}: ends before it starts")
        return Period(text, "range", first, last + dt.timedelta(days=1), timezone)
    if match := _SEASON.match(text):
        season = SEASON_WORDS.get(match[2], match[2].lower())
        first = dt.date(int(match[1]), 1, 1)
        return Period(f"{match[1]}-{season}", "season", first, _add_months(first, 12), timezone, season)
    raise PeriodError(f"period {label!r} is not one of {PERIOD_FORMS}")


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _local_midnight(day: dt.date, timezone: str) -> dt.datetime:
    local = dt.datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(timezone))
    return local.astimezone(dt.UTC)
