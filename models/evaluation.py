"""Judging period values of many sites at once: surface sites by class, plants by day.

Both reuse models.classification (judge_readings / classify_samples / main_pollutants); the work
here is choosing each row's limit table. Sites are grouped on what selects their limits
(standard, target class, water body, build date and — for plants — whether that day's water was
at most 12 °C, GB 18918 表1 注②), and each group is judged in one vectorised call.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import pandas as pd

from models.classification import classify_samples, judge_readings, main_pollutants
from models.configuration import Configuration
from models.standards import Situation, WaterBody

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


def judge_values(values: pd.DataFrame, config: Configuration, *, cold: pd.Series | None = None) -> pd.DataFrame:
    """Judge each row (site, parameter, value, non_detect, …) against its site's standard and target.

    `cold` (bool per row, optional) says the water was at most 12 °C when the value was taken,
    which selects GB 18918's bracketed NH3-N limits. Rows of unconfigured sites are dropped.
    Returns `values` with the judge_readings columns (class_index, limit, meets_target,
    exceedance_multiple, multiple_iii, evaluated) and the site's standard and target.
    """
    sites = site_frame(config).set_index("site")
    frame = values.reset_index(drop=True)
    known = frame["site"].isin(sites.index).to_numpy()
    frame = frame.loc[known].reset_index(drop=True)
    cold_flags = np.zeros(len(frame), bool) if cold is None else np.asarray(cold, bool)[known]
    info = sites.loc[frame["site"].to_numpy(), ["standard", "target", "water_body", "built"]].reset_index(drop=True)
    info["cold"] = cold_flags
    info["built"] = info["built"].astype(object).where(info["built"].notna(), None)
    parts = []
    for key, rows in info.groupby(["standard", "target", "water_body", "built", "cold"], dropna=False, sort=False):
        standard_id, target, water_body, built, is_cold = cast(tuple[str, str, WaterBody, Any, bool], key)
        standard = config.standards[standard_id]
        situation = Situation(
            water_body=water_body,
            water_temp_c=COLD_WATER_C if is_cold else None,
            built=built if isinstance(built, dt.date) else None,
        )
        table = standard.limit_table(situation)
        subset = frame.loc[rows.index]
        judged = judge_readings(
            subset["parameter"].astype("string"),
            subset["value"].to_numpy(float),
            subset["non_detect"].to_numpy(bool),
            table,
            target=standard.class_index(target),
        )
        judged["standard"] = standard_id
        judged["target"] = target
        parts.append(judged)
    if not parts:
        empty = frame.copy()
        for column in [*JUDGED_COLUMNS, "standard", "target"]:
            empty[column] = pd.Series(dtype=object)
        return empty
    judged = pd.concat(parts).sort_index()
    return pd.concat([frame, judged], axis=1)


@dataclass(frozen=True)
class SurfaceEvaluation:
    """Surface sites judged on their period values."""

    items: pd.DataFrame  # one row per site and item: value, n_values, class_index, meets_target, …
    sites: pd.DataFrame  # one row per site: class_index, class, meets_target, n_values, main_pollutants


def evaluate_surface(values: pd.DataFrame, config: Configuration, *, by: tuple[str, ...] = ()) -> SurfaceEvaluation:
    """Class, target compliance and main pollutants of each surface site (or site and month with `by`).

    The class of a site is the worst class of its evaluated items' period means (单因子评价,
    环办〔2011〕22号 §3.3); main pollutants follow the same method (models.classification).
    """
    surface_sites = [s.id for s in config.sites.values() if s.kind != "plant"]
    values = values.loc[values["site"].isin(surface_sites)]
    items = judge_values(values, config)
    keys = ["site", *by]
    if items.empty:
        columns = [*keys, "class_index", "meets_target", "class", "n_values", "main_pollutants"]
        return SurfaceEvaluation(items=items, sites=pd.DataFrame(columns=columns))
    sites = classify_samples(items, items[JUDGED_COLUMNS], by=keys)
    counts = items.groupby(keys, sort=True, observed=True)["n_values"].max().rename("n_values").reset_index()
    sites = sites.merge(counts, on=keys, how="left")
    standard_of = {s.id: config.standards[s.standard] for s in config.sites.values()}
    sites["class"] = [
        standard_of[s].class_name(int(c)) for s, c in zip(sites["site"], sites["class_index"], strict=True)
    ]
    sites["main_pollutants"] = _main_pollutants(items, sites, keys, config)
    return SurfaceEvaluation(items=items, sites=sites)


def _main_pollutants(
    items: pd.DataFrame, sites: pd.DataFrame, keys: list[str], config: Configuration
) -> list[list[str]]:
    result: list[list[str]] = [[] for _ in range(len(sites))]
    worse = np.flatnonzero(sites["class_index"].to_numpy() > 2)
    if len(worse) == 0:
        return result
    groups = items.groupby(keys, sort=False, observed=True).indices
    for position in worse:
        key = tuple(sites.iloc[position][keys]) if len(keys) > 1 else sites.iloc[position]["site"]
        rows = items.iloc[groups[key]]
        site = config.sites[rows["site"].iloc[0]]
        table = config.standards[site.standard].limit_table(config.situation_of(site))
        result[position] = main_pollutants(
            rows["parameter"].to_numpy(), rows[JUDGED_COLUMNS].reset_index(drop=True), table
        )
    return result


@dataclass(frozen=True)
class PlantEvaluation:
    """Plants judged day by day on their valid daily means (GB 18918-2002 §4.1.4)."""

    items: pd.DataFrame  # site, parameter, day, value, n_values, valid, meets_target, exceedance_multiple, limit
    days: pd.DataFrame  # site, day, valid (any judged item valid), meets (no valid item fails)
    per_item: pd.DataFrame  # site, parameter, valid_days, compliant_days, invalid_days, max_exceedance_multiple


def evaluate_plants(daily: pd.DataFrame, config: Configuration) -> PlantEvaluation:
    """Compliant days per plant and item from daily means (`models.statistics.daily_means` shape).

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
