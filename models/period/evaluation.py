"""Judging period values of many sites at once: surface sites by class, plants by day.

Both reuse models.standards.classification (judge_readings / classify_samples / main_pollutants); the work
here is choosing each row's limit table. Sites are grouped on what selects their limits
(standard, target class, water body, build date and — for plants — whether that day's water was
at most 12 °C, GB 18918 表1 注②), and each group is judged in one vectorised call.
"""

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from models.configuration import Configuration
from models.standards.classification import classify_samples, judge_readings, rank_main_pollutants
from models.standards.limits import Situation

WATER_TEMP = "w01010"
COLD_WATER_C = 12.0  # GB 18918-2002 表1 注②: bracketed NH3-N limits when water temperature <= 12 °C

JUDGED_COLUMNS = ["class_index", "limit", "meets_target", "exceedance_multiple", "multiple_iii", "evaluated"]


def site_frame(config: Configuration, kinds: tuple[str, ...] | None = None) -> pd.DataFrame:
    """One row per configured site: id, name, kind, standard, target, zone, water body, built…"""
    rows = []
    for site in config.sites.values():
        if kinds is not None and site.kind not in kinds:
            continue
        rows.append(
            {
                "site": site.id,
                "name": site.name,
                "kind": site.kind,
                "standard": site.standard,
                "target": config.target_of(site),
                "zone": site.zone,
                "water_body": site.effective_water_body,
                "boundary": site.boundary,
                "built": site.built,
                "withdrawal_m3_per_year": site.withdrawal_m3_per_year,
            }
        )
    columns = ["site", "name", "kind", "standard", "target", "zone", "water_body", "boundary", "built"]
    return pd.DataFrame(rows, columns=[*columns, "withdrawal_m3_per_year"])


