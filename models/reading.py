"""The one record shape that crosses the layers: a reading.

Every ingestor yields a frame of readings and every store accepts one. Columns:

=============  ====================  =======================================================
column         dtype                 meaning
=============  ====================  =======================================================
site           string                site id (config/sites.yaml)
parameter      string                canonical parameter code (config/parameters.yaml)
time           datetime64[ns, UTC]   instant of the value; for a period value, its start
statistic      string (Statistic)    what the value is: a sample, a real-time value, a mean…
value          float64               in the catalogue unit; for a non-detect, its detection limit
non_detect     bool                  True when the value was below its detection limit ("0.01L")
flag           string (Flag)         HJ 212 data flag; "N" for normal data and lab results
source         string                where it came from: "hj212:<MN>", "lab:<file>", "pull:<name>"
=============  ====================  =======================================================

A non-detect carries its detection limit in `value` so every stored value is finite; code that
averages uses half of it (see `models.period.statistics`).
"""

from typing import Final, Literal, get_args

import numpy as np
import pandas as pd

from models.errors import ReadingsError

Statistic = Literal[
    "sample",  # a discrete (manual / lab) sample
    "rtd",  # HJ 212 real-time value
    "minute_avg", "minute_min", "minute_max", "minute_cou",
    "hour_avg", "hour_min", "hour_max", "hour_cou",
    "day_avg", "day_min", "day_max", "day_cou",
]  # fmt: skip
STATISTICS: Final[tuple[str, ...]] = get_args(Statistic)

# HJ 212-2017 Table 8 data flags, plus P (power failure) of HJ/T 212-2005.
Flag = Literal["N", "F", "M", "S", "D", "C", "T", "B", "P"]
FLAGS: Final[tuple[str, ...]] = get_args(Flag)
FLAG_MEANINGS: Final[dict[str, str]] = {
    "N": "在线监控（监测）仪器仪表工作正常",
    "F": "在线监控（监测）仪器仪表停运",
    "M": "在线监控（监测）仪器仪表处于维护期间产生的数据",
    "S": "手工输入的设定值",
    "D": "在线监控（监测）仪器仪表故障",
    "C": "在线监控（监测）仪器仪表处于校准状态",
    "T": "在线监控（监测）仪器仪表采样数值超过测量上限",
    "B": "在线监控（监测）仪器仪表与数采仪通讯异常",
    "P": "电源故障 (HJ/T 212-2005)",
}

COLUMNS: Final[tuple[str, ...]] = (
    "site", "parameter", "time", "statistic", "value", "non_detect", "flag", "source",
)  # fmt: skip
KEY_COLUMNS: Final[tuple[str, ...]] = ("site", "parameter", "time", "statistic", "source")

_DTYPES: Final[dict[str, str]] = {
    "site": "string",
    "parameter": "string",
    "time": "datetime64[ns, UTC]",
    "statistic": "string",
    "value": "float64",
    "non_detect": "bool",
    "flag": "string",
    "source": "string",
}


def empty_readings() -> pd.DataFrame:
    """A frame with the reading columns and no rows."""
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in _DTYPES.items()})


def as_readings(frame: pd.DataFrame) -> pd.DataFrame:
    """Return `frame` in the reading shape, or raise ReadingsError saying what is wrong.

    Missing `non_detect` defaults to False, missing `flag` to "N", missing `statistic` to "sample".
    Naive times are rejected: a reading's time must say it is UTC (or carry another zone).
    """
    frame = frame.copy()
    if "non_detect" not in frame:
        frame["non_detect"] = False
    if "flag" not in frame:
        frame["flag"] = "N"
    if "statistic" not in frame:
        frame["statistic"] = "sample"
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise ReadingsError(f"readings lack the column(s) {missing}; a reading has {list(COLUMNS)}")
    frame = frame.loc[:, list(COLUMNS)]
    time = pd.to_datetime(frame["time"])
    if time.dt.tz is None:
        raise ReadingsError("reading times carry no time zone; give them as UTC")
    frame["time"] = time.dt.tz_convert("UTC").astype("datetime64[ns, UTC]")
    frame = frame.astype(_DTYPES)
    _check_closed_set(frame, "statistic", STATISTICS)
    _check_closed_set(frame, "flag", FLAGS)
    values = frame["value"].to_numpy()
    if not np.isfinite(values).all():
        bad = int((~np.isfinite(values)).argmax())
        raise ReadingsError(f"reading {bad} has value {values[bad]!r}; values must be finite numbers")
    for column in ("site", "parameter", "source"):
        if frame[column].isna().any():
            raise ReadingsError(f"readings have an empty '{column}'; every reading needs one")
    return frame.reset_index(drop=True)


def typed_readings(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` cast to the reading dtypes without checks: for readings a store gives back, which
    were checked by `as_readings` on their way in."""
    if frame.empty:
        return empty_readings()
    if tuple(frame.columns) == COLUMNS and [str(d) for d in frame.dtypes] == list(_DTYPES.values()):
        return frame.reset_index(drop=True)  # already typed (a store that converts as it reads)
    frame = frame.loc[:, list(COLUMNS)]
    time = frame["time"]
    if time.dt.tz is None:
        time = time.dt.tz_localize("UTC")
    return frame.assign(time=time.dt.tz_convert("UTC")).astype(_DTYPES).reset_index(drop=True)


def _check_closed_set(frame: pd.DataFrame, column: str, allowed: tuple[str, ...]) -> None:
    bad = ~frame[column].isin(allowed)
    if bad.any():
        first = frame.loc[bad, column].iloc[0]
        raise ReadingsError(f"{column} {first!r} is not one of {', '.join(allowed)}")
