"""Period values with their validity rules: hourly -> daily -> monthly -> period means.

Every function returns a frame with ``n_values``, the number of values the mean rests on, so
each evaluation can say what it stands on.

Rules implemented (each cites where it comes from):

* Online (automatic) data: only values flagged N (normal) count; F, M, S, D, C, T, B and P data
  are invalid for compliance statistics (HJ 212-2017 Table 8 flag meanings; HJ 356-2019 ch. 8 —
  not read, see the standards digest §5).
* A daily mean of plant online data is valid only with at least ``min_valid_hours`` valid hourly
  values. HJ 356-2019 ch. 7 could not be read; the default 18 of 24 h is the 75 % rule of
  HJ/T 356-2007 ("日均值有效数据不少于应有数据的 75 %", digest §5). Configurable for that reason.
* Surface water (地表水环境质量监测数据统计技术规定（试行）, 环办监测函〔2020〕82号): values below
  the detection limit enter means as ½ DL (point 7) and the mean is a value, judged like any
  other (a mean of non-detects only is ½ of their mean detection limit); a "mean" of one value
  is that value, so a lone non-detect stays a non-detect and is judged by its detection limit
  (models.standards.classification); pH is averaged through the hydrogen-ion concentration;
  means are rounded to the catalogue's ``decimals`` before they are judged (GB/T 8170 round half
  to even); automatic data are preferred for pH, DO, CODMn, NH3-N, TP and TN when present,
  manual samples for the other items.
"""

from collections.abc import Mapping
from typing import Final

import numpy as np
import pandas as pd

PH: Final = "w01001"
AUTO_PREFERRED: Final[frozenset[str]] = frozenset({"w01001", "w01009", "w01019", "w21003", "w21011", "w21001"})
MIN_VALID_HOURS_PER_DAY: Final = 18  # HJ/T 356-2007 75 % of 24 h; HJ 356-2019 ch. 7 unread
VALID_FLAGS: Final = ("N",)
HOURLY: Final = ("hour_avg",)

_VALUE_COLUMNS = ["value", "n_values", "non_detect"]


def to_mean_space(parameter: pd.Series, value: np.ndarray, non_detect: np.ndarray) -> np.ndarray:
    """Values as they enter a mean: ½ DL for non-detects, [H+] for pH."""
    value = np.where(non_detect, value / 2.0, value)
    is_ph = (parameter == PH).to_numpy(dtype=bool, na_value=False)
    if is_ph.any():
        value[is_ph] = 10.0 ** (-value[is_ph])
    return value


def from_mean_space(parameter: pd.Series, mean: np.ndarray, lone_non_detect: np.ndarray) -> np.ndarray:
    """Means back in the catalogue unit; the "mean" of one non-detect back at its detection limit."""
    value = np.where(lone_non_detect, mean * 2.0, mean)
    is_ph = (parameter == PH).to_numpy(dtype=bool, na_value=False)
    if is_ph.any():
        value[is_ph] = -np.log10(mean[is_ph])
    return value


def mean_by(frame: pd.DataFrame, by: list[str], *, weight: str | None = None) -> pd.DataFrame:
    """Mean of ``value`` per group of `by`, with ½ DL non-detects and pH through [H+].

    `frame` has columns `by` + parameter, value, non_detect (+ `weight`, summed into n_values,
    else n_values counts rows). Returns `by` + value, n_values, non_detect, sorted by `by`.
    """
    if "parameter" not in by:
        raise ValueError("mean_by needs 'parameter' among the group columns (pH and units differ)")
    # Group on integer codes: grouping on (Arrow) strings is several times slower.
    work = pd.DataFrame(index=pd.RangeIndex(len(frame)))
    uniques = {}
    for column in by:
        codes, uniques[column] = pd.factorize(frame[column], sort=True)
        work[column] = codes
    nd = frame["non_detect"].to_numpy(bool)
    work["x"] = to_mean_space(frame["parameter"], frame["value"].to_numpy(float), nd)
    work["nd"] = nd
    work["n"] = frame[weight].to_numpy() if weight else 1
    grouped = work.groupby(by, sort=True)
    result = grouped.agg(
        x=("x", "mean"), all_nd=("nd", "all"), rows=("nd", "size"), n_values=("n", "sum")
    ).reset_index()
    result["non_detect"] = result["all_nd"].to_numpy() & (result["rows"].to_numpy() == 1)
    for column in by:
        result[column] = uniques[column].take(result[column].to_numpy())
        if isinstance(frame[column].dtype, pd.StringDtype):
            result[column] = result[column].astype(frame[column].dtype)
    result["value"] = from_mean_space(result["parameter"], result["x"].to_numpy(), result["non_detect"].to_numpy())
    return result[[*by, *_VALUE_COLUMNS]]


