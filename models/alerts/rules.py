"""Alert rules as vectorised functions: readings in, alert conditions out. Pure: no I/O.

A *condition* is one rule's verdict on one reading (or, for data gaps, on one series at a check):
``firing`` True raises or updates the alert of its key (site, parameter, rule) with ``severity``;
``firing`` False is a recovery that resolves it. A reading a rule cannot judge (a fault-flagged
value for the limit rules, a series without enough history for the spike rule) gives no row.

Columns of a conditions frame (CONDITION_COLUMNS):

=========  =======  =====================================================================
site       string   site id; for source errors the pull source's name
parameter  string   parameter code; "" for source errors
rule       string   a RuleId (models.alerts.config)
time       UTC      time of the reading (or of the check)
statistic  string   the reading's statistic ("" when none)
value      float    the value (gap: minutes without data)
limit      float    the limit or threshold the value was compared with (NaN when none)
multiple   float    exceedance multiple (value − limit) / limit (NaN when none)
reference  float    rule-specific: spike median, constant run length, lower bound, expected interval
flag       string   the reading's HJ 212 flag
detail     string   rule-specific text: "upper"/"lower" bound, last data time …
firing     bool     True raises, False recovers
severity   string   "warning" / "critical" when firing, NA otherwise
=========  =======  =====================================================================
"""

import datetime as dt
from collections.abc import Collection
from typing import Any, Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from models.alerts.config import AlertConfig, RuleId
from models.configuration import Configuration
from models.period.evaluation import COLD_WATER_C, WATER_TEMP
from models.plausibility import implausible
from models.sites import SAMPLING_MONTHS, Site
from models.standards.catalogue import Catalogue
from models.standards.classification import judge_readings
from models.standards.limits import Situation

CONDITION_COLUMNS: Final[tuple[str, ...]] = (
    "site", "parameter", "rule", "time", "statistic", "value", "limit", "multiple",
    "reference", "flag", "detail", "firing", "severity",
)  # fmt: skip
_SERIES: Final[list[str]] = ["site", "parameter", "statistic"]


def empty_conditions() -> pd.DataFrame:
    """A conditions frame with no rows."""
    global _EMPTY
    if _EMPTY is None:
        _EMPTY = _conditions(pd.DataFrame({"site": pd.Series(dtype="string")}), "gap", build_empty=True)
    return _EMPTY.copy()


_EMPTY: pd.DataFrame | None = None


def evaluate_readings(
    readings: pd.DataFrame, history: pd.DataFrame, configuration: Configuration, rules: AlertConfig
) -> pd.DataFrame:
    """Every rule that judges readings, on a batch of new `readings` (reading shape).

    `history` holds the readings of the same series before the batch (at least
    `rules.history_hours` of them) for the constant-value and spike rules; it may be empty.
    Returns a conditions frame sorted by time.
    """
    parts = [
        limit_conditions(readings, configuration, rules, temperatures=history),
        daily_mean_conditions(readings, history, configuration, rules),
        quality_conditions(readings, history, configuration.catalogue, rules),
        flag_conditions(readings, rules),
        recovery_conditions(readings, rules),
    ]
    return _sorted(pd.concat([p for p in parts if len(p)] or [empty_conditions()], ignore_index=True))


