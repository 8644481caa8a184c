"""JSON views of a period's evaluation, compliance rates and scorecard (CLI and HTTP API).

Each view takes the configuration, a store and a period label and returns a JSON-ready dict:
rates carry numerator, denominator, rate (percent, two decimals) and the failing sites.
"""

from collections.abc import Hashable, Mapping
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from models.configuration import BUILTIN_CONFIG, Configuration, read_config_file
from models.methods.seasons import SEASON_ZH, Seasons, seasons_from_mapping
from models.methods.trophic import CODES as TROPHIC_CODES
from models.methods.trophic import trophic_index
from models.period.periods import parse_period
from models.period.statistics import MIN_VALID_HOURS_PER_DAY
from models.period.trend import MIN_PERIODS, seasonal_kendall, spearman_trend
from models.rates.compliance import compliance_rates, not_judged_sites
from models.rates.indicators import (
    Indicator,
    IndicatorSystem,
    ManualStatus,
    ManualValue,
    scorecard,
    system_from_mapping,
)
from models.standards.classification import limit_of
from models.standards.limits import LimitTable
from service.distributed import SharedStore
from service.period_data import PeriodEvaluation, decimals_of, evaluate_data, load_period
from store.base import Store
from store.indicator_entries import IndicatorEntries
from store.state import StateDB


def run_period(
    config: Configuration,
    store: Store | SharedStore,
    period: str,
    *,
    sites: list[str] | None = None,
    timezone: str = "Asia/Shanghai",
    min_valid_hours: int = MIN_VALID_HOURS_PER_DAY,
) -> PeriodEvaluation:
    """Load and judge one period (the shared first step of every view); with a SharedStore, spread
    by site over its Dask cluster (service/distributed.py), with the same answer."""
    parsed = parse_period(period, timezone=timezone)
    seasons = load_seasons(config.folder) if parsed.season is not None else None
    if isinstance(store, SharedStore):
        return store.evaluate(config, parsed, sites=sites, min_valid_hours=min_valid_hours, seasons=seasons)
    data = load_period(store, config, parsed, sites=sites, min_valid_hours=min_valid_hours, seasons=seasons)
    return evaluate_data(data, config)


def evaluate_period(
    config: Configuration,
    store: Store | SharedStore,
    period: str,
    site: str | None = None,
    *,
    timezone: str = "Asia/Shanghai",
    min_valid_hours: int = MIN_VALID_HOURS_PER_DAY,
) -> dict[str, Any]:
    """Per site: class, items over target with exceedance multiples, main pollutants; per plant
    the compliant days per item. With `site`, only that site, plus the monthly trend per item."""
    chosen = [config.site(site).id] if site is not None else None
    result = run_period(config, store, period, sites=chosen, timezone=timezone, min_valid_hours=min_valid_hours)
    body: dict[str, Any] = {
        "period": result.data.period.label,
        "from": result.data.period.first.isoformat(),
        "to": (result.data.period.end - pd.Timedelta(days=1)).isoformat(),
        "sites": _surface_sites(config, result),
        "plants": _plants(config, result, min_valid_hours),
        # Surface sites asked for that have no class in the period, each with why.
        "not_judged": not_judged_sites(
            result.period, chosen or [s.id for s in config.sites.values() if s.kind != "plant"], config
        ),
    }
    if chosen is not None:
        body["trends"] = _trends(result)
    return body


def compliance_for(
    config: Configuration,
    store: Store | SharedStore,
    period: str,
    *,
    timezone: str = "Asia/Shanghai",
    min_valid_hours: int = MIN_VALID_HOURS_PER_DAY,
) -> dict[str, Any]:
    """Every compliance rate of the period with numerator, denominator and failing sites."""
    result = run_period(config, store, period, timezone=timezone, min_valid_hours=min_valid_hours)
    return {"period": result.data.period.label, "rates": _rates(config, result)}


def scorecard_for(
    config: Configuration,
    store: Store | SharedStore,
    state: StateDB,
    period: str,
    *,
    timezone: str = "Asia/Shanghai",
    min_valid_hours: int = MIN_VALID_HOURS_PER_DAY,
) -> dict[str, Any]:
    """The indicator scorecard of the period: value, status and points of each indicator, totals."""
    label = parse_period(period, timezone=timezone).label
    result = run_period(config, store, label, timezone=timezone, min_valid_hours=min_valid_hours)
    return scorecard(
        load_indicator_system(config.folder),
        _rates(config, result),
        manual_values(state, label),
        period=label,
        statuses=manual_statuses(state, label),
    )


