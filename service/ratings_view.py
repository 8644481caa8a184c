"""JSON of the ratings of a period: each river, each basin and the county (CLI, API, pages, report).

Ratings (models.methods.ratings, 环办〔2011〕22号) rest on the period's surface evaluation
(service.compliance_views.run_period): section classes come from evaluate_surface, and a group of
fewer than 5 sections is judged by evaluate_surface on its sections' averaged values. CWQI and
ΔCWQI (models.methods.cwqi, 环办监测〔2017〕51号) use the same period means; the base period
defaults to the same period one year earlier.
"""

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from models.configuration import Configuration
from models.methods.cwqi import class_iii_limits, county_cwqi, cwqi_change_percent, mean_cwqi, section_cwqi
from models.methods.ratings import (
    CHANGE_ZH,
    CLASS_COLOURS,
    MIN_SECTIONS_FOR_PROPORTION,
    RATING_COLOURS,
    RATING_ZH,
    GroupRating,
    Level,
    rate_group,
    rating_change,
)
from models.methods.trophic import trophic_index
from models.period.evaluation import evaluate_surface
from models.period.periods import MIN_YEAR, Period
from models.period.statistics import MIN_VALID_HOURS_PER_DAY, mean_by
from models.standards.limits import Situation
from service.compliance_views import run_period, trophic_json
from service.distributed import SharedStore
from service.period_data import PeriodEvaluation
from store.base import Store

RATED_KINDS = ("section", "lake")  # the 2011 method rates rivers by their sections and lake points
LEVELS: tuple[Level, ...] = ("river", "lake", "basin")  # a site's attribute of each level names its group
Averaged = tuple[int | None, list[str], dict[str, Any] | None]  # class, main pollutants, trophic state
CWQI_STANDARD = "GB3838-2002"


def ratings_for(
    config: Configuration,
    store: Store | SharedStore,
    period: str,
    *,
    river: str | None = None,
    base: str | None = None,
    timezone: str = "Asia/Shanghai",
    min_valid_hours: int = MIN_VALID_HOURS_PER_DAY,
) -> dict[str, Any]:
    """Ratings, class shares, main pollutants, 无劣Ⅴ, CWQI and ΔCWQI of rivers, basins and the county."""
    _check_river(config, river)
    result = run_period(config, store, period, timezone=timezone, min_valid_hours=min_valid_hours)
    base_label = base if base is not None else previous_year(result.data.period)
    base_result = (
        run_period(config, store, base_label, timezone=timezone, min_valid_hours=min_valid_hours)
        if base_label is not None
        else None
    )
    return ratings_from(config, result, base_result, river=river)


def ratings_from(
    config: Configuration,
    result: PeriodEvaluation,
    base_result: PeriodEvaluation | None,
    *,
    river: str | None = None,
) -> dict[str, Any]:
    """The ratings JSON from a period's evaluation (and its base period's, for ΔCWQI)."""
    parsed = result.data.period
    base_label = base_result.data.period.label if base_result is not None else None
    _check_river(config, river)
    rated = [s for s in config.sites.values() if s.kind in RATED_KINDS]
    now_cwqi = _site_cwqi(config, result)
    base_cwqi = _site_cwqi(config, base_result) if base_result is not None else pd.Series(dtype=float)
    chosen: list[tuple[Level, str, list[str]]] = []
    for level in LEVELS:
        names = sorted({getattr(s, level) for s in rated if getattr(s, level)})
        for name in names:
            members = [s.id for s in rated if getattr(s, level) == name]
            if river is not None and level in ("river", "lake") and name != river:
                continue
            if river is not None and level == "basin" and not any(config.sites[m].river == river for m in members):
                continue
            chosen.append((level, name, members))
    chosen.append(("county", "全县", [s.id for s in rated]))
    built = _groups(config, result, chosen, now_cwqi, base_cwqi)
    if base_result is not None:
        empty = pd.Series(dtype=float)
        for group, earlier in zip(built, _groups(config, base_result, chosen, empty, empty), strict=True):
            group["change"] = _change(group, earlier, base_label)
    groups: dict[str, list[dict[str, Any]]] = {
        f"{level}s": [g for g in built if g["level"] == level] for level in LEVELS
    }
    county = built[-1]
    lake_ids = [s.id for s in rated if s.effective_water_body == "lake"]
    now, then = _county_cwqi(now_cwqi, lake_ids), _county_cwqi(base_cwqi, lake_ids)
    county["cwqi"], county["base_cwqi"] = _round(now, 2), _round(then, 2)
    county["cwqi_change_percent"] = _round(cwqi_change_percent(now, then), 2)
    county["cwqi_change_ranked"] = _change_ranked(result, base_result, [s.id for s in rated])
    return {
        "period": parsed.label,
        "base_period": base_label,
        "method": "环办〔2011〕22号 (ratings); 环办监测〔2017〕51号 (CWQI)",
        "class_colours": CLASS_COLOURS,
        "rating_colours": RATING_COLOURS,
        "rivers": groups["rivers"],
        "lakes": groups["lakes"],
        "basins": groups["basins"],
        "county": county,
    }


