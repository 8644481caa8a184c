"""What both backends share about queries: filter checking, local calendar periods, result shapes.

Both backends must give the same answers (tests/store/test_contract.py), so the rules live here once:

- times in filters must carry a zone; they are compared in UTC, `start` inclusive, `end` exclusive;
- a period is a local calendar hour, day, month or year in the requested zone, reported by its start
  as a UTC instant;
- times are kept to the microsecond (DuckDB's TIMESTAMPTZ resolution): finer times are floored,
  so readings a few nanoseconds apart share a key;
- a non-detect enters mean, min and max at half its detection limit (the usual convention of Chinese
  surface-water assessment: 未检出按检出限一半参与统计); `count` counts every reading in the period.
"""

import datetime as dt
import functools
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from store.base import Interval, StoreError

INTERVALS: Final[tuple[str, ...]] = ("hour", "day", "month", "year")
AGGREGATE_COLUMNS: Final[tuple[str, ...]] = ("site", "parameter", "period", "mean", "min", "max", "count")
SERIES_COLUMNS: Final[tuple[str, ...]] = ("site", "parameter", "statistic", "count", "first", "last")


@dataclass(frozen=True)
class Filters:
    """Checked filters of a read or an aggregate; None means "any"."""

    sites: tuple[str, ...] | None = None
    parameters: tuple[str, ...] | None = None
    start: pd.Timestamp | None = None
    end: pd.Timestamp | None = None
    statistics: tuple[str, ...] | None = None
    flags: tuple[str, ...] | None = None

    @classmethod
    def of(
        cls,
        *,
        sites: Sequence[str] | None = None,
        parameters: Sequence[str] | None = None,
        start: dt.datetime | None = None,
        end: dt.datetime | None = None,
        statistics: Sequence[str] | None = None,
        flags: Sequence[str] | None = None,
    ) -> "Filters":
        """Check and normalise the keyword filters of the Store protocol."""
        return cls(
            sites=_names(sites, "sites"),
            parameters=_names(parameters, "parameters"),
            start=utc_instant(start, "start"),
            end=utc_instant(end, "end"),
            statistics=_names(statistics, "statistics"),
            flags=_names(flags, "flags"),
        )


def _names(values: Sequence[str] | None, what: str) -> tuple[str, ...] | None:
    if values is None:
        return None
    if isinstance(values, str):
        raise StoreError(f"{what} must be a list of strings, not the string {values!r}")
    return tuple(str(v) for v in values)


def utc_instant(value: dt.datetime | None, what: str) -> pd.Timestamp | None:
    """`value` as a UTC timestamp; a naive datetime is refused since its zone would be a guess."""
    if value is None:
        return None
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is None:
        raise StoreError(f"{what}={value!r} has no time zone; give it in UTC (or any explicit zone)")
    return stamp.tz_convert("UTC")


def check_interval(interval: str) -> Interval:
    """Return `interval` if it is one of hour, day, month, year; raise StoreError otherwise."""
    if interval not in INTERVALS:
        raise StoreError(f"interval {interval!r} is not one of {', '.join(INTERVALS)}")
    return interval  # type: ignore[return-value]


def check_timezone(timezone: str) -> str:
    """Return `timezone` if it is an IANA zone name; raise StoreError otherwise."""
    try:
        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
        raise StoreError(f"time zone {timezone!r} is not an IANA zone name such as Asia/Shanghai or UTC") from error
    return timezone


def constant_offset_seconds(timezone: str, first: pd.Timestamp, last: pd.Timestamp) -> int | None:
    """The zone's UTC offset in seconds if it is the same at every instant of [first, last], else None.

    Checked every 15 minutes (zone transitions fall on quarter hours); ranges over 30 years are not
    checked and return None, so callers take their general path.
    """
    return _constant_offset_seconds(
        timezone, first.floor("D") - pd.Timedelta(days=1), last.ceil("D") + pd.Timedelta(days=1)
    )


@functools.lru_cache(maxsize=1024)
def _constant_offset_seconds(timezone: str, start: pd.Timestamp, stop: pd.Timestamp) -> int | None:
    # cached: the same spans of days come back with every query of a series (2.4 ms for a year)
    if stop - start > pd.Timedelta(days=366 * 30):
        return None
    instants = pd.date_range(start, stop, freq="15min", tz="UTC")
    offsets = (instants.tz_convert(timezone).tz_localize(None) - instants.tz_localize(None)).unique()
    return int(offsets[0].total_seconds()) if len(offsets) == 1 else None


