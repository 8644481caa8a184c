"""What each page shows, gathered from the service's parts (compliance through its cache, alerts, store)."""

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

from models.configuration import Configuration
from models.period.periods import parse_period
from models.period.statistics import HOURLY
from models.sites import Site
from models.standards.classification import judge_sample
from service.api.context import Services
from service.compliance_views import run_period
from service.pages.charts import Chart, series_chart
from service.pages.text import Language, label, plain

JSON = dict[str, Any]


def compliance_answer(context: Services, view: str, **params: str | None) -> JSON:
    """The compliance port's answer of `view` (evaluations, compliance, scorecard) through the service's cache.

    The cache answers either the JSON dict (a method per view) or, where it keeps serialised bodies,
    JSON bytes from `answer(view, ...)`; the pages take both.
    """
    port: Any = context.compliance
    if port is None:
        raise LookupError("compliance is not part of this build")
    if hasattr(port, "answer"):
        return json.loads(port.answer(view, **params))  # type: ignore[no-any-return]
    return getattr(port, view)(**params)  # type: ignore[no-any-return]


def latest_month(context: Services, *, now: dt.datetime | None = None) -> str:
    """The month of the newest reading (not after now), so the pages open on data; the current month
    when the store is empty."""
    zone = ZoneInfo(context.settings.timezone)
    now = now or dt.datetime.now(dt.UTC)
    series = context.store.series()
    newest = pd.Timestamp(now)
    if not series.empty:
        newest = min(pd.Timestamp(series["last"].max()), pd.Timestamp(now))
    return newest.tz_convert(zone).strftime("%Y-%m")


def chosen_month(context: Services, asked: str | None) -> str:
    """The month asked for (YYYY-MM, validated by the period parser) or the latest month with data."""
    if asked:
        return parse_period(asked, timezone=context.settings.timezone).label
    return latest_month(context)


def overview(context: Services, month: str) -> JSON:
    """The scorecards of the month and of its year (year to date), and the month's ratings of rivers,
    basins and the county, from the compliance port."""
    if context.compliance is None:
        return {"month": month, "cards": [], "ratings": None}
    year = month[:4]
    cards = [
        {"period": month, "card": compliance_answer(context, "scorecard", period=month)},
        {"period": year, "card": compliance_answer(context, "scorecard", period=year)},
    ]
    ratings = compliance_answer(context, "ratings", period=month)
    return {"month": month, "cards": cards, "ratings": ratings}


def site_rows(context: Services, month: str) -> list[JSON]:
    """Each site: latest values, class against target for `month`, count of open alerts."""
    config = context.config
    evaluated: dict[str, JSON] = {}
    plants: dict[str, JSON] = {}
    if context.compliance is not None:
        body = compliance_answer(context, "evaluations", period=month)
        evaluated = {s["site"]: s for s in body["sites"]}
        plants = {p["site"]: p for p in body["plants"]}
    open_alerts: dict[str, int] = {}
    if context.alerts is not None:
        for alert in context.alerts.list(status="open"):
            open_alerts[alert["site"]] = open_alerts.get(alert["site"], 0) + 1
    latest = context.store.latest()
    rows = []
    for site in config.sites.values():
        mine = latest.loc[latest["site"] == site.id].sort_values("time").drop_duplicates("parameter", keep="last")
        values = [
            {
                "code": r["parameter"],
                "name": config.catalogue[r["parameter"]].zh if r["parameter"] in config.catalogue else r["parameter"],
                "value": float(r["value"]),
                "non_detect": bool(r["non_detect"]),
                "time": pd.Timestamp(r["time"]).tz_convert(context.settings.timezone).strftime("%Y-%m-%d %H:%M"),
            }
            for r in mine.sort_values("parameter").to_dict("records")
        ]
        rows.append(
            {
                "site": site,
                "target": config.target_of(site),
                "evaluation": evaluated.get(site.id),
                "plant": plants.get(site.id),
                "latest": values,
                "open_alerts": open_alerts.get(site.id, 0),
            }
        )
    return rows


