"""What the monthly report says, assembled from the compliance views' JSON (the HTTP API's numbers).

Nothing is computed again here: rates, classes, multiples and days are copied from
`compliance_for`, `evaluate_period`, `scorecard_for` and `ratings_for`, so the report and the API
always agree.
"""

from dataclasses import dataclass, field
from typing import Any

from models.configuration import Configuration
from models.period.statistics import MIN_VALID_HOURS_PER_DAY
from service.compliance_views import compliance_for, evaluate_period, scorecard_for
from service.ratings_view import ratings_for
from store.base import Store
from store.state import StateDB

JSON = dict[str, Any]

BOUNDARY_ZH = {"outgoing": "出境", "incoming": "入境"}
UNIT_ZH = {"sites": "个断面", "zones": "个功能区", "samples": "次", "m3": "m³", "days": "天"}


@dataclass(frozen=True)
class MonthlyReport:
    """One month's report."""

    area: str
    month: str
    first_day: str
    last_day: str
    rates: list[JSON]  # compliance rates as the API gives them
    indicators: list[JSON]  # scorecard rows
    scorecard_summary: str
    sections: list[JSON]  # one row per river section
    sources: list[JSON]  # one row per drinking-water source
    plants: list[JSON]  # one row per treatment plant (the API's plant entries)
    findings: list[str] = field(default_factory=list)  # the summary's sentences
    ratings: JSON | None = None  # rivers, basins and the county (the ratings view's JSON)
    fixes: list[JSON] = field(default_factory=list)  # the scorecard's what-to-fix list, largest stake first

    @property
    def title(self) -> str:
        """XX县水环境质量月报（2026年10月）."""
        year, month = self.month.split("-")
        return f"{self.area}水环境质量月报（{year}年{int(month)}月）"


def gather_report(
    config: Configuration,
    store: Store,
    state: StateDB,
    month: str,
    *,
    area: str = "XX县",
    timezone: str = "Asia/Shanghai",
    min_valid_hours: int = MIN_VALID_HOURS_PER_DAY,
) -> MonthlyReport:
    """The report of `month` (YYYY-MM) from the same view functions the compliance API serves."""
    options: dict[str, Any] = {"timezone": timezone, "min_valid_hours": min_valid_hours}
    evaluations = evaluate_period(config, store, month, **options)
    rates = compliance_for(config, store, month, **options)
    card = scorecard_for(config, store, state, month, **options)
    ratings = ratings_for(config, store, month, **options)
    return report_from_views(config, evaluations, rates, card, area=area, ratings=ratings)


def report_from_views(
    config: Configuration,
    evaluations: JSON,
    compliance: JSON,
    scorecard: JSON,
    *,
    area: str,
    ratings: JSON | None = None,
) -> MonthlyReport:
    """Arrange the JSON of the evaluations, compliance, scorecard (and ratings) views as the report's tables."""
    surface = {s["site"]: s for s in evaluations["sites"]}
    volumes = {
        part["site"]: part
        for part in compliance["rates"].get("drinking_water_sources", {}).get("parts", [])
        if "site" in part
    }
    sections, sources = [], []
    for site in config.sites.values():
        entry = surface.get(site.id)
        if site.kind == "section":
            sections.append(_section_row(config, site.id, entry))
        elif site.kind == "source":
            sources.append(_source_row(config, site.id, entry, volumes.get(site.id)))
    rates = [{**r, "unit_zh": UNIT_ZH.get(r["unit"], r["unit"])} for r in compliance["rates"].values()]
    report = MonthlyReport(
        area=area,
        month=evaluations["period"],
        first_day=evaluations["from"],
        last_day=evaluations["to"],
        rates=rates,
        indicators=scorecard["indicators"],
        scorecard_summary=scorecard["summary"],
        sections=sections,
        sources=sources,
        plants=evaluations["plants"],
        ratings=ratings,
        fixes=scorecard.get("fixes", []),
    )
    return MonthlyReport(**{**report.__dict__, "findings": _findings(report)})


def _section_row(config: Configuration, site_id: str, entry: JSON | None) -> JSON:
    site = config.sites[site_id]
    zone = config.zones[site.zone].name if site.zone in config.zones else ""
    row: JSON = {
        "site": site.id,
        "name": site.name,
        "zone": zone,
        "boundary": BOUNDARY_ZH.get(site.boundary or "", ""),
        "target": config.target_of(site),
        "class": None,
        "meets_target": None,
        "pollutants": [],
    }
    if entry is not None:
        row["class"] = entry["class"]
        row["meets_target"] = entry["meets_target"]
        row["pollutants"] = [
            {"name": i["name"], "code": i["code"], "multiple": i["exceedance_multiple"]}
            for i in sorted(entry["items_over_target"], key=lambda i: -(i["exceedance_multiple"] or 0))[:3]
        ]
    return row


def _source_row(config: Configuration, site_id: str, entry: JSON | None, volume: JSON | None) -> JSON:
    site = config.sites[site_id]
    total = volume["volume_m3"] if volume else None
    compliant = volume["compliant_volume_m3"] if volume else None
    return {
        "site": site.id,
        "name": site.name,
        "target": config.target_of(site),
        "class": entry["class"] if entry else None,
        "meets_target": entry["meets_target"] if entry else None,
        "volume_m3": total,
        "compliant_volume_m3": compliant,
        "rate": round(100.0 * compliant / total, 2) if total and compliant is not None else None,
        "pollutants": [
            {"name": i["name"], "code": i["code"], "multiple": i["exceedance_multiple"]}
            for i in (entry["items_over_target"] if entry else [])
        ],
    }


def _findings(report: MonthlyReport) -> list[str]:
    lines = []
    judged = [s for s in report.sections if s["meets_target"] is not None]
    met = [s for s in judged if s["meets_target"]]
    if judged:
        lines.append(f"本月监测河流断面 {len(judged)} 个，达到水功能区目标 {len(met)} 个。")
        for s in judged:
            if not s["meets_target"]:
                over = "、".join(f"{p['name']}（超标 {p['multiple']} 倍）" for p in s["pollutants"]) or "—"
                lines.append(f"{s['name']}为 {s['class']} 类，未达到 {s['target']} 类目标，主要污染物：{over}。")
    for rate in report.rates:
        if rate["id"] == "drinking_water_sources" and rate["rate"] is not None:
            lines.append(f"集中式饮用水水源地水质达标率 {rate['rate']:.2f}%。")
        if rate["id"] == "plant_outflow" and rate["rate"] is not None:
            lines.append(
                f"污水处理厂出水日均值达标率 {rate['rate']:.2f}%（{rate['numerator']}/{rate['denominator']} 天）。"
            )
    lines.append(f"指标考核：{report.scorecard_summary}。")
    staked = [f for f in report.fixes if f["points_at_stake"] > 0][:3]
    if staked:
        lines.append(
            "整改重点（按分值）：" + "；".join(f"{f['name']}（{f['points_at_stake']:g} 分）" for f in staked) + "。"
        )
    return lines
