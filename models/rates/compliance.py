"""Compliance rates (达标率) with numerator, denominator and the sites that pull them down.

Definitions (standards digest §6.3; each rate judges with its own yardstick):

* ``functional_zone_sections`` — sites of a functional zone (sections, lake points and the
  drinking-water sources that lie in a zone) whose period means meet the zone's target class ÷
  all such sites judged.
* ``functional_zones`` — zones all of whose judged sites meet the target ÷ zones judged.
* ``functional_zone_frequency`` — sampling events of those sites meeting the target ÷ all their
  events (达标率（按监测频次）): each manual sample and each valid day of automatic data is one
  event, judged single-factor on the items it measured.
* ``drinking_water_sources`` — compliant water volume ÷ total volume drawn. A source meets in a
  month only when every judged item meets class III of its standard (GB 3838-2002 Table 1 by the
  2011 method plus Tables 2 and 3; a groundwater source by its own standard's class III),
  whatever the target of its functional zone. A month weighs that month's withdrawal volume
  where the site has it (``withdrawal_m3_by_month``), else 1/12 of the yearly volume, and the
  answer says which.
* ``outgoing_sections`` — sampling events of outgoing cross-boundary sections meeting their
  target ÷ all their events (by frequency, as above).
* ``plant_outflow`` — valid days on which every item judged that day (online daily means and lab
  results, GB 18918-2002 §4.1.4) meets GB 18918 ÷ valid days, per plant and overall; each failing
  item lists the days it failed.

Every site in a rate's scope that is not judged is listed in ``not_judged`` (ids) and
``not_judged_reasons`` (with why), never dropped silently.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from models.configuration import Configuration
from models.period.evaluation import Evaluations, PlantEvaluation, SurfaceEvaluation, evaluate_surface
from models.sites import Site

RateId = Literal[
    "functional_zone_sections",
    "functional_zones",
    "functional_zone_frequency",
    "drinking_water_sources",
    "outgoing_sections",
    "plant_outflow",
]
RATE_NAMES: dict[str, str] = {
    "functional_zone_sections": "水功能区断面达标率",
    "functional_zones": "城市水环境功能区水质达标率",
    "functional_zone_frequency": "水功能区水质达标率（按频次）",
    "drinking_water_sources": "集中式饮用水水源地水质达标率",
    "outgoing_sections": "跨界断面出境水质达标率（按频次）",
    "plant_outflow": "污水处理厂出水日均值达标率",
}
RATE_UNITS: dict[str, str] = {
    "functional_zone_sections": "sites",
    "functional_zones": "zones",
    "functional_zone_frequency": "samples",
    "drinking_water_sources": "m3",
    "outgoing_sections": "samples",
    "plant_outflow": "days",
}
NotJudgedReason = Literal["no_data", "not_judgeable", "no_valid_day", "no_yardstick"]
NOT_JUDGED_TEXT: dict[str, str] = {
    "no_data": "本时段无监测数据",
    "not_judgeable": "本时段无可评价数据（所测项目在目标类别无限值，或未检出且检出限高于各类别限值）",
    "no_valid_day": "本时段无有效日（有效小时数不足）",
    "no_yardstick": "所用标准无Ⅲ类限值，无法按饮用水水源地评价",
}
SOURCE_YARDSTICK = "III"  # drinking-water sources are judged against class III (digest §6.3)
VALUE_COLUMNS = ["site", "parameter", "value", "n_values", "non_detect"]


@dataclass(frozen=True)
class Rate:
    """One compliance rate: numerator ÷ denominator, and what pulls it down."""

    id: str
    numerator: float
    denominator: float
    failing: list[dict[str, Any]] = field(default_factory=list)
    parts: list[dict[str, Any]] = field(default_factory=list)  # e.g. per plant
    not_judged: list[dict[str, str]] = field(default_factory=list)  # site, name, reason

    @property
    def percent(self) -> float | None:
        """The rate in percent, two decimals; None when nothing was judged."""
        if self.denominator == 0:
            return None
        return round(100.0 * self.numerator / self.denominator, 2)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (used by the CLI and the HTTP API)."""
        not_judged = sorted(self.not_judged, key=lambda entry: entry["site"])
        return {
            "id": self.id,
            "name": RATE_NAMES[self.id],
            "unit": RATE_UNITS[self.id],
            "numerator": _number(self.numerator),
            "denominator": _number(self.denominator),
            "rate": self.percent,
            "failing": self.failing,
            "not_judged": [entry["site"] for entry in not_judged],
            "not_judged_reasons": not_judged,
            **({"parts": self.parts} if self.parts else {}),
        }