def limit_conditions(
    readings: pd.DataFrame,
    configuration: Configuration,
    rules: AlertConfig,
    *,
    temperatures: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Exceedance, daily exceedance and early warning against each site's standard and class.

    Plants are judged by their GB 18918 class, sections, lakes and sources by the target class
    of GB 3838 (Configuration.target_of); reference-only items are not. Only normal data (flag N)
    is judged: data flagged as fault, maintenance or calibration is invalid for compliance
    (HJ 356-2019, HJ 212 Table 8). The limit is the one in force: a plant's NH3-N on a day whose
    water was at most 12 °C takes GB 18918's bracketed limit (`cold_water`; water temperatures
    from the readings and `temperatures`, e.g. the history before them).
    """
    exceedance, warning = rules.exceedance, rules.early_warning
    statistics = set(exceedance.statistics) | set(exceedance.daily_statistics) | set(warning.statistics)
    wanted = readings["statistic"].isin(statistics) & (readings["flag"] == "N")
    frame = readings.loc[wanted & _among(readings["site"], configuration.sites)]
    if frame.empty or not (exceedance.enabled or warning.enabled):
        return empty_conditions()
    cold = cold_water(frame, readings if temperatures is None else pd.concat([temperatures, readings]), configuration,
                      rules.timezone)  # fmt: skip
    judged = _judge_by_site(frame, configuration, cold)
    meets = judged["meets_target"]
    # Reference items (GB 3838 water temperature, TN, fecal coliform; 环办〔2011〕22号) are not judged.
    known = meets.notna().to_numpy() & ~judged["reference_only"].to_numpy(dtype=bool)
    fails = known & ~meets.fillna(True).to_numpy(dtype=bool)
    values = frame["value"].to_numpy()
    low, high, bound = judged["low"].to_numpy(), judged["high"].to_numpy(), judged["bound"].to_numpy()
    below = values < low
    limit = np.where(below, low, high)
    limit = np.where(np.isfinite(limit), limit, np.nan)  # 不得检出 items have no number
    side = np.where(below | (bound == "lower"), "lower", "upper")
    multiple = judged["exceedance_multiple"].to_numpy()
    severity = np.where(
        np.isnan(multiple),
        exceedance.unmultiplied_severity,
        np.where(multiple >= exceedance.critical_multiple, "critical", "warning"),
    )
    statistic = frame["statistic"]
    parts = []
    if exceedance.enabled:
        pairs: tuple[tuple[RuleId, tuple[str, ...]], ...] = (
            ("exceedance", exceedance.statistics),
            ("daily_exceedance", exceedance.daily_statistics),
        )
        for rule, stats in pairs:
            take = known & statistic.isin(stats).to_numpy()
            parts.append(
                _conditions(
                    frame.loc[take],
                    rule,
                    firing=fails[take],
                    severity=severity[take],
                    limit=limit[take],
                    multiple=multiple[take],
                    detail=side[take],
                )
            )
    if warning.enabled:
        upper = (bound == "upper") & np.isfinite(high) & known & ~fails
        threshold = warning.share * high
        nd = frame["non_detect"].to_numpy()
        with np.errstate(invalid="ignore"):
            firing = upper & ~nd & (values > threshold)
            clear = upper & (values <= threshold)
        take = (firing | clear) & statistic.isin(warning.statistics).to_numpy()
        parts.append(
            _conditions(
                frame.loc[take],
                "early_warning",
                firing=firing[take],
                severity=warning.severity,
                limit=high[take],
                reference=np.full(int(take.sum()), warning.share),
                detail="upper",
            )
        )
    return pd.concat(parts, ignore_index=True) if parts else empty_conditions()


def daily_mean_conditions(
    readings: pd.DataFrame, history: pd.DataFrame, configuration: Configuration, rules: AlertConfig
) -> pd.DataFrame:
    """Plants: the mean of each local day's valid hourly values (hour_avg, flag N), judged as a daily mean.

    GB 18918 §4.1.4 judges the daily mean. A day is judged once it has `daily_min_hours` hours
    (the mean so far, as each further hour arrives); its condition carries the time of its newest
    hour and statistic day_avg. Non-detects enter at half their detection limit.
    """
    exceedance = rules.exceedance
    if not (exceedance.enabled and exceedance.daily_from_hours) or readings.empty:
        return empty_conditions()
    plants = [s.id for s in configuration.sites.values() if s.kind == "plant"]
    new = readings.loc[
        _among(readings["site"], plants) & (readings["statistic"] == "hour_avg") & (readings["flag"] == "N")
    ]
    if new.empty:
        return empty_conditions()
    frames = [history, new] if len(history) else [new]
    hours = pd.concat(frames, ignore_index=True)
    hours = hours.loc[_among(hours["site"], plants) & (hours["statistic"] == "hour_avg") & (hours["flag"] == "N")]
    hours = hours.drop_duplicates(["site", "parameter", "time"], keep="last")
    hours = hours.assign(
        day=hours["time"].dt.tz_convert(rules.timezone).dt.normalize(),
        value=np.where(hours["non_detect"].to_numpy(), hours["value"].to_numpy() / 2, hours["value"].to_numpy()),
    )
    touched = new.assign(day=new["time"].dt.tz_convert(rules.timezone).dt.normalize())[["site", "parameter", "day"]]
    days = (
        hours.groupby(["site", "parameter", "day"], observed=True)
        .agg(value=("value", "mean"), count=("value", "size"), time=("time", "max"))
        .reset_index()
        .merge(touched.drop_duplicates(), on=["site", "parameter", "day"])
    )
    days = days.loc[days["count"] >= exceedance.daily_min_hours]
    if days.empty:
        return empty_conditions()
    means = days.assign(statistic="day_avg", non_detect=False, flag="N", source="")
    only_daily = rules.model_copy(
        update={
            "exceedance": exceedance.model_copy(update={"statistics": (), "daily_statistics": ("day_avg",)}),
            "early_warning": rules.early_warning.model_copy(update={"enabled": False}),
        }
    )
    return limit_conditions(means, configuration, only_daily, temperatures=pd.concat(frames, ignore_index=True))


def _judge_by_site(frame: pd.DataFrame, configuration: Configuration, cold: np.ndarray) -> pd.DataFrame:
    """judge_readings on each group of rows sharing a limit table and target, plus the target bounds.

    Rows are grouped on what selects their limits (standard, target class, water body, build date,
    cold water), not site by site: a thousand plants of one class are one call.
    """
    n = len(frame)
    site_codes, site_ids = pd.factorize(frame["site"])
    selectors = []
    for site_id in site_ids:
        site = configuration.sites[str(site_id)]
        selectors.append((site.standard, configuration.target_of(site) or "", site.effective_water_body, site.built))
    key_codes, keys = pd.factorize(pd.Series(selectors, dtype=object))
    group = key_codes[site_codes] * 2 + np.asarray(cold, bool)
    out: dict[str, np.ndarray] = {
        "meets_target": np.zeros(n, bool),
        "meets_known": np.zeros(n, bool),
        "exceedance_multiple": np.full(n, np.nan),
        "low": np.full(n, np.nan),
        "high": np.full(n, np.nan),
        "bound": np.full(n, "none", dtype=object),
        "reference_only": np.zeros(n, bool),
    }
    codes_all = frame["parameter"].to_numpy(dtype=object)
    values = frame["value"].to_numpy(dtype=float)
    non_detect = frame["non_detect"].to_numpy(dtype=bool)
    order = np.argsort(group, kind="stable")
    for rows in np.split(order, np.flatnonzero(np.diff(group[order])) + 1) if n else []:
        standard_id, target_name, water_body, built = keys[group[rows[0]] // 2]
        standard = configuration.standards[standard_id]
        target = standard.class_index(target_name)
        water_temp_c = COLD_WATER_C if group[rows[0]] % 2 else None
        table = standard.limit_table(Situation(water_body=water_body, water_temp_c=water_temp_c, built=built))
        codes = codes_all[rows]
        judged = judge_readings(codes, values[rows], non_detect[rows], table, target=target)
        meets = judged["meets_target"]
        out["meets_target"][rows] = meets.fillna(False).to_numpy(dtype=bool)
        out["meets_known"][rows] = meets.notna().to_numpy()
        out["exceedance_multiple"][rows] = judged["exceedance_multiple"].to_numpy()
        row = table.row_of(codes)
        safe = np.where(row >= 0, row, 0)
        out["low"][rows] = np.where(row >= 0, table.low[safe, target], np.nan)
        out["high"][rows] = np.where(row >= 0, table.high[safe, target], np.nan)
        out["bound"][rows] = np.where(row >= 0, table.bound[safe], "none")
        out["reference_only"][rows] = (row >= 0) & table.reference_only[safe]
    meets_target = pd.array(out.pop("meets_target"), dtype="boolean")
    meets_target[~out.pop("meets_known")] = pd.NA
    return pd.DataFrame({"meets_target": meets_target, **out}, index=frame.index)


def cold_water(
    frame: pd.DataFrame, temperatures: pd.DataFrame, configuration: Configuration, timezone: str
) -> np.ndarray:
    """Per row of `frame`: was its plant's water at most 12 °C on the row's local day (GB 18918 表1 注②)?

    The day's water temperature is the mean of the normal water-temperature values (w01010) of
    that plant and local day found in `frame` and `temperatures` — all of the day's hours for a
    daily mean, the hours so far for an hourly value. A day without one is not cold: the stricter
    limit applies, as in compliance (models.period.evaluation.evaluate_plants, which takes the same
    12 °C line).
    """
    plants = [s.id for s in configuration.sites.values() if s.kind == "plant"]
    is_plant = _among(frame["site"], plants)
    if not is_plant.any():
        return np.zeros(len(frame), bool)
    pool = pd.concat([temperatures, frame], ignore_index=True) if len(temperatures) else frame
    temps = pool.loc[
        (pool["parameter"] == WATER_TEMP).to_numpy()
        & (pool["flag"] == "N").to_numpy()
        & _among(pool["site"], plants)
        & (pool["statistic"] != "day_avg").to_numpy()
    ]
    if temps.empty:
        return np.zeros(len(frame), bool)
    temps = temps.drop_duplicates(["site", "time", "statistic"], keep="last")
    day_means = (
        temps.assign(day=temps["time"].dt.tz_convert(timezone).dt.normalize())
        .groupby(["site", "day"], observed=True)["value"]
        .mean()
    )
    keys = pd.MultiIndex.from_arrays(
        [frame["site"].astype(object), frame["time"].dt.tz_convert(timezone).dt.normalize()], names=["site", "day"]
    )
    temp = day_means.reindex(keys).to_numpy(dtype=float)
    return is_plant & (np.nan_to_num(temp, nan=np.inf) <= COLD_WATER_C)


def quality_conditions(
    readings: pd.DataFrame, history: pd.DataFrame, catalogue: Catalogue, rules: AlertConfig
) -> pd.DataFrame:
    """Constant value, spike and implausible value (plausible ranges from the catalogue)."""
    parts = []
    if rules.implausible.enabled and len(readings):
        parts.append(_implausible(readings, catalogue, rules))
    constant, spike = rules.constant, rules.spike
    statistics = set(constant.statistics if constant.enabled else ()) | set(spike.statistics if spike.enabled else ())
    if statistics and len(readings):
        series = _series_frame(readings, history, statistics)
        if constant.enabled:
            parts.append(_constant(series, rules))
        if spike.enabled:
            parts.append(_spike(series, rules))
    return pd.concat(parts, ignore_index=True) if parts else empty_conditions()


def _series_frame(readings: pd.DataFrame, history: pd.DataFrame, statistics: set[str]) -> pd.DataFrame:
    """History then batch, normal detected values only, sorted by series and time."""
    batch = readings.assign(in_batch=True)
    frames = [history.assign(in_batch=False), batch] if len(history) else [batch]
    frame = pd.concat(frames, ignore_index=True)
    frame = frame.loc[frame["statistic"].isin(statistics) & (frame["flag"] == "N") & ~frame["non_detect"]]
    frame = frame.drop_duplicates([*_SERIES, "time"], keep="last")
    frame = frame.sort_values([*_SERIES, "time"], kind="stable").reset_index(drop=True)
    same = np.zeros(len(frame), dtype=bool)
    if len(frame) > 1:
        same[1:] = True
        for column in _SERIES:
            codes = pd.factorize(frame[column])[0]  # integer codes: no Python string per row
            same[1:] &= codes[1:] == codes[:-1]
    frame["series"] = np.cumsum(~same)
    return frame


def _constant(series: pd.DataFrame, rules: AlertConfig) -> pd.DataFrame:
    rule = rules.constant
    values = series["value"].to_numpy()
    starts = np.ones(len(series), dtype=bool)
    starts[1:] = (series["series"].to_numpy()[1:] != series["series"].to_numpy()[:-1]) | (values[1:] != values[:-1])
    run = np.cumsum(starts)
    run_length = pd.Series(run).groupby(run).cumcount().to_numpy() + 1
    take = series["in_batch"].to_numpy() & series["statistic"].isin(rule.statistics).to_numpy()
    return _conditions(
        series.loc[take],
        "constant",
        firing=run_length[take] >= rule.repeats,
        severity=rule.severity,
        reference=run_length[take].astype(float),
    )


def _spike(series: pd.DataFrame, rules: AlertConfig) -> pd.DataFrame:
    rule = rules.spike
    values = series["value"].to_numpy()
    median = _previous_median(values, series["series"].to_numpy(), window=rule.window, min_count=rule.min_history)
    deviation = np.abs(values - median)
    codes, parameters = pd.factorize(series["parameter"])  # one lookup per parameter, not per row
    absolute = np.array([rule.max_change.get(str(p), np.nan) for p in parameters], dtype=float)[codes]
    threshold = np.where(np.isnan(absolute), rule.factor * np.maximum(np.abs(median), rule.floor), absolute)
    take = series["in_batch"].to_numpy() & series["statistic"].isin(rule.statistics).to_numpy() & ~np.isnan(median)
    return _conditions(
        series.loc[take],
        "spike",
        firing=deviation[take] > threshold[take],
        severity=rule.severity,
        limit=threshold[take],
        reference=median[take],
    )


def _previous_median(values: np.ndarray, series: np.ndarray, *, window: int, min_count: int) -> np.ndarray:
    """Median of the up to `window` values before each one in the same series; NaN with fewer than `min_count`."""
    n = len(values)
    before = np.full((n, window), np.nan)
    for lag in range(1, window + 1):  # one vectorised column per lag, not one Python step per row
        if lag >= n:
            break
        same = series[lag:] == series[:-lag]
        before[lag:, lag - 1] = np.where(same, values[:-lag], np.nan)
    count = np.sum(~np.isnan(before), axis=1)
    median = np.full(n, np.nan)
    enough = count >= min_count
    if enough.any():
        median[enough] = np.nanmedian(before[enough], axis=1)
    return median


def _implausible(readings: pd.DataFrame, catalogue: Catalogue, rules: AlertConfig) -> pd.DataFrame:
    firing, low, high = implausible(
        readings["parameter"], readings["value"].to_numpy(), catalogue, statistics=readings["statistic"]
    )
    values = readings["value"].to_numpy()
    return _conditions(
        readings,
        "implausible",
        firing=firing,
        severity=rules.implausible.severity,
        limit=high,
        reference=low,
        detail=np.where(values < low, "lower", "upper"),
    )


def flag_conditions(readings: pd.DataFrame, rules: AlertConfig) -> pd.DataFrame:
    """Logger fault flags (HJ 212-2017 Table 8): a configured flag raises, flag N clears."""
    rule = rules.fault_flag
    if not rule.enabled or readings.empty:
        return empty_conditions()
    flags = readings["flag"]
    raising = flags.isin(list(rule.flags)).to_numpy()
    take = raising | (flags == "N").to_numpy()
    part = readings.loc[take]
    return _conditions(
        part, "fault_flag", firing=raising[take], severity=part["flag"].map(rule.flags).to_numpy(dtype=object)
    )


def recovery_conditions(readings: pd.DataFrame, rules: AlertConfig) -> pd.DataFrame:
    """Data arriving ends a data gap of its series, an overdue sample of its lab item, its logger's
    offline alert, and a source error of its pull source."""
    parts = []
    sample = (readings["statistic"] == "sample").to_numpy(dtype=bool)
    latest = readings.sort_values("time", kind="stable")
    if rules.gap.enabled and (~sample).any():
        last = latest.loc[latest["statistic"] != "sample"].drop_duplicates(["site", "parameter"], keep="last")
        parts.append(_conditions(last, "gap", firing=False, statistic=""))
    if rules.sample_overdue.enabled and sample.any():
        last = latest.loc[latest["statistic"] == "sample"].drop_duplicates(["site", "parameter"], keep="last")
        parts.append(_conditions(last, "sample_overdue", firing=False, statistic=""))
    logged = latest.loc[latest["source"].str.startswith("hj212:").to_numpy(dtype=bool)]
    if rules.offline.enabled and len(logged):
        last = logged.drop_duplicates(["site"], keep="last").assign(parameter="")
        parts.append(_conditions(last, "offline", firing=False, statistic=""))
    pulled = readings.loc[readings["source"].str.startswith("pull:")]
    if rules.source_error.enabled and len(pulled):
        last = pulled.sort_values("time", kind="stable").drop_duplicates(["source"], keep="last")
        last = last.assign(site=last["source"].str.slice(5), parameter="")
        parts.append(_conditions(last, "source_error", firing=False, statistic=""))
    return pd.concat(parts, ignore_index=True) if parts else empty_conditions()


def expected_interval_minutes(site: Site, rules: AlertConfig) -> float:
    """How often a site's online data is due: its logger's interval, else the site's, else its kind's default."""
    if site.logger is not None and site.logger.interval_minutes:
        return float(site.logger.interval_minutes)
    return float(site.expected_interval_minutes or rules.gap.interval_minutes.get(site.kind, 60))


def gap_conditions(
    last_seen: pd.DataFrame,
    configuration: Configuration,
    rules: AlertConfig,
    *,
    now: dt.datetime,
    held: frozenset[str] = frozenset(),
) -> pd.DataFrame:
    """Online series whose newest data is older than `rules.gap.multiple` × their expected interval.

    `last_seen` has columns site, parameter, time (newest reading of the series; lab samples are
    judged by `sample_overdue_conditions` instead). The expected interval is
    `expected_interval_minutes`. Sites in `held` (their logger is offline) get no gap alert: the
    offline alert says it once.
    """
    rule = rules.gap
    frame = last_seen.loc[_among(last_seen["site"], configuration.sites) & ~_among(last_seen["site"], held)]
    if not rule.enabled or frame.empty:
        return empty_conditions()
    interval = {s.id: expected_interval_minutes(s, rules) for s in configuration.sites.values()}
    expected = frame["site"].map(interval).astype(float).to_numpy()
    elapsed = pd.Timestamp(now) - frame["time"]
    minutes = elapsed.dt.total_seconds().to_numpy(dtype=float) / 60
    firing = minutes > rule.multiple * expected
    part = frame.loc[firing]
    return _conditions(
        part.assign(time=pd.Timestamp(now).tz_convert("UTC")),
        "gap",
        firing=True,
        severity=rule.severity,
        value=minutes[firing],
        limit=rule.multiple * expected[firing],
        reference=expected[firing],
        detail=part["time"].map(lambda t: t.isoformat()).astype("string").to_numpy(),
        statistic="",
    )


def offline_conditions(
    heard: pd.DataFrame, configuration: Configuration, rules: AlertConfig, *, now: dt.datetime, since: dt.datetime
) -> pd.DataFrame:
    """One condition per site with a logger: offline (firing) or reporting (recovery).

    `heard` has columns site, time: the last time anything came from the site's logger (NaT or
    absent: never). A logger is offline when nothing came for `rules.offline.intervals` × its
    interval (`expected_interval_minutes`); one never heard from counts from `since` (when the
    service started), so a new site is offline after its expected first report. `detail` is the
    logger's MN; `value` the minutes without a word; `reference` the interval.
    """
    rule = rules.offline
    logged = [s for s in configuration.sites.values() if s.logger is not None]
    if not rule.enabled or not logged:
        return empty_conditions()
    last = dict(zip(heard["site"].astype(str), heard["time"], strict=True)) if len(heard) else {}
    start = pd.Timestamp(since).tz_convert("UTC")
    moment = pd.Timestamp(now).tz_convert("UTC")
    times = [last.get(s.id, pd.NaT) for s in logged]
    never = np.array([pd.isna(t) for t in times])
    reference = pd.DatetimeIndex([start if pd.isna(t) else t for t in times])
    interval = np.array([expected_interval_minutes(s, rules) for s in logged])
    minutes = (moment - reference).total_seconds().to_numpy(dtype=float) / 60
    firing = minutes > rule.intervals * interval
    frame = pd.DataFrame({"site": [s.id for s in logged], "parameter": "", "time": moment})
    mns = np.array([s.logger.mn for s in logged if s.logger is not None], dtype=object)
    detail = np.where(never, mns + " never", mns)
    return _conditions(
        frame,
        "offline",
        firing=firing,
        severity=rule.severity,
        value=minutes,
        limit=rule.intervals * interval,
        reference=interval,
        detail=detail,
        statistic="",
    )


def sample_overdue_conditions(
    last_samples: pd.DataFrame, configuration: Configuration, rules: AlertConfig, *, now: dt.datetime
) -> pd.DataFrame:
    """Lab items whose next sample is overdue: none in the sampling period after the last one's, once
    that period has ended and `rules.sample_overdue.grace_days` more have passed.

    `last_samples` has columns site, parameter, time (newest sample). Periods are local calendar
    periods (`rules.timezone`) of the site's plan: a monthly item sampled on 10 March is due by the
    end of April; it is overdue from 1 May + the grace days. `value` is the days since the last
    sample, `limit` the days allowed, `detail` the last sample's time.
    """
    rule = rules.sample_overdue
    frame = last_samples.loc[_among(last_samples["site"], configuration.sites)]
    if not rule.enabled or frame.empty:
        return empty_conditions()
    months = (
        frame["site"]
        .map(
            {
                s.id: SAMPLING_MONTHS[s.sampling or rule.plans.get(s.kind, "monthly")]
                for s in configuration.sites.values()
            }
        )
        .to_numpy(dtype=int)
    )
    local = frame["time"].dt.tz_convert(rules.timezone)
    index = local.dt.year.to_numpy() * 12 + local.dt.month.to_numpy() - 1
    period_start = index // months * months
    due_end = period_start + 2 * months  # end of the period after the last sample's
    due = pd.to_datetime(
        {"year": due_end // 12, "month": due_end % 12 + 1, "day": np.ones(len(frame), dtype=int)}
    ).dt.tz_localize(rules.timezone)
    deadline = due + pd.Timedelta(days=rule.grace_days)
    moment = pd.Timestamp(now).tz_convert("UTC")
    firing = (deadline < moment).to_numpy(dtype=bool)
    part = frame.loc[firing]
    days = (moment - part["time"]).dt.total_seconds().to_numpy(dtype=float) / 86400
    allowed = (deadline[firing] - part["time"]).dt.total_seconds().to_numpy(dtype=float) / 86400
    return _conditions(
        part.assign(time=moment),
        "sample_overdue",
        firing=True,
        severity=rule.severity,
        value=days,
        limit=allowed,
        reference=months[firing].astype(float),
        detail=part["time"].map(lambda t: t.isoformat()).astype("string").to_numpy(),
        statistic="",
    )


def source_error_condition(name: str, message: str, rules: AlertConfig, *, now: dt.datetime) -> pd.DataFrame:
    """The condition a pull source's error raises: site = the source's name, parameter ""."""
    frame = pd.DataFrame({"site": [name], "parameter": [""], "time": [pd.Timestamp(now).tz_convert("UTC")]})
    return _conditions(
        frame, "source_error", firing=True, severity=rules.source_error.severity, detail=message, statistic=""
    )


def without_future_recoveries(conditions: pd.DataFrame, rules: AlertConfig, *, now: dt.datetime) -> pd.DataFrame:
    """Drop recoveries dated more than `rules.future_minutes` after `now`: a future reading resolves nothing."""
    limit = pd.Timestamp(now).tz_convert("UTC") + pd.Timedelta(minutes=rules.future_minutes)
    future = ~conditions["firing"].to_numpy(dtype=bool) & (conditions["time"] > limit).to_numpy(dtype=bool)
    return conditions.loc[~future].reset_index(drop=True) if future.any() else conditions


def _conditions(
    frame: pd.DataFrame,
    rule: RuleId,
    *,
    firing: np.ndarray | bool = True,
    severity: np.ndarray | str | None = None,
    value: np.ndarray | None = None,
    limit: np.ndarray | None = None,
    multiple: np.ndarray | None = None,
    reference: np.ndarray | None = None,
    detail: np.ndarray | str = "",
    statistic: str | None = None,
    build_empty: bool = False,
) -> pd.DataFrame:
    n = len(frame)
    if n == 0 and not build_empty:
        return empty_conditions()

    def column(name: str, default: object, dtype: Any) -> Any:
        if name in frame:
            values = frame[name]
            return (values if values.dtype == dtype else values.astype(dtype)).array
        return pd.array([default] * n, dtype=dtype)

    fires = np.broadcast_to(np.asarray(firing, dtype=bool), (n,))
    sev = np.broadcast_to(np.asarray(severity if severity is not None else "warning", dtype=object), (n,))
    nan = np.full(n, np.nan)
    out = pd.DataFrame(
        {
            "site": column("site", "", "string"),
            "parameter": column("parameter", "", "string"),
            "rule": pd.array([rule] * n, dtype="string"),
            "time": column("time", pd.NaT, "datetime64[ns, UTC]"),
            "statistic": pd.array([statistic] * n, dtype="string")
            if statistic is not None
            else column("statistic", "", "string"),
            "value": np.asarray(value if value is not None else column("value", np.nan, "float64"), dtype=float),
            "limit": np.asarray(limit if limit is not None else nan, dtype=float),
            "multiple": np.asarray(multiple if multiple is not None else nan, dtype=float),
            "reference": np.asarray(reference if reference is not None else nan, dtype=float),
            "flag": column("flag", "N", "string"),
            "detail": pd.array(np.broadcast_to(np.asarray(detail, dtype=object), (n,)), dtype="string"),
            "firing": fires.copy(),
            "severity": pd.array(np.where(fires, sev, np.array(None)), dtype="string"),
        }
    )
    return out


def _among(column: pd.Series, values: Collection[str]) -> np.ndarray:
    """Whether each value of a string column is one of `values` (many site ids: one Arrow `is_in`
    on an Arrow-backed column, ~7x faster than hashing Python strings; pandas' own `isin` on Arrow
    strings loops in Python over the column, ~10x slower still)."""
    if isinstance(column.dtype, pd.StringDtype) and column.dtype.storage == "pyarrow":
        found = pc.is_in(pa.array(column.array), value_set=pa.array(list(values), pa.string()))
        return found.fill_null(False).to_numpy(zero_copy_only=False)
    return column.astype(object).isin(list(values)).to_numpy(dtype=bool)


def _sorted(conditions: pd.DataFrame) -> pd.DataFrame:
    return conditions.sort_values("time", kind="stable").reset_index(drop=True)
