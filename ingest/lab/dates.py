"""Sampling times as labs write them, vectorised: Excel dates, Excel serial numbers and text.

Text forms: "2024-05-06 10:30", "2024/5/6 10:30:00", "2024.5.6", "2024年5月6日 10时30分",
"20240506". Times in lab files are local (Asia/Shanghai by default) and are returned in UTC;
an ISO 8601 time with an offset ("2024-05-06T10:30:00+08:00", "…Z") keeps its offset.
"""

import datetime as dt
import unicodedata
from typing import Final

import numpy as np
import pandas as pd

_EXCEL_EPOCH: Final = pd.Timestamp("1899-12-30")
# An Excel serial between these is a date from 1954 to 2119; other numbers are not dates.
_SERIAL_RANGE: Final[tuple[float, float]] = (20_000.0, 80_000.0)
_TEXT: Final = (
    r"^\s*(?P<year>\d{4})(?:[-/.年]\s*(?P<month>\d{1,2})[-/.月]\s*(?P<day>\d{1,2})日?|(?P<m2>\d{2})(?P<d2>\d{2}))"
    r"(?:[\sT]*(?P<hour>\d{1,2})(?:[:：时]\s*(?P<minute>\d{1,2})(?:[:：分]\s*(?P<second>\d{1,2}(?:\.\d+)?))?)?[时分秒]?)?\s*$"
)
_ZONED: Final = r"\d[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}:?\d{2})$"
_CLOCK: Final = r"^\s*(?P<hour>\d{1,2})[:：时]\s*(?P<minute>\d{1,2})(?:[:：分]\s*(?P<second>\d{1,2}))?[分秒]?\s*$"


def parse_times(cells: pd.Series, *, timezone: str = "Asia/Shanghai") -> pd.Series:
    """UTC times (datetime64[ns, UTC]) for a column of date cells; NaT where a cell is not a date.

    Naive values are local times in `timezone`; datetime objects that carry a zone keep it.
    """
    local = pd.Series(pd.NaT, index=cells.index, dtype="datetime64[ns]")
    kinds = cells.map(_kind)
    stamps = kinds == "datetime"
    if stamps.any():
        local[stamps] = pd.to_datetime(cells[stamps].map(_naive_local(timezone)))
    dates = kinds == "date"
    if dates.any():
        local[dates] = pd.to_datetime(cells[dates].map(lambda d: dt.datetime(d.year, d.month, d.day)))
    numbers = kinds == "number"
    if numbers.any():
        serial = cells[numbers].astype(float)
        plausible = serial.between(*_SERIAL_RANGE)
        local[serial.index[plausible]] = _EXCEL_EPOCH + pd.to_timedelta(serial[plausible], unit="D").dt.round(
            "ms"
        )  # Excel keeps ms
    texts = kinds == "text"
    if texts.any():
        text = cells[texts].astype(str)
        zoned = text.str.contains(_ZONED)  # ISO 8601 with an offset or Z: the offset is kept
        if zoned.any():
            instants = pd.to_datetime(text[zoned], utc=True, errors="coerce", format="ISO8601")
            local[zoned[zoned].index] = instants.dt.tz_convert(timezone).dt.tz_localize(None)
        if (~zoned).any():
            local[zoned[~zoned].index] = _parse_text(text[~zoned])
    return local.dt.tz_localize(timezone).dt.tz_convert("UTC").astype("datetime64[ns, UTC]")


def add_clock(times: pd.Series, clocks: pd.Series) -> pd.Series:
    """`times` (dates) plus the time of day in `clocks` ("10:30", a datetime.time); NaT where unreadable."""
    offsets = pd.Series(pd.NaT, index=clocks.index, dtype="timedelta64[ns]")
    objects = clocks.map(lambda c: isinstance(c, dt.time))
    if objects.any():
        offsets[objects] = pd.to_timedelta(clocks[objects].map(lambda c: c.isoformat()))
    fractions = clocks.map(lambda c: isinstance(c, float | int) and not isinstance(c, bool) and 0 <= c < 1)
    if fractions.any():
        offsets[fractions] = pd.to_timedelta(clocks[fractions].astype(float).round(8), unit="D")
    rest = ~objects & ~fractions & clocks.map(lambda c: isinstance(c, str) and bool(c.strip()))
    if rest.any():
        parts = clocks[rest].astype(str).str.extract(_CLOCK)
        numbers = parts.apply(pd.to_numeric, errors="coerce").fillna({"second": 0})
        valid = numbers["hour"].between(0, 23) & numbers["minute"].between(0, 59) & numbers["second"].between(0, 59)
        seconds = numbers["hour"] * 3600 + numbers["minute"] * 60 + numbers["second"]
        offsets[rest] = pd.to_timedelta(seconds.where(valid), unit="s")
    empty = clocks.map(lambda c: c is None or (isinstance(c, str) and not c.strip()) or c is pd.NA)
    offsets[empty] = pd.Timedelta(0)
    return times + offsets


def _kind(cell: object) -> str:
    if isinstance(cell, dt.datetime | pd.Timestamp):
        return "datetime"
    if isinstance(cell, dt.date):
        return "date"
    if isinstance(cell, bool) or cell is None:
        return "none"
    if isinstance(cell, int | float | np.number):
        return "none" if np.isnan(float(cell)) else "number"
    if isinstance(cell, str):
        return "text" if cell.strip() else "none"
    return "none"


def _naive_local(timezone: str):  # type: ignore[no-untyped-def]
    def convert(stamp: dt.datetime) -> dt.datetime:
        if stamp.tzinfo is None:
            return stamp
        return pd.Timestamp(stamp).tz_convert(timezone).tz_localize(None).to_pydatetime()

    return convert


def _parse_text(texts: pd.Series) -> pd.Series:
    normal = texts.map(lambda t: unicodedata.normalize("NFKC", t))
    # Many rows share a time (every item of a sample): parse each distinct text once.
    unique = pd.Series(normal.unique())
    parts = unique.str.extract(_TEXT)
    parts["month"] = parts["month"].fillna(parts["m2"])
    parts["day"] = parts["day"].fillna(parts["d2"])
    numbers = parts[["year", "month", "day", "hour", "minute", "second"]].apply(pd.to_numeric, errors="coerce")
    numbers[["hour", "minute", "second"]] = numbers[["hour", "minute", "second"]].fillna(0)
    valid = (
        numbers["year"].between(1900, 2199)  # models/plausibility.py EARLIEST..LATEST: else a mistyped year
        & numbers["hour"].between(0, 23)
        & numbers["minute"].between(0, 59)
        & numbers["second"].between(0, 59.999)
    )
    parsed = pd.Series(pd.NaT, index=unique.index, dtype="datetime64[ns]")
    if valid.any():
        good = numbers[valid]
        parsed[valid] = pd.to_datetime(good[["year", "month", "day"]].astype(int), errors="coerce") + pd.to_timedelta(
            good["hour"] * 3600 + good["minute"] * 60 + good["second"], unit="s"
        )
    lookup = pd.Series(parsed.to_numpy(), index=unique.to_numpy())
    return pd.Series(lookup.reindex(normal.to_numpy()).to_numpy(), index=texts.index)