def compliance_rates(config: Configuration, evaluations: Evaluations) -> dict[str, Rate]:
    """Every rate of the period from its evaluations."""
    sites = list(config.sites.values())
    zone_sites = [s.id for s in sites if s.kind in ("section", "lake", "source") and s.zone is not None]
    sources = [s.id for s in sites if s.kind == "source"]
    outgoing = [s.id for s in sites if s.kind == "section" and s.boundary == "outgoing"]
    period, events = evaluations.period, evaluations.events
    return {
        "functional_zone_sections": _share_of_sites("functional_zone_sections", period, zone_sites, config),
        "functional_zones": _zones(period, zone_sites, config),
        "functional_zone_frequency": _by_frequency("functional_zone_frequency", events, zone_sites, config),
        "drinking_water_sources": _by_volume(evaluations, sources, config),
        "outgoing_sections": _by_frequency("outgoing_sections", events, outgoing, config),
        "plant_outflow": plant_outflow_rate(evaluations.plants, config, timezone=evaluations.timezone),
    }


def _judged(evaluation: SurfaceEvaluation, sites: list[str]) -> pd.DataFrame:
    frame = evaluation.sites
    return frame.loc[frame["site"].isin(sites) & frame["meets_target"].notna()]


def not_judged_sites(evaluation: SurfaceEvaluation, sites: list[str], config: Configuration) -> list[dict[str, str]]:
    """Sites in scope without a judgement, each with why."""
    judged = set(_judged(evaluation, sites)["site"].unique())
    measured = set(evaluation.items["site"].unique()) if not evaluation.items.empty else set()
    return [
        _reason(config.sites[site], "not_judgeable" if site in measured else "no_data")
        for site in sites
        if site not in judged
    ]


def _reason(site: Site, reason: NotJudgedReason) -> dict[str, str]:
    return {"site": site.id, "name": site.name, "reason": reason, "text": NOT_JUDGED_TEXT[reason]}


def _share_of_sites(rate_id: str, evaluation: SurfaceEvaluation, sites: list[str], config: Configuration) -> Rate:
    judged = _judged(evaluation, sites)
    meets = judged["meets_target"].astype(bool)
    failing = failing_items(evaluation.items, judged.loc[~meets, "site"].tolist(), config)
    return Rate(
        rate_id, float(meets.sum()), float(len(judged)), failing, [], not_judged_sites(evaluation, sites, config)
    )


def _zones(evaluation: SurfaceEvaluation, sites: list[str], config: Configuration) -> Rate:
    zone_of = {s: config.sites[s].zone for s in sites}
    judged = _judged(evaluation, sites).assign(zone=lambda f: f["site"].map(zone_of))
    by_zone = judged["meets_target"].astype(bool).groupby(judged["zone"]).all()
    failing_sites = judged.loc[~judged["meets_target"].astype(bool), "site"].tolist()
    failing = failing_items(evaluation.items, failing_sites, config)
    for entry in failing:
        entry["zone"] = zone_of[entry["site"]]
    not_judged = not_judged_sites(evaluation, sites, config)
    return Rate("functional_zones", float(by_zone.sum()), float(len(by_zone)), failing, [], not_judged)