def _groups(
    config: Configuration,
    result: PeriodEvaluation,
    chosen: list[tuple[Level, str, list[str]]],
    now_cwqi: pd.Series,
    base_cwqi: pd.Series,
) -> list[dict[str, Any]]:
    """The rating JSON of each chosen group in the period of `result`."""
    classes = dict(zip(result.period.sites["site"], result.period.sites["class_index"].astype(int), strict=True))
    items = result.period.items
    items = items.loc[items["evaluated"].to_numpy(bool), ["site", "parameter", "multiple_iii", "evaluated"]]
    items = items.reset_index(drop=True)
    rows_of = items.groupby("site", sort=False).indices if not items.empty else {}
    judged = [([m for m in members if m in classes], level == "lake") for level, _, members in chosen]
    averaged = _averaged(config, result, judged)
    return [
        _group(config, level, name, members, classes, _rows(items, rows_of, members), averaged[i], now_cwqi, base_cwqi)
        for i, (level, name, members) in enumerate(chosen)
    ]


def _change(now: dict[str, Any], then: dict[str, Any], base_label: str | None) -> dict[str, Any]:
    """The group's change from the base period: by rating level, and ΔG − ΔD of its class shares."""
    verdict = rating_change(now["rating"], then["rating"])
    deltas = [
        None if now[key] is None or then[key] is None else round(now[key] - then[key], 2)
        for key in ("good_percent", "worse_than_v_percent")
    ]
    g_minus_d = None if None in deltas else round(deltas[0] - deltas[1], 2)  # type: ignore[operator]
    return {
        "base_period": base_label,
        "base_rating": then["rating"],
        "base_rating_zh": then["rating_zh"],
        "verdict": verdict,
        "verdict_zh": CHANGE_ZH[verdict] if verdict else None,
        "delta_good_percent": deltas[0],
        "delta_worse_than_v_percent": deltas[1],
        "delta_g_minus_d": g_minus_d,
    }


def _change_ranked(
    result: PeriodEvaluation, base_result: PeriodEvaluation | None, members: list[str]
) -> dict[str, Any]:
    """Whether the county takes part in the ranking of ΔCWQI: not when every section is class II or
    better and meets its target both in the base period and now (环办监测〔2017〕51号 as restated by
    the Ministry's release of 2017-06-16; upstream deductions are not applied)."""
    if base_result is None or not members:
        return {"ranked": None, "reason": "no base period" if members else "no rated sections"}
    now, then = _judged(result, members), _judged(base_result, members)
    if len(now) < len(members) or len(then) < len(members):
        return {"ranked": None, "reason": "not every section is judged in both periods"}
    class_ii = 1  # class index of II
    clean = all(
        classes[m][0] <= class_ii and classes[m][1] is True for classes in (now, then) for m in members
    )  # fmt: skip
    if clean:
        return {"ranked": False, "reason": "每个断面基准期和现状均达到或优于Ⅱ类且达标，不参加水质变化排名"}
    return {"ranked": True, "reason": None}