def manual_values(state: StateDB, period: str) -> dict[str, ManualValue]:
    """Hand-entered values of `period` (store/indicator_entries.py); the newest entry counts."""
    return dict(IndicatorEntries(state).for_period(period))


def manual_statuses(state: StateDB, period: str) -> dict[str, ManualStatus]:
    """Hand-entered statuses of `period` (qualitative indicators, basic conditions); the newest counts."""
    return dict(IndicatorEntries(state).statuses_for(period))


def load_indicator_system(folder: Path) -> IndicatorSystem:
    """The indicator system of `folder`/indicators.yaml, else the one shipped with wqmon."""
    path = folder / "indicators.yaml"
    if not path.exists():
        path = BUILTIN_CONFIG / "indicators.yaml"
    data = read_config_file(path, allow_empty=True)
    return system_from_mapping(data, origin=str(path))


def load_indicators(folder: Path) -> list[Indicator]:
    """The indicators of `folder`/indicators.yaml, else the default set shipped with wqmon."""
    return load_indicator_system(folder).indicators


def load_seasons(folder: Path) -> Seasons:
    """The season months of `folder`/seasons.yaml, else the example shipped with wqmon."""
    path = folder / "seasons.yaml"
    if not path.exists():
        path = BUILTIN_CONFIG / "seasons.yaml"
    return seasons_from_mapping(read_config_file(path, allow_empty=True), origin=str(path))


def _rates(config: Configuration, result: PeriodEvaluation) -> dict[str, Any]:
    rates = compliance_rates(config, result.evaluations)
    return {rate_id: rate.as_dict() for rate_id, rate in rates.items()}


def _surface_sites(config: Configuration, result: PeriodEvaluation) -> list[dict[str, Any]]:
    items = result.period.items
    counts = result.data.values.groupby("site")["n_months"].max()
    by_site = items.groupby("site", sort=True).indices if not items.empty else {}
    trophic = trophic_index(result.data.values).set_index("site") if not result.data.values.empty else None
    season = result.data.period.season
    seasons = load_seasons(config.folder) if season is not None else None
    entries = []
    record: Mapping[Hashable, Any]
    decimals = decimals_of(config)
    for record in result.period.sites.to_dict("records"):
        site = config.sites[str(record["site"])]
        rows = items.iloc[by_site[site.id]]
        standard = config.standards[site.standard]
        table = standard.limit_table(config.situation_of(site))
        item = partial(_item, config, table, standard.class_index(str(config.target_of(site))), decimals)
        meets = record["meets_target"]
        over = rows.loc[(rows["meets_target"] == False).fillna(False) & rows["evaluated"]]  # noqa: E712
        entries.append(
            {
                "site": site.id,
                "name": site.name,
                "kind": site.kind,
                "standard": site.standard,
                "target": config.target_of(site),
                "class": record["class"],
                "meets_target": None if pd.isna(meets) else bool(meets),
                "n_values": int(rows["n_values"].sum()),
                "n_months": int(counts[site.id]),
                "items_over_target": [item(r) for r in over.to_dict("records")],
                "main_pollutants": [
                    {"code": code, "name": config.catalogue[code].zh, "multiple_iii": _round(m)}
                    for code, m in _multiples(rows, list(record["main_pollutants"]))
                ],
                "items": [item(r) for r in rows.to_dict("records")],
                # Reported beside the class, not part of it: lake and reservoir total nitrogen (单独评价),
                # fecal coliform and the items a site lists only to report.
                "reference_items": [item(r) for r in rows.loc[~rows["evaluated"].to_numpy(bool)].to_dict("records")],
            }
        )
        if site.effective_water_body == "lake":
            entries[-1]["trophic"] = trophic_json(trophic, site.id)
        if season is not None and seasons is not None:
            months = seasons.months_of(site)
            entries[-1]["season"] = {
                "season": season,
                "name": SEASON_ZH[season],
                "months": list(months.of(season)) if months is not None else [],
            }
    return entries


def trophic_json(trophic: pd.DataFrame | None, key: str | int) -> dict[str, Any]:
    """TLI(Σ) of a lake/reservoir site (or lake) from its period means: the row `key` of `trophic`
    (models.methods.trophic.trophic_index indexed by site or group)."""
    if trophic is None or key not in trophic.index:
        missing = list(TROPHIC_CODES)
        return {"tli": None, "state": None, "state_zh": None, "parameters": [], "missing": missing, "reweighted": False}
    row: Mapping[Hashable, Any] = trophic.loc[key].to_dict()
    return {
        "tli": float(row["tli"]),
        "state": row["state"],
        "state_zh": row["state_zh"],
        "parameters": list(row["parameters"]),
        "missing": list(row["missing"]),
        "reweighted": bool(row["reweighted"]),
        "note": "TLI re-weighted over the parameters measured (r² / Σ r² of those)" if row["reweighted"] else None,
    }


