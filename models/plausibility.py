"""Plausibility of readings: the one check of values and times every way of arriving goes through.

* A value outside the catalogue's `plausible` range of its parameter (config/parameters.yaml), or
  negative where no range is given, cannot be a measurement: a lab cell is rejected, an HJ 212
  value is counted and raises the "implausible" alert. The ranges are of concentrations (and pH,
  temperature …): a cumulative amount (HJ 212 `-Cou`, statistics `*_cou`) is in the emission-amount
  unit of HJ 212-2017 Table B.1 (kg for a mg/L item, m³ of water) and is not judged by them.
* A time too far ahead of the receiving clock (or, for logger data, too far behind it) is a
  wrong clock or a mistyped date: HJ 212 packets are quarantined, lab rows rejected.
* A time outside the years 1900 to 2200 (`EARLIEST`, `LATEST`) is a mistyped year whatever the
  clock says; the store and the period arithmetic work within these years.
"""

import datetime as dt

import numpy as np
import pandas as pd

from models.standards.catalogue import Catalogue

EARLIEST = pd.Timestamp("1900-01-01", tz="UTC")
LATEST = pd.Timestamp("2200-01-01", tz="UTC")


def implausible(
    parameters: pd.Series, values: np.ndarray, catalogue: Catalogue, *, statistics: pd.Series | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(firing, low, high): True where a value (in the catalogue unit) is outside its plausible range;
    never for a cumulative amount (a statistic ending in ``_cou``) when `statistics` are given."""
    low, high = catalogue.plausible_bounds(parameters.astype(object))
    values = np.asarray(values, dtype=float)
    firing = (values < low) | (values > high)
    if statistics is not None:
        firing &= ~statistics.astype(str).str.endswith("_cou").to_numpy(dtype=bool)
    return firing, low, high


def is_off_clock(
    times: pd.Series | dt.datetime,
    now: dt.datetime,
    *,
    ahead: dt.timedelta,
    behind: dt.timedelta | None = None,
) -> np.ndarray | bool:
    """True where a time is more than `ahead` after `now` or (when given) more than `behind` before it."""
    if isinstance(times, dt.datetime):
        return bool(times - now > ahead or (behind is not None and now - times > behind))
    stamp = pd.Timestamp(now)
    late = (times - stamp > pd.Timedelta(ahead)).to_numpy(dtype=bool)
    if behind is not None:
        late |= (stamp - times > pd.Timedelta(behind)).to_numpy(dtype=bool)
    return late