def _by_frequency(rate_id: str, events: SurfaceEvaluation, sites: list[str], config: Configuration) -> Rate:
    judged = _judged(events, sites)
    meets = judged["meets_target"].astype(bool)
    failing_sites = judged.loc[~meets, "site"].unique().tolist()
    failing = failing_items(events.items, failing_sites, config)
    counts = judged.assign(meets=meets).groupby("site", sort=True)["meets"].agg(["sum", "size"])
    parts = [
        {
            "site": site,
            "name": config.sites[str(site)].name,
            "numerator": int(row["sum"]),
            "denominator": int(row["size"]),
        }
        for site, row in counts.iterrows()
    ]
    return Rate(
        rate_id, float(meets.sum()), float(len(judged)), failing, parts, not_judged_sites(events, sites, config)
    )


def _by_volume(evaluations: Evaluations, sources: list[str], config: Configuration) -> Rate:
    """Volume-weighted source compliance, each source judged against class III of its standard."""
    yardstick_ok = [s for s in sources if SOURCE_YARDSTICK in config.standards[config.sites[s].standard].classes]
    no_yardstick = [_reason(config.sites[s], "no_yardstick") for s in sources if s not in yardstick_ok]
    items = evaluations.monthly.items
    values = items.loc[items["site"].isin(yardstick_ok), [*VALUE_COLUMNS, "month"]] if not items.empty else items
    monthly = evaluate_surface(values, config, by=("month",), target=SOURCE_YARDSTICK)
    judged = _judged(monthly, yardstick_ok)
    months = _month_labels(judged["month"], evaluations.timezone)
    volumes = [_month_volume(config.sites[str(s)], m) for s, m in zip(judged["site"], months, strict=True)]
    judged = judged.assign(
        meets=judged["meets_target"].astype(bool),
        volume=np.array([volume for volume, _ in volumes], dtype=float),
        volume_basis=[basis for _, basis in volumes],
    )
    failing = failing_items(monthly.items, judged.loc[~judged["meets"], "site"].unique().tolist(), config)
    measured = monthly.items.groupby("site")["parameter"].agg(set) if not monthly.items.empty else pd.Series()
    parts = [
        {
            "site": site,
            "name": config.sites[str(site)].name,
            "yardstick": f"{config.sites[str(site)].standard} {SOURCE_YARDSTICK}",
            "volume_m3": round(float(rows["volume"].sum()), 2),
            "compliant_volume_m3": round(float(rows.loc[rows["meets"], "volume"].sum()), 2),
            "months": int(len(rows)),
            "compliant_months": int(rows["meets"].sum()),
            # Where the month's own withdrawal was not known, 1/12 of the yearly volume stands in.
            "volume_basis": "+".join(sorted(set(rows["volume_basis"]))),
            # Configured items never measured in the period: the source's judgement rests without them.
            "unmeasured_items": [
                code for code in config.items_of(config.sites[str(site)]) if code not in measured.get(site, set())
            ],
        }
        for site, rows in judged.groupby("site", sort=True)
    ]
    numerator = float(judged.loc[judged["meets"], "volume"].sum())
    not_judged = no_yardstick + not_judged_sites(monthly, yardstick_ok, config)
    return Rate("drinking_water_sources", numerator, float(judged["volume"].sum()), failing, parts, not_judged)


def _month_labels(months: pd.Series, timezone: str) -> list[str]:
    """'YYYY-MM' of each month start (UTC instant of the local month's start)."""
    return list(pd.DatetimeIndex(pd.to_datetime(months, utc=True)).tz_convert(timezone).strftime("%Y-%m"))


def _month_volume(site: Site, month: str) -> tuple[float, str]:
    """The water drawn from a source in `month` and where that figure comes from."""
    by_month = site.withdrawal_m3_by_month or {}
    if month in by_month:
        return float(by_month[month]), "monthly"
    return float(site.withdrawal_m3_per_year or 0.0) / 12.0, "yearly/12"


