"""JSON of the ratings of a period: each river, each basin and the county (CLI, API, pages, report).

Ratings (models.methods.ratings, 环办〔2011〕22号) rest on the period's surface evaluation
(service.compliance_views.run_period): section classes come from evaluate_surface, and a group of
fewer than 5 sections is judged by evaluate_surface on its sections' averaged values. CWQI and
ΔCWQI (models.methods.cwqi, 环办监测〔2017〕51号) use the same period means; the base period
defaults to the same period one year earlier.
"""

from typing import Any, Literal

import numpy as np
import pandas as pd

from models.configuration import Configuration
from models.methods.cwqi import class_iii_limits, county_cwqi, cwqi_change_percent, mean_cwqi, section_cwqi
from models.methods.ratings import (
    CLASS_COLOURS,
    RATING_COLOURS,
    RATING_ZH,
    GroupRating,
    rate_group,
)
from models.period.evaluation import evaluate_surface
from models.period.periods import Period
from models.period.statistics import MIN_VALID_HOURS_PER_DAY, mean_by
from models.standards.limits import Situation
from service.compliance_views import run_period
from service.period_data import PeriodEvaluation
from store.base import Store

RATED_KINDS = ("section", "lake")  # the 2011 method rates rivers by their sections and lake points
CWQI_STANDARD = "GB3838-2002"


def ratings_for(
    config: Configuration,
    store: Store,
    period: str,
    *,
    river: str | None = None,
    base: str | None = None,
    timezone: str = "Asia/Shanghai",
    min_valid_hours: int = MIN_VALID_HOURS_PER_DAY,
) -> dict[str, Any]:
    """Ratings, class shares, main pollutants, 无劣Ⅴ, CWQI and ΔCWQI of rivers, basins and the county."""
    result = run_period(config, store, period, timezone=timezone, min_valid_hours=min_valid_hours)
    parsed = result.data.period
    base_label = base if base is not None else previous_year(parsed)
    base_result = (
        run_period(config, store, base_label, timezone=timezone, min_valid_hours=min_valid_hours)
        if base_label is not None
        else None
    )
    rated = [s for s in config.sites.values() if s.kind in RATED_KINDS]
    if river is not None:
        rivers = sorted({s.river for s in rated if s.river})
        if river not in rivers:
            raise ValueError(f"river {river!r} has no rated sections; rivers: {', '.join(rivers) or 'none configured'}")
    now_cwqi = _site_cwqi(config, result)
    base_cwqi = _site_cwqi(config, base_result) if base_result is not None else pd.Series(dtype=float)
    groups: dict[str, list[dict[str, Any]]] = {"rivers": [], "basins": []}
    for level, attribute, key in (("river", "river", "rivers"), ("basin", "basin", "basins")):
        names = sorted({getattr(s, attribute) for s in rated if getattr(s, attribute)})
        for name in names:
            members = [s.id for s in rated if getattr(s, attribute) == name]
            if river is not None and level == "river" and name != river:
                continue
            if river is not None and level == "basin" and not any(config.sites[m].river == river for m in members):
                continue
            groups[key].append(_group(config, result, level, name, members, now_cwqi, base_cwqi))  # type: ignore[arg-type]
    county = _group(config, result, "county", "全县", [s.id for s in rated], now_cwqi, base_cwqi)
    lake_ids = [s.id for s in rated if s.effective_water_body == "lake"]
    now, then = _county_cwqi(now_cwqi, lake_ids), _county_cwqi(base_cwqi, lake_ids)
    county["cwqi"], county["base_cwqi"] = _round(now, 2), _round(then, 2)
    county["cwqi_change_percent"] = _round(cwqi_change_percent(now, then), 2)
    return {
        "period": parsed.label,
        "base_period": base_label,
        "method": "环办〔2011〕22号 (ratings); 环办监测〔2017〕51号 (CWQI)",
        "class_colours": CLASS_COLOURS,
        "rating_colours": RATING_COLOURS,
        "rivers": groups["rivers"],
        "basins": groups["basins"],
        "county": county,
    }


def previous_year(period: Period) -> str | None:
    """The label of the same period one year earlier (None for a range of days)."""
    label = period.label
    if period.kind == "range":
        return None
    year = int(label[:4])
    return f"{year - 1}{label[4:]}"


def _group(
    config: Configuration,
    result: PeriodEvaluation,
    level: Literal["river", "basin", "county"],
    name: str,
    members: list[str],
    now_cwqi: pd.Series,
    base_cwqi: pd.Series,
) -> dict[str, Any]:
    evaluation = result.period
    sections = evaluation.sites.loc[evaluation.sites["site"].isin(members), ["site", "class_index"]]
    items = evaluation.items.loc[evaluation.items["site"].isin(members)]
    averaged_class, averaged_pollutants = _averaged(config, result, sections["site"].tolist())
    rating = rate_group(
        level, name, sections, items, averaged_class=averaged_class, averaged_pollutants=averaged_pollutants
    )
    cwqi = mean_cwqi(now_cwqi.reindex(members))
    base = mean_cwqi(base_cwqi.reindex(members))
    return {
        **_rating_json(config, rating),
        "cwqi": _round(cwqi, 2),
        "base_cwqi": _round(base, 2),
        "cwqi_change_percent": _round(cwqi_change_percent(cwqi, base), 2),
        "sections": [_section_json(config, evaluation.sites, site, now_cwqi) for site in members],
    }


