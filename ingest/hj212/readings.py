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
    return _STATISTICS.get((cn, field))


def _statistics() -> dict[tuple[str, str], str]:
    table = {}
    for cn, period in DATA_COMMANDS.items():
        if period == "rtd":
            table[(cn, "Rtd")] = "rtd"
        else:
            table.update({(cn, field): f"{period}_{suffix}" for field, suffix in _SUFFIX.items()})
    return table


_STATISTICS: Final[dict[tuple[str, str], str]] = _statistics()


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
        statistics = _STATISTICS
        kept = [
            (value, statistic)
            for value in values.values
            if value.parameter is not None and (statistic := statistics.get((cn, value.field))) is not None
        ]
        count = len(kept)
        if count:
            self.site += [site] * count
            self.parameter += [value.parameter for value, _ in kept]  # type: ignore[misc]
            self.time_ns += [time_ns] * count
            self.statistic += [statistic for _, statistic in kept]
            self.value += [value.value * value.factor for value, _ in kept]
            self.flag += [value.flag for value, _ in kept]
            self.source += [source] * count
        return count, len(values.values) - count

    def take(self, count: int) -> "ReadingRows":
        """Move the first `count` readings out into a new ReadingRows (the oldest packets' batch)."""
        head = ReadingRows()
        for name in ("site", "parameter", "time_ns", "statistic", "value", "flag", "source"):
            column = getattr(self, name)
            setattr(head, name, column[:count])
            del column[:count]
        return head

    def frame(self, *, validate: bool = True) -> pd.DataFrame:
        """The gathered readings in the reading shape (checked by as_readings unless `validate` is False:
        a store's write() checks them anyway, and every value here already comes from a closed set)."""
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
        return as_readings(frame) if validate else frame
