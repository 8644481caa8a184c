"""What the monthly (or annual) report says, assembled from the compliance views' JSON (the HTTP API's numbers).

Nothing is computed again here: rates, classes, multiples and days are copied from
`compliance_for`, `evaluate_period`, `scorecard_for` and `ratings_for`, so the report and the API
always agree.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from models.configuration import Configuration
from models.period.statistics import MIN_VALID_HOURS_PER_DAY
from service.compliance_views import compliance_for, evaluate_period, scorecard_for
from service.ratings_view import ratings_for
from service.report.basis import data_coverage, evaluation_basis
from service.report.comparison import compared, earlier_months
from service.report.heading import ReportHeading
from service.seasons_view import seasons_for
from store.base import Store
from store.state import StateDB

JSON = dict[str, Any]

BOUNDARY_ZH = {"outgoing": "出境", "incoming": "入境"}
UNIT_ZH = {"sites": "个断面", "zones": "个功能区", "samples": "次", "m3": "m³", "days": "天"}


@dataclass(frozen=True)
class Report:
    """One month's report, or one year's (`month` is then YYYY, and the seasons are set side by side)."""

    heading: ReportHeading
    issued_on: dt.date
    month: str  # YYYY-MM, or YYYY for the annual report
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
    basis: list[JSON] = field(default_factory=list)  # standards and methods applied, with their numbers
    coverage: list[JSON] = field(default_factory=list)  # per site: values the result rests on, or why not judged
    earlier: dict[str, str] = field(default_factory=dict)  # previous / last_year -> the month compared with
    seasons: JSON | None = None  # annual report: the year and its three seasons (the seasons view's JSON)

    @property
    def annual(self) -> bool:
        """Whether this is the report of a calendar year."""
        return len(self.month) == 4

    @property
    def this(self) -> str:
        """本月 or 本年, as the report's tables head their own period."""
        return "本年" if self.annual else "本月"

    @property
    def title(self) -> str:
        """清溪县水环境质量月报（2026年10月） or …年报（2026年）; without a configured county, no county in it."""
        if self.annual:
            return f"{self.heading.county}水环境质量年报（{self.month}年）"
        year, month = self.month.split("-")
        return f"{self.heading.county}水环境质量月报（{year}年{int(month)}月）"


def gather_report(
    config: Configuration,
    store: Store,
    state: StateDB,
    month: str,
    *,
    heading: ReportHeading,
    today: dt.date,
    timezone: str = "Asia/Shanghai",
    min_valid_hours: int = MIN_VALID_HOURS_PER_DAY,
) -> Report:
    """The report of `month` (YYYY-MM) from the same view functions the compliance API serves,
    compared with the previous month and the same month of last year; or of a year (YYYY), compared
    with the year before and with its wet, normal and dry seasons side by side."""
    options: dict[str, Any] = {"timezone": timezone, "min_valid_hours": min_valid_hours}
    evaluations = evaluate_period(config, store, month, **options)
    rates = compliance_for(config, store, month, **options)
    card = scorecard_for(config, store, state, month, **options)
    ratings = ratings_for(config, store, month, **options)
    earlier = {
        when: (evaluate_period(config, store, label, **options), compliance_for(config, store, label, **options))
        for when, label in earlier_months(month).items()
    }
    seasons = seasons_for(config, store, month, **options) if len(month) == 4 else None
    return report_from_views(
        config, evaluations, rates, card, heading=heading, issued_on=heading.issued_on(today), ratings=ratings,
        earlier=earlier, min_valid_hours=min_valid_hours, seasons=seasons,
    )  # fmt: skip


def report_from_views(
    config: Configuration,
    evaluations: JSON,
    compliance: JSON,
    scorecard: JSON,
    *,
    heading: ReportHeading,
    issued_on: dt.date,
    ratings: JSON | None = None,
    earlier: dict[str, tuple[JSON, JSON]] | None = None,
    min_valid_hours: int = MIN_VALID_HOURS_PER_DAY,
    seasons: JSON | None = None,
) -> Report:
    """Arrange the JSON of the evaluations, compliance, scorecard (and ratings) views as the report's tables.

    `earlier` holds the evaluations and compliance JSON of the months compared with (``previous``,
    ``last_year``); each rate and class then carries its earlier value and whether it is better.
    """
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
    plants = [{**p} for p in evaluations["plants"]]  # copies: the views' answers may be cached
    _compare(rates, sections, sources, plants, earlier or {})
    report = Report(
        heading=heading,
        issued_on=issued_on,
        month=evaluations["period"],
        first_day=evaluations["from"],
        last_day=evaluations["to"],
        rates=rates,
        indicators=scorecard["indicators"],
        scorecard_summary=scorecard["summary"],
        sections=sections,
        sources=sources,
        plants=plants,
        ratings=ratings,
        fixes=scorecard.get("fixes", []),
        basis=evaluation_basis(config, min_valid_hours=min_valid_hours, with_ratings=ratings is not None),
        coverage=data_coverage(config, evaluations),
        earlier=earlier_months(evaluations["period"]) if earlier else {},
        seasons=seasons,
    )
    return Report(**{**report.__dict__, "findings": _findings(report)})


def _compare(
    rates: list[JSON],
    sections: list[JSON],
    sources: list[JSON],
    plants: list[JSON],
    earlier: dict[str, tuple[JSON, JSON]],
) -> None:
    """Give each rate, section class, source class and rate and plant rate its `compare` entry."""
    then_rates = {when: c["rates"] for when, (_, c) in earlier.items()}
    then_classes = {when: {s["site"]: s["class"] for s in e["sites"]} for when, (e, _) in earlier.items()}
    then_plants = {when: {p["site"]: p["rate"] for p in e["plants"]} for when, (e, _) in earlier.items()}
    then_volumes = {
        when: {
            p["site"]: (round(100.0 * p["compliant_volume_m3"] / p["volume_m3"], 2) if p.get("volume_m3") else None)
            for p in c["rates"].get("drinking_water_sources", {}).get("parts", [])
            if "site" in p
        }
        for when, (_, c) in earlier.items()
    }
    for rate in rates:
        values = {when: (r.get(rate["id"]) or {}).get("rate") for when, r in then_rates.items()}
        rate["compare"] = {"rate": compared(rate["rate"], values, kind="rate")}
    for row in sections:
        values = {when: c.get(row["site"]) for when, c in then_classes.items()}
        row["compare"] = {"class": compared(row["class"], values, kind="class")}
    for row in sources:
        classes = {when: c.get(row["site"]) for when, c in then_classes.items()}
        volumes = {when: v.get(row["site"]) for when, v in then_volumes.items()}
        row["compare"] = {
            "class": compared(row["class"], classes, kind="class"),
            "rate": compared(row["rate"], volumes, kind="rate"),
        }
    for plant in plants:
        values = {when: p.get(plant["site"]) for when, p in then_plants.items()}
        plant["compare"] = {"rate": compared(plant["rate"], values, kind="rate")}


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


def _findings(report: Report) -> list[str]:
    lines = []
    judged = [s for s in report.sections if s["meets_target"] is not None]
    met = [s for s in judged if s["meets_target"]]
    if judged:
        lines.append(f"{report.this}监测河流断面 {len(judged)} 个，达到水功能区目标 {len(met)} 个。")
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