def site_page(context: Services, site: Site, year: str, lang: Language) -> JSON:
    """A site's year: class (or compliant days) per month and a chart per parameter."""
    config, timezone = context.config, context.settings.timezone
    result = run_period(
        config,
        context.store,
        year,
        sites=[site.id],
        timezone=timezone,
        min_valid_hours=context.settings.min_valid_hours_per_day,
    )
    charts: list[Chart] = []
    months: list[JSON] = []
    if site.kind == "plant":
        items = result.plants.items.rename(columns={"day": "time"})
        for code, rows in items.groupby("parameter", sort=True):
            valid = rows.loc[rows["valid"]]
            charts.append(
                series_chart(config, site, str(code), line=_empty(), judged=valid, timezone=timezone, lang=lang)
            )
        days = result.plants.days
        if not days.empty:
            local = pd.to_datetime(days["day"], utc=True).dt.tz_convert(timezone).dt.strftime("%Y-%m")
            per_month = days.assign(month=local).groupby("month").agg(valid=("valid", "sum"), meets=("meets", "sum"))
            months = [
                {"month": m, "text": f"{int(r['meets'])}/{int(r['valid'])}", "ok": int(r["meets"]) == int(r["valid"])}
                for m, r in per_month.to_dict("index").items()
            ]
    else:
        period = parse_period(year, timezone=timezone)
        daily = context.store.aggregate(
            "day", sites=[site.id], start=period.start_utc, end=period.end_utc, timezone=timezone
        ).rename(columns={"period": "time", "mean": "value"})
        monthly = result.monthly.items.rename(columns={"month": "time"})
        for code, rows in monthly.groupby("parameter", sort=True):
            line = daily.loc[daily["parameter"] == code, ["time", "value"]]
            charts.append(series_chart(config, site, str(code), line=line, judged=rows, timezone=timezone, lang=lang))
        for r in result.monthly.sites.sort_values("month").to_dict("records"):
            meets = r["meets_target"]
            months.append(
                {
                    "month": pd.Timestamp(r["month"]).tz_convert(timezone).strftime("%Y-%m"),
                    "text": r["class"],
                    "ok": None if pd.isna(meets) else bool(meets),
                }
            )
    charts.sort(key=lambda c: (-c.exceedances, c.code))
    return {
        "site": site,
        "target": config.target_of(site),
        "year": year,
        "months": months,
        "charts": charts,
        "facts": site_facts(config, site, lang),
    }


def site_facts(config: Configuration, site: Site, lang: Language) -> list[tuple[str, str]]:
    """What a site page states first, by kind: a section's zone, boundary role and river; a source's
    withdrawal; a plant's standard and build date (the standard's class applies from it)."""
    standard = config.standards[site.standard]
    title = standard.title_en if lang == "en" else standard.title_zh
    facts = [(label("standard", lang), f"{site.standard} {title}")]
    if site.kind == "section":
        if site.zone is not None and site.zone in config.zones:
            facts.append((label("zone", lang), config.zones[site.zone].name))
        if site.boundary is not None:
            facts.append((label("boundary", lang), label(site.boundary, lang)))
        if site.river or site.basin:
            facts.append((label("river", lang), " / ".join(x for x in (site.river, site.basin) if x)))
    elif site.kind == "source" and site.withdrawal_m3_per_year is not None:
        by_month = site.withdrawal_m3_by_month
        monthly = (
            "、".join(f"{m}: {plain(v)}" for m, v in by_month.items())
            if by_month
            else plain(site.withdrawal_m3_per_year / 12)
        )
        facts.append((label("withdrawal", lang), monthly))
    elif site.kind == "plant" and site.built is not None:
        facts.append((label("built", lang), str(site.built)))
    return facts


def latest_values(context: Services, lang: Language) -> JSON:
    """Each automatic station's latest hourly values with the class of each and of the station (as the
    national real-time water-quality release shows them): one row per site with hourly data."""
    config, timezone = context.config, context.settings.timezone
    latest = context.store.latest()
    hourly = latest.loc[latest["statistic"].isin(HOURLY).to_numpy()]
    rows, columns = [], {}
    for site in config.sites.values():
        mine = hourly.loc[(hourly["site"] == site.id).to_numpy()]
        if mine.empty:
            continue
        standard = config.standards[site.standard]
        target_class = config.target_of(site)
        target = standard.classes.index(target_class) if target_class in standard.classes else 0
        codes = [str(c) for c in mine["parameter"]]
        judged = judge_sample(
            dict(zip(codes, mine["value"].astype(float), strict=True)),
            standard.limit_table(config.situation_of(site)),
            target=target,
            non_detect=dict(zip(codes, mine["non_detect"].astype(bool), strict=True)),
        )
        items = {}
        for item in judged.items.to_dict("records"):
            code = str(item["code"])
            entry = config.catalogue[code] if code in config.catalogue else None
            columns[code] = (entry.name(lang) if entry else code, entry.unit if entry else "")
            items[code] = {
                "value": plain(item["value"]) + ("L" if item["non_detect"] else ""),
                "class": _class_name(standard.classes, standard.worse_than_last, int(item["class_index"])),
                "meets": None if pd.isna(item["meets_target"]) else bool(item["meets_target"]),
            }
        newest = pd.Timestamp(mine["time"].max()).tz_convert(timezone).strftime("%Y-%m-%d %H:%M")
        rows.append(
            {
                "site": site,
                "time": newest,
                "class": _class_name(standard.classes, standard.worse_than_last, judged.class_index),
                "target": target_class,
                "meets": judged.meets_target,
                "items": items,
            }
        )
    ordered = sorted(columns.items())
    return {"rows": rows, "columns": [{"code": c, "name": n, "unit": u} for c, (n, u) in ordered]}


