"""JSON views of a period's evaluation, compliance rates and scorecard (CLI and HTTP API).

Each view takes the configuration, a store and a period label and returns a JSON-ready dict:
rates carry numerator, denominator, rate (percent, two decimals) and the failing sites.
"""

from collections.abc import Hashable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from models.configuration import BUILTIN_CONFIG, Configuration, read_config_file
from models.period.periods import parse_period
from models.period.statistics import MIN_VALID_HOURS_PER_DAY
from models.period.trend import MIN_PERIODS, spearman_trend
from models.rates.compliance import compliance_rates
from models.rates.indicators import (
    Indicator,
    IndicatorSystem,
    ManualStatus,
    ManualValue,
    scorecard,
    system_from_mapping,
)
from service.period_data import PeriodEvaluation, evaluate_data, load_period
from store.base import Store
from store.indicator_entries import IndicatorEntries
from store.state import StateDB


def run_period(
    config: Configuration,
    store: Store,
    period: str,
    *,
    sites: list[str] | None = None,
    timezone: str = "Asia/Shanghai",
    min_valid_hours: int = MIN_VALID_HOURS_PER_DAY,
) -> PeriodEvaluation:
    """Load and judge one period (the shared first step of every view)."""
    parsed = parse_period(period, timezone=timezone)
    data = load_period(store, config, parsed, sites=sites, min_valid_hours=min_valid_hours)
    return evaluate_data(data, config)


def evaluate_period(
    config: Configuration,
    store: Store,
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
    }
    if chosen is not None:
        body["trends"] = _trends(result)
    return body


def compliance_for(
    config: Configuration,
    store: Store,
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
    store: Store,
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


def _rates(config: Configuration, result: PeriodEvaluation) -> dict[str, Any]:
    rates = compliance_rates(config, result.period, result.monthly, result.plants)
    return {rate_id: rate.as_dict() for rate_id, rate in rates.items()}


def _surface_sites(config: Configuration, result: PeriodEvaluation) -> list[dict[str, Any]]:
    items = result.period.items
    counts = result.data.values.groupby("site")["n_months"].max()
    by_site = items.groupby("site", sort=True).indices if not items.empty else {}
    entries = []
    record: Mapping[Hashable, Any]
    for record in result.period.sites.to_dict("records"):
        site = config.sites[str(record["site"])]
        rows = items.iloc[by_site[site.id]]
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
                "items_over_target": [_item(config, r) for r in over.to_dict("records")],
                "main_pollutants": [
                    {"code": code, "name": config.catalogue[code].zh, "multiple_iii": _round(m)}
                    for code, m in _multiples(rows, list(record["main_pollutants"]))
                ],
                "items": [_item(config, r) for r in rows.to_dict("records")],
            }
        )
    return entries


def _item(config: Configuration, row: Mapping[Hashable, Any]) -> dict[str, Any]:
    standard = config.standards[row["standard"]]
    class_index = int(row["class_index"])
    return {
        "code": row["parameter"],
        "name": config.catalogue[row["parameter"]].zh,
        "value": float(row["value"]),
        "non_detect": bool(row["non_detect"]),
        "n_values": int(row["n_values"]),
        "class": standard.class_name(class_index) if class_index >= 0 else None,
        "limit": _round(row["limit"], 6),
        "meets_target": None if pd.isna(row["meets_target"]) else bool(row["meets_target"]),
        "exceedance_multiple": _round(row["exceedance_multiple"]),
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
    monthly = result.data.monthly.sort_values("month")
    trends = []
    for (site, code), rows in monthly.groupby(["site", "parameter"], sort=True):
        if len(rows) < MIN_PERIODS:
            continue
        trend = spearman_trend(rows["value"].to_numpy(), parameter=str(code))
        trends.append({"site": site, "code": code, **trend.as_dict()})
    return trends


def _round(value: float, digits: int = 3) -> float | None:
    return None if value is None or np.isnan(value) else round(float(value), digits)