def _averaged(config: Configuration, result: PeriodEvaluation, members: list[str]) -> tuple[int | None, list[str]]:
    """Class and main pollutants of the members' averaged values (½ DL, pH through [H+]), judged
    as one section with the first member's standard and water body."""
    values = result.data.values
    values = values.loc[values["site"].isin(members)]
    if values.empty or not members:
        return None, []
    averaged = mean_by(values[["parameter", "value", "non_detect", "n_values"]], ["parameter"], weight="n_values")
    averaged = averaged.assign(site=members[0])
    judged = evaluate_surface(averaged, config)
    if judged.sites.empty:
        return None, []
    row = judged.sites.iloc[0]
    return int(row["class_index"]), list(row["main_pollutants"])


def _site_cwqi(config: Configuration, result: PeriodEvaluation) -> pd.Series:
    values = result.data.values
    rated = {s.id: s.effective_water_body for s in config.sites.values() if s.kind in RATED_KINDS}
    values = values.loc[values["site"].isin(list(rated))]
    if values.empty:
        return pd.Series(dtype=float)
    standard = config.standards[CWQI_STANDARD]
    limits = {body: class_iii_limits(standard.limit_table(Situation(water_body=body))) for body in ("river", "lake")}
    frame = section_cwqi(values.assign(water_body=values["site"].map(rated)), limits)
    return frame.set_index("site")["cwqi"]


def _county_cwqi(site_cwqi: pd.Series, lake_ids: list[str]) -> float | None:
    """Rivers and lakes weighted by their numbers of sections and points (see models.methods.cwqi)."""
    is_lake = site_cwqi.index.isin(lake_ids)
    rivers, lakes = site_cwqi[~is_lake], site_cwqi[is_lake]
    return county_cwqi({"rivers": (mean_cwqi(rivers), len(rivers)), "lakes": (mean_cwqi(lakes), len(lakes))})


def _rating_json(config: Configuration, rating: GroupRating) -> dict[str, Any]:
    catalogue = config.catalogue
    exceedance = rating.exceedance
    return {
        "level": rating.level,
        "name": rating.name,
        "n_sections": len(rating.sites),
        "method": rating.method,
        "rating": rating.rating,
        "rating_zh": RATING_ZH[rating.rating] if rating.rating else None,
        "colour": RATING_COLOURS[rating.rating] if rating.rating else None,
        "class": _class_name(rating.class_index),
        "good_percent": rating.good_percent,
        "worse_than_v_percent": rating.worse_than_v_percent,
        "shares": rating.shares,
        "main_pollutants": [
            {
                "code": code,
                "name": catalogue[code].zh,
                "exceedance_rate": _rate_of(exceedance, code),
            }
            for code in rating.main_pollutants
        ],
        "exceedance_rates": [
            {
                "code": r["parameter"],
                "name": catalogue[r["parameter"]].zh,
                "sections": int(r["sections"]),
                "exceeding": int(r["exceeding"]),
                "rate": float(r["rate"]),
            }
            for r in exceedance.loc[exceedance["exceeding"] > 0].to_dict("records")
        ],  # fmt: skip
        "no_worse_than_v": {
            "answer": "yes" if rating.no_worse_than_v else "no",
            "sites": [{"site": s, "name": config.sites[s].name} for s in rating.worse_than_v_sites],
        },
    }


def _section_json(config: Configuration, sites: pd.DataFrame, site_id: str, cwqi: pd.Series) -> dict[str, Any]:
    row = sites.loc[sites["site"] == site_id]
    class_index = int(row["class_index"].iloc[0]) if not row.empty else None
    value = cwqi.get(site_id)
    return {
        "site": site_id,
        "name": config.sites[site_id].name,
        "class": _class_name(class_index),
        "colour": CLASS_COLOURS.get(_class_name(class_index) or "", None),
        "cwqi": _round(None if value is None or pd.isna(value) else float(value), 2),
    }


def _class_name(class_index: int | None) -> str | None:
    names = ("I", "II", "III", "IV", "V", "劣V")
    return names[class_index] if class_index is not None and 0 <= class_index < len(names) else None


def _rate_of(exceedance: pd.DataFrame, code: str) -> float | None:
    rows = exceedance.loc[exceedance["parameter"] == code, "rate"]
    return float(rows.iloc[0]) if not rows.empty else None


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None or np.isnan(value) else round(float(value), digits)