def judge_values(
    values: pd.DataFrame, config: Configuration, *, cold: pd.Series | None = None, target: str | None = None
) -> pd.DataFrame:
    """Judge each row (site, parameter, value, non_detect, …) against its site's standard and target.

    `cold` (bool per row, optional) says the water was at most 12 °C when the value was taken,
    which selects GB 18918's bracketed NH3-N limits. `target` judges every site against that
    class of its standard instead of its own target (the drinking-water source rate judges
    against class III). Rows of unconfigured sites are dropped.
    Returns `values` with the judge_readings columns (class_index, limit, meets_target,
    exceedance_multiple, multiple_iii, evaluated) and the site's standard and target.
    """
    frame = values.reset_index(drop=True)
    known = frame["site"].isin(list(config.sites)).to_numpy()
    if not known.all():
        frame = frame.loc[known].reset_index(drop=True)
    cold_flags = np.zeros(len(frame), bool) if cold is None else np.asarray(cold, bool)[known]
    # Group rows by what selects their limits, on integer codes (no per-row Python, no string joins).
    site_codes, site_ids = pd.factorize(frame["site"])
    situations = [_limits_key(config, str(site), target) for site in site_ids]
    key_codes, keys = pd.factorize(pd.Series(situations, dtype=object))
    group = key_codes[site_codes] * 2 + cold_flags
    n = len(frame)
    out: dict[str, np.ndarray] = {
        "class_index": np.full(n, -1, np.int8),
        "limit": np.full(n, np.nan),
        "meets_target": np.zeros(n, bool),
        "meets_known": np.zeros(n, bool),
        "exceedance_multiple": np.full(n, np.nan),
        "multiple_iii": np.full(n, np.nan),
        "evaluated": np.zeros(n, bool),
        "standard": np.empty(n, object),
        "target": np.empty(n, object),
    }
    parameters = pd.Categorical(frame["parameter"])  # looked up once per category, not per row
    values_ = frame["value"].to_numpy(float)
    non_detect = frame["non_detect"].to_numpy(bool)
    order = np.argsort(group, kind="stable")
    bounds = np.flatnonzero(np.diff(group[order])) + 1
    for rows in np.split(order, bounds) if n else []:
        standard_id, klass, situation = keys[group[rows[0]] // 2]
        standard = config.standards[standard_id]
        if group[rows[0]] % 2:
            situation = replace(situation, water_temp_c=COLD_WATER_C)
        judged = judge_readings(
            parameters[rows], values_[rows], non_detect[rows], standard.limit_table(situation),
            target=standard.class_index(klass),
        )  # fmt: skip
        for column in ("class_index", "limit", "exceedance_multiple", "multiple_iii", "evaluated"):
            out[column][rows] = judged[column].to_numpy()
        meets = judged["meets_target"]
        out["meets_target"][rows] = meets.fillna(False).to_numpy(bool)
        out["meets_known"][rows] = meets.notna().to_numpy()
        out["standard"][rows] = standard_id
        out["target"][rows] = klass
    meets_target = pd.array(out.pop("meets_target"), dtype="boolean")
    meets_target[~out.pop("meets_known")] = pd.NA
    result = frame.copy()
    for column, array in out.items():
        result[column] = array
    result["meets_target"] = meets_target
    return result[[*frame.columns, *JUDGED_COLUMNS, "standard", "target"]]


def _limits_key(config: Configuration, site_id: str, target: str | None) -> tuple[str, str, Situation]:
    """What selects a site's limits: its standard, the class judged and its situation."""
    site = config.sites[site_id]
    return site.standard, target or str(config.target_of(site)), config.situation_of(site)


@dataclass(frozen=True)
class SurfaceEvaluation:
    """Surface sites judged on their period values."""

    items: pd.DataFrame  # one row per site and item: value, n_values, class_index, meets_target, …
    sites: pd.DataFrame  # one row per site: class_index, class, meets_target, n_values, main_pollutants


def evaluate_surface(
    values: pd.DataFrame,
    config: Configuration,
    *,
    by: tuple[str, ...] = (),
    target: str | None = None,
    with_main_pollutants: bool = True,
) -> SurfaceEvaluation:
    """Class, target compliance and main pollutants of each surface site (or site and month with `by`).

    The class of a site is the worst class of its evaluated items' period means (单因子评价,
    环办〔2011〕22号 §3.3); main pollutants follow the same method (models.standards.classification).
    `target` judges every site against that class of its standard instead of its own target.
    Without `with_main_pollutants` every sample's list is left empty (sampling events feed rates only).
    """
    surface_sites = [s.id for s in config.sites.values() if s.kind != "plant"]
    values = values.loc[values["site"].isin(surface_sites)]
    items = judge_values(values, config, target=target)
    keys = ["site", *by]
    if items.empty:
        columns = [*keys, "class_index", "meets_target", "class", "n_values", "main_pollutants"]
        return SurfaceEvaluation(items=items, sites=pd.DataFrame(columns=columns))
    sites = classify_samples(items, items[JUDGED_COLUMNS], by=keys)
    counts = items.groupby(keys, sort=True, observed=True)["n_values"].max().rename("n_values").reset_index()
    sites = sites.merge(counts, on=keys, how="left")
    sites["class"] = _class_names(sites, config)
    sites["main_pollutants"] = (
        _main_pollutants(items, sites, keys, config) if with_main_pollutants else [[] for _ in range(len(sites))]
    )
    return SurfaceEvaluation(items=items, sites=sites)


def _main_pollutants(
    items: pd.DataFrame, sites: pd.DataFrame, keys: list[str], config: Configuration
) -> list[list[str]]:
    """Main pollutants of every sample at once (models.standards.classification.rank_main_pollutants)."""
    priority = np.zeros(len(items), bool)
    for standard_id, rows in items.groupby("standard", sort=False).indices.items():
        listed = config.standards[str(standard_id)].evaluation.priority_pollutants
        priority[rows] = items["parameter"].iloc[rows].isin(listed).to_numpy()
    frame = items[[*keys, "class_index", "multiple_iii", "evaluated"]].assign(
        code=items["parameter"].to_numpy(), priority=priority
    )
    top = rank_main_pollutants(frame, keys).reset_index(drop=True)
    if top.empty:
        return [[] for _ in range(len(sites))]
    # `top` comes sorted by sample: cut its codes where the sample changes (no per-group Python).
    change = np.zeros(len(top), bool)
    change[0] = True
    for key in keys:
        column = top[key].to_numpy(dtype=object)
        change[1:] |= column[1:] != column[:-1]
    starts = np.flatnonzero(change)
    lists = np.split(top["code"].to_numpy(dtype=object), starts[1:])
    samples = top.loc[starts, keys].reset_index(drop=True).assign(_list=np.arange(len(starts)))
    found = sites[keys].merge(samples, on=keys, how="left")["_list"].to_numpy(dtype=float)
    return [list(lists[int(i)]) if i == i else [] for i in found]


def _class_names(sites: pd.DataFrame, config: Configuration) -> np.ndarray:
    """The class name of each row's class_index under its site's standard (None where none)."""
    names = np.full(len(sites), None, dtype=object)
    standard = sites["site"].map({s.id: s.standard for s in config.sites.values()}).to_numpy(dtype=object)
    index = sites["class_index"].to_numpy(dtype=int)
    for standard_id in pd.unique(standard):
        rows = standard == standard_id
        chosen = config.standards[str(standard_id)]
        table = np.array([chosen.class_name(i) for i in range(len(chosen.classes) + 1)] + [None], dtype=object)
        # -1 (not judged) and -2 (not judgeable) take the trailing None
        names[rows] = table[np.where(index[rows] >= 0, index[rows], len(table) - 1)]
    return names


@dataclass(frozen=True)
class PlantEvaluation:
    """Plants judged day by day on their valid daily means (GB 18918-2002 §4.1.4)."""

    items: pd.DataFrame  # site, parameter, day, value, n_values, valid, meets_target, exceedance_multiple, limit
    days: pd.DataFrame  # site, day, valid (any judged item valid), meets (no valid item fails)
    per_item: pd.DataFrame  # site, parameter, valid_days, compliant_days, invalid_days, max_exceedance_multiple


def evaluate_plants(daily: pd.DataFrame, config: Configuration) -> PlantEvaluation:
    """Compliant days per plant and item from daily means (`models.period.statistics.daily_means` shape).

    NH3-N is judged with the limit for that day's water temperature (w01010 daily mean, valid
    days only): at most 12 °C takes the bracketed limits; unknown takes the stricter > 12 °C ones.
    """
    plants = [s.id for s in config.sites.values() if s.kind == "plant"]
    daily = daily.loc[daily["site"].isin(plants)].reset_index(drop=True)
    temps = daily.loc[(daily["parameter"] == WATER_TEMP) & daily["valid"], ["site", "day", "value"]]
    temp = daily[["site", "day"]].merge(temps, on=["site", "day"], how="left")["value"].to_numpy()
    cold = pd.Series(np.nan_to_num(temp.astype(float), nan=np.inf) <= COLD_WATER_C)
    items = judge_values(daily, config, cold=cold)
    judged = items["evaluated"].to_numpy(bool)
    items = items.loc[judged].reset_index(drop=True)
    valid = items["valid"].to_numpy(bool)
    fails = (items["meets_target"] == False).fillna(False).to_numpy() & valid  # noqa: E712 (nullable)
    passes = (items["meets_target"] == True).fillna(False).to_numpy() & valid  # noqa: E712
    work = items[["site", "parameter", "day"]].assign(valid=valid, fails=fails, passes=passes)
    days = work.groupby(["site", "day"], sort=True).agg(valid=("valid", "any"), fails=("fails", "any")).reset_index()
    days["meets"] = days["valid"] & ~days["fails"]
    days = days.drop(columns="fails")
    multiple = items["exceedance_multiple"].where(fails)
    per_item = (
        work.assign(invalid=~valid, multiple=multiple)
        .groupby(["site", "parameter"], sort=True)
        .agg(
            valid_days=("valid", "sum"),
            compliant_days=("passes", "sum"),
            invalid_days=("invalid", "sum"),
            max_exceedance_multiple=("multiple", "max"),
        )
        .reset_index()
    )
    return PlantEvaluation(items=items, days=days, per_item=per_item)


@dataclass(frozen=True)
class Evaluations:
    """Every evaluation of one period: what the views and the compliance rates are built from."""

    period: SurfaceEvaluation  # period means of surface sites, against their targets
    monthly: SurfaceEvaluation  # monthly values, by=("month",)
    events: SurfaceEvaluation  # sampling events, by=("event", "basis")
    plants: PlantEvaluation  # plant days
    timezone: str = "Asia/Shanghai"


def evaluate_all(
    config: Configuration,
    *,
    values: pd.DataFrame,
    monthly: pd.DataFrame,
    events: pd.DataFrame,
    plant_daily: pd.DataFrame,
    timezone: str = "Asia/Shanghai",
) -> Evaluations:
    """Judge a period's values at every step (models.period.statistics shapes)."""
    return Evaluations(
        period=evaluate_surface(values, config),
        monthly=evaluate_surface(monthly, config, by=("month",)),
        events=evaluate_surface(events, config, by=("event", "basis"), with_main_pollutants=False),
        plants=evaluate_plants(plant_daily, config),
        timezone=timezone,
    )
