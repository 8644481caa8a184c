"""An in-process store kept in one pandas frame (`memory://`): for tests and throwaway runs.

Nothing survives the process. It follows the Store contract (store/base.py) so the service can run
before, or without, a DuckDB or InfluxDB store.
"""

import datetime as dt
import threading
from collections.abc import Sequence

import numpy as np
import pandas as pd

from models.reading import KEY_COLUMNS, as_readings, empty_readings
from store.base import Interval

_PERIOD_FREQ = {"hour": "h", "day": "D", "month": "M", "year": "Y"}


class MemoryStore:
    """Readings in memory, idempotent on the reading key."""

    def __init__(self, url: str = "memory://") -> None:
        self.url = url
        self._frame = empty_readings()
        self._lock = threading.Lock()

    def write(self, readings: pd.DataFrame) -> int:
        """Store readings; a reading with an existing key replaces the stored one."""
        frame = as_readings(readings)
        with self._lock:
            merged = pd.concat([self._frame, frame], ignore_index=True) if len(self._frame) else frame
            self._frame = merged.drop_duplicates(list(KEY_COLUMNS), keep="last").reset_index(drop=True)
        return len(frame)

    def read(
        self,
        *,
        sites: Sequence[str] | None = None,
        parameters: Sequence[str] | None = None,
        start: dt.datetime | None = None,
        end: dt.datetime | None = None,
        statistics: Sequence[str] | None = None,
        flags: Sequence[str] | None = None,
    ) -> pd.DataFrame:
        """Readings in [start, end) matching the filters, sorted by site, parameter, time."""
        with self._lock:
            frame = self._frame
        keep = np.ones(len(frame), dtype=bool)
        for column, wanted in (("site", sites), ("parameter", parameters), ("statistic", statistics), ("flag", flags)):
            if wanted is not None:
                keep &= frame[column].isin(list(wanted)).to_numpy()
        if start is not None:
            keep &= (frame["time"] >= pd.Timestamp(start)).to_numpy()
        if end is not None:
            keep &= (frame["time"] < pd.Timestamp(end)).to_numpy()
        return frame[keep].sort_values(["site", "parameter", "time"], kind="stable").reset_index(drop=True)

    def aggregate(
        self,
        interval: Interval,
        *,
        sites: Sequence[str] | None = None,
        parameters: Sequence[str] | None = None,
        start: dt.datetime | None = None,
        end: dt.datetime | None = None,
        statistics: Sequence[str] | None = None,
        flags: Sequence[str] | None = ("N",),
        timezone: str = "Asia/Shanghai",
    ) -> pd.DataFrame:
        """Mean, min, max and count per site, parameter and local calendar period."""
        frame = self.read(sites=sites, parameters=parameters, start=start, end=end, statistics=statistics, flags=flags)
        columns = ["site", "parameter", "period", "mean", "min", "max", "count"]
        if frame.empty:
            return pd.DataFrame({c: pd.Series(dtype="float64") for c in columns}).astype(
                {"site": "string", "parameter": "string", "period": "datetime64[ns, UTC]", "count": "int64"}
            )
        local = frame["time"].dt.tz_convert(timezone).dt.tz_localize(None)
        period = local.dt.to_period(_PERIOD_FREQ[interval]).dt.start_time
        frame = frame.assign(
            period=period.dt.tz_localize(timezone).dt.tz_convert("UTC"),
            counted=frame["value"].where(~frame["non_detect"], frame["value"] / 2),
        )
        grouped = frame.groupby(["site", "parameter", "period"], observed=True)["counted"]
        result = grouped.agg(["mean", "min", "max", "count"]).reset_index()
        return result.astype({"count": "int64", "period": "datetime64[ns, UTC]"})

    def latest(self, *, sites: Sequence[str] | None = None, parameters: Sequence[str] | None = None) -> pd.DataFrame:
        """The newest reading of each (site, parameter, statistic)."""
        frame = self.read(sites=sites, parameters=parameters)
        return frame.drop_duplicates(["site", "parameter", "statistic"], keep="last").reset_index(drop=True)

    def series(self) -> pd.DataFrame:
        """One row per (site, parameter, statistic): count, first and last time."""
        with self._lock:
            frame = self._frame
        grouped = frame.groupby(["site", "parameter", "statistic"], observed=True)["time"]
        return grouped.agg(count="count", first="min", last="max").reset_index()

    def close(self) -> None:
        """Nothing to flush."""
