"""JSON of a year and its three hydrological seasons side by side (CLI, API, annual report).

GB 3838-2002 §4 asks for evaluation per season where a water body's wet, normal and dry seasons
are distinct, and the 2011 method (环办〔2011〕22号) shows them beside the year in annual
evaluations. Each column is the same evaluation the API serves for its period ("2026",
"2026-wet", …; service.compliance_views.run_period), so a class here always equals the class of
`/evaluations?period=…`; a season keeps each site's own months (config/seasons.yaml).
"""

from typing import Any

import pandas as pd

from models.configuration import Configuration
from models.methods.ratings import CLASS_COLOURS, CLASS_NAMES
from models.methods.seasons import SEASON_ZH, SEASONS
from models.period.periods import PeriodError, parse_period
from models.period.statistics import MIN_VALID_HOURS_PER_DAY
from service.compliance_views import load_seasons, run_period
from service.distributed import SharedStore
from service.period_data import PeriodEvaluation
from service.ratings_view import ratings_from
from store.base import Store


def seasons_for(
    config: Configuration,
    store: Store | SharedStore,
    year: str,
    *,
    timezone: str = "Asia/Shanghai",
    min_valid_hours: int = MIN_VALID_HOURS_PER_DAY,
) -> dict[str, Any]:
    """Each surface site's class in the year and in its wet, normal and dry seasons, the season it
    fared worst in, and the county's rating per column."""
    if parse_period(year, timezone=timezone).kind != "year":
        raise PeriodError(f"period {year!r}: seasons are of a calendar year; give a year such as 2026")
    labels = [year, *(f"{year}-{season}" for season in SEASONS)]
    results = {
        label: run_period(config, store, label, timezone=timezone, min_valid_hours=min_valid_hours) for label in labels
    }
    months = load_seasons(config.folder)
    columns = [{"period": year, "season": None, "name": "全年"}] + [
        {"period": f"{year}-{season}", "season": season, "name": SEASON_ZH[season]} for season in SEASONS
    ]
    sites = []
    judged = {label: _classes(config, result) for label, result in results.items()}
    for site in config.sites.values():
        if site.kind == "plant":
            continue
        chosen = months.months_of(site)
        by_period = {}
        for label in labels:
            found = judged[label].get(site.id)
            season = label[len(year) + 1 :] or None
            by_period[label] = {
                **(found or {"class": None, "colour": None, "meets_target": None, "main_pollutants": []}),
                "months": list(chosen.of(season)) if season and chosen is not None else None,
            }
        sites.append(
            {
                "site": site.id,
                "name": site.name,
                "kind": site.kind,
                "target": config.target_of(site),
                "seasons_configured": chosen is not None,
                "periods": by_period,
                "worst_season": _worst_season(year, by_period),
            }
        )
    county = {label: _county(config, result) for label, result in results.items()}
    return {
        "year": year,
        "method": "GB 3838-2002 §4; 环办〔2011〕22号 (seasons side by side)",
        "class_colours": CLASS_COLOURS,
        "columns": columns,
        "sites": sites,
        "county": county,
    }


def _classes(config: Configuration, result: PeriodEvaluation) -> dict[str, dict[str, Any]]:
    """Class, colour, target met and main pollutants of each site judged in the period."""
    found: dict[str, dict[str, Any]] = {}
    for record in result.period.sites.to_dict("records"):
        name = record["class"]
        meets = record["meets_target"]
        found[str(record["site"])] = {
            "class": name,
            "colour": CLASS_COLOURS.get(name),
            "meets_target": None if pd.isna(meets) else bool(meets),
            "main_pollutants": [
                {"code": str(code), "name": config.catalogue[str(code)].zh} for code in record["main_pollutants"]
            ],
        }
    return found


def _worst_season(year: str, by_period: dict[str, dict[str, Any]]) -> str | None:
    """The season with the worst class (the first of wet, normal, dry on a tie); None if none is judged."""
    ranked = [
        (CLASS_NAMES.index(entry["class"]), season)
        for season in SEASONS
        if (entry := by_period[f"{year}-{season}"])["class"] in CLASS_NAMES
    ]
    if not ranked:
        return None
    worst = max(rank for rank, _ in ranked)
    return next(season for rank, season in ranked if rank == worst)


def _county(config: Configuration, result: PeriodEvaluation) -> dict[str, Any]:
    """The county's rating of the period (2011 method), without ΔCWQI (no base period here)."""
    county = ratings_from(config, result, None)["county"]
    keys = ("rating", "rating_zh", "colour", "n_sections", "good_percent", "worse_than_v_percent", "cwqi")
    return {key: county[key] for key in keys}