def plant_outflow_rate(plants: PlantEvaluation, config: Configuration, *, timezone: str = "Asia/Shanghai") -> Rate:
    """Daily compliance of plant outflow: per plant (``parts``) and over all plants.

    Each failing item lists the local days it failed (``days``, YYYY-MM-DD).
    """
    days = plants.days.loc[plants.days["valid"]]
    per_site = days.groupby("site").agg(compliant_days=("meets", "sum"), valid_days=("meets", "size"))
    invalid = plants.days.loc[~plants.days["valid"]].groupby("site").size()
    parts = []
    for site, row in per_site.iterrows():
        valid_days = int(row["valid_days"])
        parts.append(
            {
                "site": site,
                "name": config.sites[str(site)].name,
                "numerator": int(row["compliant_days"]),
                "denominator": valid_days,
                "rate": round(100.0 * int(row["compliant_days"]) / valid_days, 2) if valid_days else None,
                "invalid_days": int(invalid.get(site, 0)),
            }
        )
    failing = []
    failed_days = _failed_days(plants.items, timezone)
    bad = plants.per_item.loc[plants.per_item["compliant_days"] < plants.per_item["valid_days"]]
    for site, rows in bad.groupby("site", sort=True):
        failing.append(
            {
                "site": site,
                "name": config.sites[str(site)].name,
                "items": [
                    {
                        "code": r["parameter"],
                        "name": config.catalogue[r["parameter"]].zh,
                        "failing_days": int(r["valid_days"] - r["compliant_days"]),
                        "max_exceedance_multiple": _rounded(r["max_exceedance_multiple"]),
                        "days": failed_days.get((str(site), str(r["parameter"])), []),
                    }
                    for r in rows.to_dict("records")
                ],
            }
        )
    plant_ids = [s.id for s in config.sites.values() if s.kind == "plant"]
    measured = set(plants.days["site"])
    not_judged = [
        _reason(config.sites[s], "no_valid_day" if s in measured else "no_data")
        for s in plant_ids
        if s not in per_site.index
    ]
    return Rate(
        "plant_outflow",
        float(per_site["compliant_days"].sum()),
        float(per_site["valid_days"].sum()),
        failing,
        parts,
        not_judged,
    )


def _failed_days(items: pd.DataFrame, timezone: str) -> dict[tuple[str, str], list[str]]:
    """Local days (YYYY-MM-DD) on which each plant item failed its limit."""
    fails = (items["meets_target"] == False).fillna(False).to_numpy(bool) & items["valid"].to_numpy(bool)  # noqa: E712
    failed = items.loc[fails, ["site", "parameter", "day"]]
    if failed.empty:
        return {}
    labels = pd.DatetimeIndex(pd.to_datetime(failed["day"], utc=True)).tz_convert(timezone).strftime("%Y-%m-%d")
    grouped = failed.assign(label=labels).groupby(["site", "parameter"], sort=True)["label"]
    return {(str(s), str(p)): sorted(set(days)) for (s, p), days in grouped}


def failing_items(items: pd.DataFrame, sites: list[str], config: Configuration) -> list[dict[str, Any]]:
    """For each site, the items that missed the target: how often and the largest exceedance multiple."""
    if not sites:
        return []
    fails = (items["meets_target"] == False).fillna(False).to_numpy(bool)  # noqa: E712 (nullable)
    chosen = items.loc[fails & items["evaluated"].to_numpy(bool) & items["site"].isin(sites).to_numpy()]
    summary = chosen.groupby(["site", "parameter"], sort=True).agg(
        times=("value", "size"), max_multiple=("exceedance_multiple", "max")
    )
    by_site: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in summary.reset_index().to_dict("records"):
        by_site[str(row["site"])].append(
            {
                "code": row["parameter"],
                "name": config.catalogue[row["parameter"]].zh,
                "times": int(row["times"]),
                "exceedance_multiple": _rounded(row["max_multiple"]),
            }
        )
    return [{"site": site, "name": config.sites[site].name, "items": by_site[site]} for site in sorted(sites)]


def _rounded(value: float) -> float | None:
    return None if value is None or np.isnan(value) else round(float(value), 3)


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(float(value), 2)
