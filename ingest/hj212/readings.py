"""Turn decoded HJ 212 packets into readings (models.reading), column by column for whole batches.

CN 2011 real-time data → statistic `rtd`; 2051 minute, 2061 hour, 2031 day data → `minute_*`,
`hour_*`, `day_*` with the field: Avg → *_avg, Min → *_min, Max → *_max, Cou → *_cou. The time
is CP DataTime (logger local time, the start of the period for 2051/2061/2031 — HJ 212-2017
Table 4) in UTC. Converted values (ZsRtd …) and fields that do not fit the command (Avg in a
real-time packet) have no statistic in the reading shape and are counted as skipped.
"""

import datetime as dt
from typing import Final

import numpy as np
import pandas as pd

from ingest.hj212.values import PacketValues
from models.reading import as_readings, empty_readings

DATA_COMMANDS: Final[dict[str, str]] = {"2011": "rtd", "2051": "minute", "2061": "hour", "2031": "day"}
_SUFFIX: Final[dict[str, str]] = {"Avg": "avg", "Min": "min", "Max": "max", "Cou": "cou"}
_EPOCH: Final[dt.datetime] = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_NS: Final[dt.timedelta] = dt.timedelta(microseconds=1)


def statistic_of(cn: str, field: str) -> str | None:
    """The reading statistic of a field in a data command, or None when it has none."""
    period = DATA_COMMANDS.get(cn)
    if period is None:
        return None
    if period == "rtd":
        return "rtd" if field == "Rtd" else None
    suffix = _SUFFIX.get(field)
    return None if suffix is None else f"{period}_{suffix}"


class ReadingRows:
    """Readings gathered packet by packet as plain columns; `frame()` builds one DataFrame."""

    def __init__(self) -> None:
        self.site: list[str] = []
        self.parameter: list[str] = []
        self.time_ns: list[int] = []
        self.statistic: list[str] = []
        self.value: list[float] = []
        self.flag: list[str] = []
        self.source: list[str] = []

    def __len__(self) -> int:
        return len(self.value)

    def add(self, *, site: str, mn: str, cn: str, data_time: dt.datetime, values: PacketValues) -> tuple[int, int]:
        """Add the storable values of one packet; return (readings added, values skipped)."""
        time_ns = (data_time - _EPOCH) // _NS * 1000
        source = f"hj212:{mn}"
        added = skipped = 0
        for value in values.values:
            statistic = statistic_of(cn, value.field)
            if statistic is None or value.parameter is None:
                skipped += 1
                continue
            self.site.append(site)
            self.parameter.append(value.parameter)
            self.time_ns.append(time_ns)
            self.statistic.append(statistic)
            self.value.append(value.value * value.factor)
            self.flag.append(value.flag)
            self.source.append(source)
            added += 1
        return added, skipped

    def frame(self) -> pd.DataFrame:
        """The gathered readings in the reading shape (validated by as_readings)."""
        if not self.value:
            return empty_readings()
        frame = pd.DataFrame(
            {
                "site": self.site,
                "parameter": self.parameter,
                "time": pd.to_datetime(np.asarray(self.time_ns, dtype="int64"), unit="ns", utc=True),
                "statistic": self.statistic,
                "value": np.asarray(self.value, dtype="float64"),
                "non_detect": np.zeros(len(self.value), dtype=bool),
                "flag": self.flag,
                "source": self.source,
            }
        )
        return as_readings(frame)