def _class_name(classes: tuple[str, ...], worse: str | None, index: int) -> str | None:
    """The class of an index (0 = first; len(classes) = worse than the last, e.g. 劣V); None if not judged."""
    if 0 <= index < len(classes):
        return classes[index]
    return worse if index == len(classes) else None


DEFAULT_CHARTS = 6  # charts a site page opens with; the parameter picker shows any others


def default_charts(charts: list[Chart]) -> list[str]:
    """The codes a site page shows before anything is picked: those with exceedances, then the first
    of the rest (charts come sorted by exceedances), at least DEFAULT_CHARTS of them."""
    exceeding = [c.code for c in charts if c.exceedances]
    rest = [c.code for c in charts if not c.exceedances]
    return exceeding + rest[: max(0, DEFAULT_CHARTS - len(exceeding))]


def alert_lists(context: Services) -> tuple[list[JSON], list[JSON]]:
    """Open and acknowledged alerts (active), and the most recent resolved ones."""
    if context.alerts is None:
        return [], []
    everything = context.alerts.list()
    active = [a for a in everything if a.get("status") != "resolved"]
    recent = [a for a in everything if a.get("status") == "resolved"][:50]
    return active, recent


_SEVERITY_RANK = {"critical": 0, "warning": 1}


def alert_page(
    context: Services,
    *,
    site: str | None = None,
    rule: str | None = None,
    severity: str | None = None,
    status: str | None = "active",
) -> dict[str, Any]:
    """The operator's alert list: filtered, repeats of one alert grouped, critical first, then newest.

    Alerts of one key (site, parameter, rule) are one row: the newest (the active one, if any)
    with `repeats` (how many alerts of that key the filter kept) and `firings` (their counts
    summed). `counts` are the open (unacknowledged) alerts per severity, whatever the filter.
    """
    if context.alerts is None:
        return {"rows": [], "counts": {"critical": 0, "warning": 0}, "rules": [], "sites": []}
    everything = context.alerts.list()
    counts = {"critical": 0, "warning": 0}
    for alert in everything:
        if alert.get("status") == "open":
            counts[str(alert.get("severity"))] = counts.get(str(alert.get("severity")), 0) + 1

    def kept(alert: JSON) -> bool:
        state = alert.get("status")
        return (
            (site is None or alert.get("site") == site)
            and (rule is None or alert.get("rule") == rule)
            and (severity is None or alert.get("severity") == severity)
            and (status is None or (state != "resolved" if status == "active" else state == status))
        )

    groups: dict[tuple[str, str, str], list[JSON]] = {}
    for alert in filter(kept, everything):
        groups.setdefault((str(alert["site"]), str(alert["parameter"]), str(alert["rule"])), []).append(alert)
    rows = []
    for alerts in groups.values():
        alerts.sort(key=lambda a: (a.get("status") != "resolved", str(a.get("last_seen") or "")), reverse=True)
        head = dict(alerts[0])
        head["repeats"] = len(alerts)
        head["firings"] = sum(int(a.get("count") or 0) for a in alerts)
        rows.append(head)
    rows.sort(key=lambda a: str(a.get("last_seen") or ""), reverse=True)
    rows.sort(key=lambda a: _SEVERITY_RANK.get(str(a.get("severity")), 2))
    return {
        "rows": rows,
        "counts": counts,
        "rules": sorted({str(a["rule"]) for a in everything}),
        "sites": sorted({str(a["site"]) for a in everything}),
    }


def local_time(text: str | None, timezone: str) -> str:
    """An ISO 8601 UTC time as local 'YYYY-MM-DD HH:MM' (empty for none)."""
    if not text:
        return ""
    return pd.Timestamp(text).tz_convert(timezone).strftime("%Y-%m-%d %H:%M")


def site_names(config: Configuration) -> dict[str, str]:
    """Site id -> name."""
    return {s.id: s.name for s in config.sites.values()}


def _empty() -> pd.DataFrame:
    return pd.DataFrame({"time": pd.Series([], dtype="datetime64[ns, UTC]"), "value": pd.Series([], dtype=float)})