def _judged(result: PeriodEvaluation, members: list[str]) -> dict[str, tuple[int, bool | None]]:
    """Class index and target met of each member judged in the period."""
    sites = result.period.sites
    sites = sites.loc[sites["site"].isin(members) & (sites["class_index"].astype(int) >= 0)]
    return {
        str(row["site"]): (int(row["class_index"]), None if pd.isna(row["meets_target"]) else bool(row["meets_target"]))
        for row in sites.to_dict("records")
    }


def _check_river(config: Configuration, river: str | None) -> None:
    rivers = sorted({s.river for s in config.sites.values() if s.kind in RATED_KINDS and s.river})
    if river is not None and river not in rivers:
        raise ValueError(f"river {river!r} has no rated sections; rivers: {', '.join(rivers) or 'none configured'}")


def previous_year(period: Period) -> str | None:
    """The label of the same period one year earlier (None for a range of days or before 1900)."""
    label = period.label
    year = int(label[:4])
    if period.kind == "range" or year - 1 < MIN_YEAR:
        return None
    return f"{year - 1}{label[4:]}"


def _rows(items: pd.DataFrame, rows_of: Mapping[Any, Any], members: list[str]) -> pd.DataFrame:
    """The items of `members` (rows_of: site -> row positions in `items`)."""
    found = [rows_of[m] for m in members if m in rows_of]
    return items.iloc[np.concatenate(found)] if found else items.iloc[:0]


def _group(
    config: Configuration,
    level: Level,
    name: str,
    members: list[str],
    classes: dict[str, int],
    items: pd.DataFrame,
    averaged: Averaged,
    now_cwqi: pd.Series,
    base_cwqi: pd.Series,
) -> dict[str, Any]:
    judged = [m for m in members if m in classes]
    sections = pd.DataFrame({"site": pd.Series(judged, dtype=object), "class_index": [classes[m] for m in judged]})
    averaged_class, averaged_pollutants, trophic = averaged
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
        "sections": [_section_json(config, classes.get(site), site, now_cwqi) for site in members],
        **({"trophic": trophic} if level == "lake" else {}),
    }


def _averaged(config: Configuration, result: PeriodEvaluation, groups: list[tuple[list[str], bool]]) -> list[Averaged]:
    """Class and main pollutants of each group of fewer than 5 judged sections, and of each lake
    (`groups`: judged members, whether a lake), judged as one section on its members' averaged
    values (½ DL, pH through [H+]) with the first member's standard and water body; a lake also
    gets the trophic state of those averages. All groups in one evaluate_surface call; larger
    river groups get (None, [], None)."""
    found: list[Averaged] = [(None, [], None) for _ in groups]
    chosen = [
        i
        for i, (members, lake) in enumerate(groups)
        if members and (lake or len(members) < MIN_SECTIONS_FOR_PROPORTION)
    ]
    values = result.data.values
    if not chosen or values.empty:
        return found
    frames = [
        values.loc[values["site"].isin(groups[i][0]), ["parameter", "value", "non_detect", "n_values"]].assign(
            group=i, site=groups[i][0][0]
        )
        for i in chosen
    ]
    averaged = mean_by(pd.concat(frames, ignore_index=True), ["group", "site", "parameter"], weight="n_values")
    judged = evaluate_surface(averaged, config, by=("group",))
    trophic = trophic_index(averaged, by=("group",)).set_index("group")
    for row in judged.sites.to_dict("records"):
        group = int(row["group"])
        state = trophic_json(trophic, group) if groups[group][1] else None
        found[group] = (int(row["class_index"]), list(row["main_pollutants"]), state)
    return found


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


def _section_json(config: Configuration, class_index: int | None, site_id: str, cwqi: pd.Series) -> dict[str, Any]:
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