def daily_means(
    readings: pd.DataFrame,
    *,
    timezone: str = "Asia/Shanghai",
    min_valid_hours: int = MIN_VALID_HOURS_PER_DAY,
    statistics: tuple[str, ...] = HOURLY,
) -> pd.DataFrame:
    """Daily means of online data per site, parameter and local day.

    Parameters
    ----------
    readings : frame in the reading shape (models.reading); rows of other statistics are ignored
    timezone : zone of the local calendar day
    min_valid_hours : valid (flag N) hourly values a day needs for its mean to be valid
    statistics : which statistics are hourly values (default hour_avg, HJ 212 CN 2061)

    Returns
    -------
    DataFrame: site, parameter, day (datetime64[ns, UTC], start of the local day), value
    (catalogue unit), n_values (valid hours), non_detect, valid (n_values >= min_valid_hours).
    """
    keep = readings["statistic"].isin(statistics).to_numpy() & readings["flag"].isin(VALID_FLAGS).to_numpy()
    rows = readings.loc[keep, ["site", "parameter", "time", "value", "non_detect"]]
    rows = rows.assign(day=local_floor(rows["time"], "D", timezone))
    daily = mean_by(rows, ["site", "parameter", "day"])
    return with_validity(daily, min_valid_hours)


def daily_from_aggregate(aggregate: pd.DataFrame, *, min_valid_hours: int = MIN_VALID_HOURS_PER_DAY) -> pd.DataFrame:
    """The daily-means frame from a store's ``aggregate("day", flags=("N",))`` result.

    The store averages non-detects at ½ DL (store.base.Store.aggregate) but arithmetically, so
    pH must not come through here: read its hourly values and use `daily_means`.
    """
    daily = pd.DataFrame(
        {
            "site": aggregate["site"].astype("string"),
            "parameter": aggregate["parameter"].astype("string"),
            "day": aggregate["period"],
            "value": aggregate["mean"].astype(float),
            "n_values": aggregate["count"].astype("int64"),
            "non_detect": False,
        }
    )
    return with_validity(daily, min_valid_hours)


def with_validity(daily: pd.DataFrame, min_valid_hours: int) -> pd.DataFrame:
    """Add ``valid``: the day has at least `min_valid_hours` valid hourly values."""
    if not 1 <= min_valid_hours <= 24:
        raise ValueError(f"min_valid_hours {min_valid_hours} is not between 1 and 24")
    daily = daily.copy()
    daily["valid"] = daily["n_values"].to_numpy() >= min_valid_hours
    return daily.reset_index(drop=True)


def plant_daily_values(online: pd.DataFrame, samples: pd.DataFrame, *, timezone: str = "Asia/Shanghai") -> pd.DataFrame:
    """A plant's daily values: valid online daily means, and laboratory results as daily values.

    GB 18918-2002 §4.1.4 judges the daily mean of a 24-hour composite sample; items that the
    online analysers do not measure (SS, BOD5, oils, LAS, colour, fecal coliform, the Table 2
    metals…) come from the laboratory, and each lab result is the daily value of the day it was
    sampled (several results of one item on one day: their mean, ½ DL non-detects). Where an item
    has both a valid online daily mean and a lab result on one day, the online mean is used and
    the lab result is not averaged with it (one value per item and day); on a day whose online
    mean is invalid, the lab result is the day's value.

    Parameters
    ----------
    online : `daily_means` shape with ``valid``
    samples : lab results in the reading shape (statistic "sample")

    Returns
    -------
    The `daily_means` shape plus ``basis`` ("online" or "lab").
    """
    online = online.assign(basis="online")
    if samples.empty:
        return online.reset_index(drop=True)
    lab = samples[["site", "parameter", "time", "value", "non_detect"]]
    lab = lab.assign(day=local_floor(lab["time"], "D", timezone))
    lab_daily = mean_by(lab, ["site", "parameter", "day"]).assign(valid=True, basis="lab")
    both = pd.concat([online, lab_daily[online.columns]], ignore_index=True)
    # One value per item and day: a valid online mean, else the lab result, else the invalid online mean.
    rank = np.where(both["basis"].to_numpy() == "lab", 1, np.where(both["valid"].to_numpy(bool), 0, 2))
    both = both.assign(rank=rank).sort_values(["site", "parameter", "day", "rank"], kind="stable")
    daily = both.drop_duplicates(["site", "parameter", "day"]).drop(columns="rank")
    return daily.reset_index(drop=True)