def local_period_starts(local_starts: pd.Series, timezone: str) -> pd.Series:
    """UTC instants of local period starts given as naive local wall times.

    A wall time that occurs twice (DST ends) is taken at its first occurrence; one that does not
    occur (DST starts at midnight) moves forward to the first existing instant.
    """
    naive = pd.Series(pd.to_datetime(local_starts).astype("datetime64[ns]"), index=local_starts.index)
    aware = naive.dt.tz_localize(timezone, ambiguous=np.ones(len(naive), dtype=bool), nonexistent="shift_forward")
    return aware.dt.tz_convert("UTC").astype("datetime64[ns, UTC]")


def local_period_floor(times: pd.Series, interval: Interval, timezone: str) -> pd.Series:
    """The start (as a UTC instant) of the local calendar period holding each UTC time."""
    local = times.dt.tz_convert(timezone).dt.tz_localize(None).astype("datetime64[ns]")
    if interval == "hour":
        # An hour is 3600 s of absolute time ending on a local full hour: repeated wall-clock
        # hours at a DST change stay apart, and half-hour zones (Asia/Kolkata) are right.
        utc_ns = times.dt.tz_localize(None).astype("datetime64[ns]").to_numpy().view("int64")
        local_ns = local.to_numpy().view("int64")
        start_ns = utc_ns - local_ns % 3_600_000_000_000
        return pd.Series(pd.to_datetime(start_ns, utc=True), index=times.index).astype("datetime64[ns, UTC]")
    if interval == "day":
        floored = local.dt.floor("D")
    else:
        floored = local.dt.to_period("M" if interval == "month" else "Y").dt.start_time
    return local_period_starts(floored, timezone)


def to_microseconds(frame: pd.DataFrame) -> pd.DataFrame:
    """Readings with times floored to the microsecond (a copy only when some time is finer)."""
    nanoseconds = frame["time"].array.asi8
    if (nanoseconds % 1000 == 0).all():
        return frame
    return frame.assign(time=frame["time"].dt.floor("us"))


def empty_aggregate() -> pd.DataFrame:
    """An aggregate result with no rows."""
    return pd.DataFrame(
        {
            "site": pd.Series(dtype="string"),
            "parameter": pd.Series(dtype="string"),
            "period": pd.Series(dtype="datetime64[ns, UTC]"),
            "mean": pd.Series(dtype="float64"),
            "min": pd.Series(dtype="float64"),
            "max": pd.Series(dtype="float64"),
            "count": pd.Series(dtype="int64"),
        }
    )


def as_aggregate(frame: pd.DataFrame) -> pd.DataFrame:
    """An aggregate result with the column types and row order every backend returns."""
    if frame.empty:
        return empty_aggregate()
    frame = frame.loc[:, list(AGGREGATE_COLUMNS)].astype(
        {
            "site": "string",
            "parameter": "string",
            "period": "datetime64[ns, UTC]",
            "mean": "float64",
            "min": "float64",
            "max": "float64",
            "count": "int64",
        }
    )
    return frame.sort_values(["site", "parameter", "period"], kind="stable").reset_index(drop=True)


def as_series_table(frame: pd.DataFrame) -> pd.DataFrame:
    """A series() result with the column types and row order every backend returns."""
    types = {
        "site": "string",
        "parameter": "string",
        "statistic": "string",
        "count": "int64",
        "first": "datetime64[ns, UTC]",
        "last": "datetime64[ns, UTC]",
    }
    if frame.empty:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in types.items()})
    frame = frame.loc[:, list(SERIES_COLUMNS)].astype(types)
    return frame.sort_values(["site", "parameter", "statistic"], kind="stable").reset_index(drop=True)


def sort_readings(frame: pd.DataFrame) -> pd.DataFrame:
    """Readings in the protocol's order: site, parameter, time, then statistic and source."""
    return frame.sort_values(["site", "parameter", "time", "statistic", "source"], kind="stable").reset_index(drop=True)
