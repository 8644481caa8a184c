"""Compliance rates (达标率) with numerator, denominator and the sites that pull them down.

Definitions (standards digest §6.3):

* ``functional_zone_sections`` — sections and lake points with a functional zone whose period
  means meet the zone's target class ÷ all such sites judged.
* ``functional_zones`` — zones all of whose sites meet the target ÷ zones judged.
* ``functional_zone_frequency`` — monthly values meeting the target ÷ all monthly values of those
  sites (the 城考 "by monitoring frequency" form, [C] in the digest).
* ``drinking_water_sources`` — compliant water volume ÷ total volume drawn. A source meets in a
  month only when every item meets its target (class III); each month weighs 1/12 of the
  source's yearly withdrawal volume.
* ``outgoing_sections`` — monthly values of outgoing cross-boundary sections meeting target ÷
  all their monthly values (by frequency).
* ``plant_outflow`` — valid days on which every item's daily mean meets GB 18918 ÷ valid days,
  per plant and overall.
"""

from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
import pandas as pd

from models.configuration import Configuration
from models.period.evaluation import PlantEvaluation, SurfaceEvaluation

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


@dataclass(frozen=True)
class Rate:
    """One compliance rate: numerator ÷ denominator, and what pulls it down."""

    id: str
    numerator: float
    denominator: float
    failing: list[dict[str, Any]] = field(default_factory=list)
    parts: list[dict[str, Any]] = field(default_factory=list)  # e.g. per plant
    not_judged: list[str] = field(default_factory=list)  # sites in scope with no judgeable data

    @property
    def percent(self) -> float | None:
        """The rate in percent, two decimals; None when nothing was judged."""
        if self.denominator == 0:
            return None
        return round(100.0 * self.numerator / self.denominator, 2)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (used by the CLI and the HTTP API)."""
        return {
            "id": self.id,
            "name": RATE_NAMES[self.id],
            "unit": RATE_UNITS[self.id],
            "numerator": _number(self.numerator),
            "denominator": _number(self.denominator),
            "rate": self.percent,
            "failing": self.failing,
            "not_judged": self.not_judged,
            **({"parts": self.parts} if self.parts else {}),
        }


def compliance_rates(
    config: Configuration, period: SurfaceEvaluation, monthly: SurfaceEvaluation, plants: PlantEvaluation
) -> dict[str, Rate]:
    """Every rate of the period from its evaluations (period means, monthly values, plant days)."""
    zone_sites = [s.id for s in config.sites.values() if s.kind in ("section", "lake") and s.zone is not None]
    sources = [s.id for s in config.sites.values() if s.kind == "source"]
    outgoing = [s.id for s in config.sites.values() if s.kind == "section" and s.boundary == "outgoing"]
    rates = {
        "functional_zone_sections": _share_of_sites("functional_zone_sections", period, zone_sites, config),
        "functional_zones": _zones(period, config),
        "functional_zone_frequency": _by_frequency("functional_zone_frequency", monthly, zone_sites, config),
        "drinking_water_sources": _by_volume(monthly, sources, config),
        "outgoing_sections": _by_frequency("outgoing_sections", monthly, outgoing, config),
        "plant_outflow": plant_outflow_rate(plants, config),
    }
    plant_ids = [s.id for s in config.sites.values() if s.kind == "plant"]
    judged_plants = set(plants.days.loc[plants.days["valid"], "site"])
    scope = {
        "functional_zone_sections": (zone_sites, set(_judged(period, zone_sites)["site"])),
        "functional_zones": (zone_sites, set(_judged(period, zone_sites)["site"])),
        "functional_zone_frequency": (zone_sites, set(_judged(monthly, zone_sites)["site"])),
        "drinking_water_sources": (sources, set(_judged(monthly, sources)["site"])),
        "outgoing_sections": (outgoing, set(_judged(monthly, outgoing)["site"])),
        "plant_outflow": (plant_ids, judged_plants),
    }
    for rate_id, (in_scope, judged) in scope.items():
        rates[rate_id] = replace(rates[rate_id], not_judged=sorted(set(in_scope) - judged))
    return rates


def _judged(evaluation: SurfaceEvaluation, sites: list[str]) -> pd.DataFrame:
    frame = evaluation.sites
    return frame.loc[frame["site"].isin(sites) & frame["meets_target"].notna()]


def _share_of_sites(rate_id: str, evaluation: SurfaceEvaluation, sites: list[str], config: Configuration) -> Rate:
    judged = _judged(evaluation, sites)
    meets = judged["meets_target"].astype(bool)
    failing = failing_items(evaluation.items, judged.loc[~meets, "site"].tolist(), config)
    return Rate(rate_id, float(meets.sum()), float(len(judged)), failing)


def _zones(evaluation: SurfaceEvaluation, config: Configuration) -> Rate:
    zone_of = {s.id: s.zone for s in config.sites.values() if s.kind in ("section", "lake") and s.zone}
    judged = _judged(evaluation, list(zone_of)).assign(zone=lambda f: f["site"].map(zone_of))
    by_zone = judged["meets_target"].astype(bool).groupby(judged["zone"]).all()
    failing_sites = judged.loc[~judged["meets_target"].astype(bool), "site"].tolist()
    failing = failing_items(evaluation.items, failing_sites, config)
    for entry in failing:
        entry["zone"] = zone_of[entry["site"]]
    return Rate("functional_zones", float(by_zone.sum()), float(len(by_zone)), failing)


def _by_frequency(rate_id: str, monthly: SurfaceEvaluation, sites: list[str], config: Configuration) -> Rate:
    judged = _judged(monthly, sites)
    meets = judged["meets_target"].astype(bool)
    failing_sites = judged.loc[~meets, "site"].unique().tolist()
    failing = failing_items(monthly.items, failing_sites, config)
    return Rate(rate_id, float(meets.sum()), float(len(judged)), failing)


def _by_volume(monthly: SurfaceEvaluation, sources: list[str], config: Configuration) -> Rate:
    judged = _judged(monthly, sources)
    yearly = {s: config.sites[s].withdrawal_m3_per_year or 0.0 for s in sources}
    volume = judged["site"].map(yearly).astype(float) / 12.0
    meets = judged["meets_target"].astype(bool).to_numpy()
    failing = failing_items(monthly.items, judged.loc[~meets, "site"].unique().tolist(), config)
    by_site = volume.groupby(judged["site"])
    measured = monthly.items.loc[monthly.items["site"].isin(sources)].groupby("site")["parameter"].agg(set)
    parts = [
        {
            "site": site,
            "volume_m3": round(float(v.sum()), 2),
            "compliant_volume_m3": round(float(v[meets[judged["site"].to_numpy() == site]].sum()), 2),
            # Configured items never measured in the period: the source's judgement rests without them.
            "unmeasured_items": [
                code for code in config.items_of(config.sites[str(site)]) if code not in measured.get(site, set())
            ],
        }
        for site, v in by_site
    ]
    return Rate("drinking_water_sources", float(volume[meets].sum()), float(volume.sum()), failing, parts)


def plant_outflow_rate(plants: PlantEvaluation, config: Configuration) -> Rate:
    """Daily compliance of plant outflow: per plant (``parts``) and over all plants."""
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
                    }
                    for r in rows.to_dict("records")
                ],
            }
        )
    return Rate(
        "plant_outflow", float(per_site["compliant_days"].sum()), float(per_site["valid_days"].sum()), failing, parts
    )


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