def monthly_values(
    auto_daily: pd.DataFrame,
    samples: pd.DataFrame,
    *,
    decimals: Mapping[str, int],
    timezone: str = "Asia/Shanghai",
) -> pd.DataFrame:
    """Monthly value of each site and item for surface water (环办监测函〔2020〕82号).

    Parameters
    ----------
    auto_daily : daily means of automatic-station data (`daily_means` shape; invalid days dropped)
    samples : manual samples in the reading shape (statistic "sample")
    decimals : digits kept per parameter code (catalogue ``decimals``); others are not rounded

    Returns
    -------
    DataFrame: site, parameter, month (UTC start of the local month), value (rounded), n_values,
    non_detect, basis ("auto" or "manual").
    """
    auto = auto_daily.loc[auto_daily["valid"]] if "valid" in auto_daily else auto_daily
    auto = auto.assign(month=local_floor(auto["day"], "M", timezone))
    auto_month = mean_by(auto, ["site", "parameter", "month"], weight="n_values").assign(basis="auto")
    manual = samples.loc[samples["statistic"] == "sample"] if "statistic" in samples else samples
    manual = manual.assign(month=local_floor(manual["time"], "M", timezone))
    manual_month = mean_by(manual, ["site", "parameter", "month"]).assign(basis="manual")
    both = pd.concat([auto_month, manual_month], ignore_index=True)
    # Preferred basis first, then keep one row per site, item and month.
    preferred = np.where(both["parameter"].isin(AUTO_PREFERRED), "auto", "manual")
    both["rank"] = (both["basis"].to_numpy() != preferred).astype(int)
    both = both.sort_values(["site", "parameter", "month", "rank"], kind="stable")
    monthly = both.drop_duplicates(["site", "parameter", "month"]).drop(columns="rank")
    monthly["value"] = round_to_decimals(monthly["parameter"], monthly["value"].to_numpy(), decimals)
    return monthly.reset_index(drop=True)


def sampling_events(auto_daily: pd.DataFrame, samples: pd.DataFrame, *, decimals: Mapping[str, int]) -> pd.DataFrame:
    """Each sampling event of surface sites with its values, for rates "by monitoring frequency".

    An event is one manual sample (a site and sampling time: every item analysed from it) or
    one valid day of automatic-station data (a site and local day: the daily means of its items).
    Values are rounded like monthly values; a lone non-detect stays a non-detect.

    Returns
    -------
    DataFrame: site, parameter, event (UTC: sampling time, or start of the local day), basis
    ("manual" or "auto"), value, n_values, non_detect.
    """
    auto = auto_daily.loc[auto_daily["valid"]] if "valid" in auto_daily else auto_daily
    auto_events = auto[["site", "parameter", "day", "value", "n_values", "non_detect"]].rename(columns={"day": "event"})
    manual = samples.loc[samples["statistic"] == "sample"] if "statistic" in samples else samples
    manual = manual.rename(columns={"time": "event"})
    manual_events = mean_by(manual, ["site", "parameter", "event"])
    events = pd.concat([auto_events.assign(basis="auto"), manual_events.assign(basis="manual")], ignore_index=True)
    events["value"] = round_to_decimals(events["parameter"], events["value"].to_numpy(float), decimals)
    return events[["site", "parameter", "event", "basis", "value", "n_values", "non_detect"]]


def period_values(monthly: pd.DataFrame, *, decimals: Mapping[str, int], by: tuple[str, ...] = ()) -> pd.DataFrame:
    """Mean of the monthly values per site and item over the period (quarter, year, range).

    ``n_months`` says how many monthly values the mean rests on, ``n_values`` how many
    measurements (hours of automatic data or samples) lie under them.
    """
    group = ["site", "parameter", *by]
    work = monthly.assign(one=1)
    means = mean_by(work, group)
    counts = work.groupby(group, sort=True, observed=True).agg(
        n_months=("one", "sum"), n_values=("n_values", "sum"), basis=("basis", _joined)
    )
    means = means.drop(columns="n_values").merge(counts.reset_index(), on=group)
    means["value"] = round_to_decimals(means["parameter"], means["value"].to_numpy(), decimals)
    return means


def round_to_decimals(parameter: pd.Series, value: np.ndarray, decimals: Mapping[str, int]) -> np.ndarray:
    """Round each value to its parameter's digits, half to even (GB/T 8170 修约); others unchanged.

    A value that rounds to zero keeps one significant figure instead (e.g. NH3-N 0.004 at two
    decimals stays 0.004): a positive concentration is never reported, or judged, as 0.
    """
    digits = parameter.map(lambda code: decimals.get(code, -1)).to_numpy(dtype=float)
    scale = 10.0 ** np.where(digits >= 0, digits, 0)
    # Rounding the scaled value to 6 places first drops binary noise (0.145 * 100 = 14.499999…).
    rounded = np.round(np.round(value * scale, 6)) / scale
    with np.errstate(divide="ignore", invalid="ignore"):
        magnitude = np.floor(np.log10(np.abs(value)))
        significant = np.round(value / 10.0**magnitude) * 10.0**magnitude
    rounded = np.where((rounded == 0) & (value != 0) & np.isfinite(significant), significant, rounded)
    return np.where(digits >= 0, rounded, value)


def local_floor(times: pd.Series, unit: str, timezone: str) -> pd.Series:
    """Start (UTC) of the local day ("D") or month ("M") holding each instant."""
    wall = pd.DatetimeIndex(times).tz_convert(timezone).tz_localize(None)
    if unit == "D":
        floored = wall.normalize()
    elif unit == "M":
        floored = wall.to_period("M").to_timestamp()
    else:
        raise ValueError(f"unit {unit!r} is not D or M")
    floored = floored.tz_localize(timezone)
    return pd.Series(floored.tz_convert("UTC").as_unit("ns"), index=times.index)


def _joined(values: pd.Series) -> str:
    return "+".join(sorted(set(values)))