def _item(
    config: Configuration, table: LimitTable, target: int, decimals: Mapping[str, int], row: Mapping[Hashable, Any]
) -> dict[str, Any]:
    class_index = int(row["class_index"])
    code = str(row["parameter"])
    return {
        "code": code,
        "name": config.catalogue[code].zh,
        "value": float(row["value"]),
        "non_detect": bool(row["non_detect"]),
        "n_values": int(row["n_values"]),
        "class": table.standard.class_name(class_index) if class_index >= 0 else None,
        "limit": limit_of(table, int(table.row_of(np.array([code]))[0]), target),
        "meets_target": None if pd.isna(row["meets_target"]) else bool(row["meets_target"]),
        "exceedance_multiple": _round(row["exceedance_multiple"]),
        "evaluated": bool(row["evaluated"]),
        # Digits the value was rounded to before it was judged (环办监测函〔2020〕82号), None if not rounded.
        "decimals": decimals.get(code),
    }


def _multiples(rows: pd.DataFrame, codes: list[str]) -> list[tuple[str, float]]:
    multiple = rows.set_index("parameter")["multiple_iii"]
    return [(code, float(multiple.get(code, np.nan))) for code in codes]


def _plants(config: Configuration, result: PeriodEvaluation, min_valid_hours: int) -> list[dict[str, Any]]:
    plants = result.plants
    days = plants.days.groupby("site").agg(
        valid_days=("valid", "sum"), compliant_days=("meets", "sum"), days=("valid", "size")
    )
    summaries: dict[str, dict[str, Any]] = days.to_dict("index")  # type: ignore[assignment]
    entries = []
    for site_id, per_item in plants.per_item.groupby("site", sort=True):
        site = config.sites[str(site_id)]
        summary = summaries[site.id]
        valid_days, compliant_days = int(summary["valid_days"]), int(summary["compliant_days"])
        entries.append(
            {
                "site": site.id,
                "name": site.name,
                "standard": site.standard,
                "class": site.target,
                "min_valid_hours": min_valid_hours,
                "days_with_data": int(summary["days"]),
                "valid_days": valid_days,
                "compliant_days": compliant_days,
                "rate": round(100.0 * compliant_days / valid_days, 2) if valid_days else None,
                "items": [
                    {
                        "code": r["parameter"],
                        "name": config.catalogue[r["parameter"]].zh,
                        "valid_days": int(r["valid_days"]),
                        "compliant_days": int(r["compliant_days"]),
                        "invalid_days": int(r["invalid_days"]),
                        "max_exceedance_multiple": _round(r["max_exceedance_multiple"]),
                    }
                    for r in per_item.to_dict("records")
                ],
            }
        )
    return entries


def _trends(result: PeriodEvaluation) -> list[dict[str, Any]]:
    """Per site and item: the Spearman trend over the months (环办〔2011〕22号) and, when some
    calendar month was observed in two years or more, the seasonal Kendall test with Sen's slope
    (Hirsch et al. 1982) beside it."""
    monthly = result.data.monthly.sort_values("month")
    local = pd.DatetimeIndex(monthly["month"]).tz_convert(result.data.period.timezone)
    monthly = monthly.assign(year=local.year, calendar_month=local.month)
    trends = []
    for (site, code), rows in monthly.groupby(["site", "parameter"], sort=True):
        if len(rows) < MIN_PERIODS:
            continue
        trend = spearman_trend(rows["value"].to_numpy(), parameter=str(code))
        entry: dict[str, Any] = {"site": site, "code": code, **trend.as_dict(), "seasonal_kendall": None}
        if rows["calendar_month"].duplicated().any():
            years, months = rows["year"].to_numpy(), rows["calendar_month"].to_numpy()
            test = seasonal_kendall(years, months, rows["value"].to_numpy(), parameter=str(code))
            entry["seasonal_kendall"] = test.as_dict()
        trends.append(entry)
    return trends


def _round(value: float, digits: int = 3) -> float | None:
    return None if value is None or np.isnan(value) else round(float(value), digits)
