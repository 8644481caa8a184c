"""The printable HTML report: tables and plotly charts, plotly.js inlined so the file works offline."""

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from models.methods.ratings import CLASS_COLOURS, CLASS_NAMES
from models.methods.seasons import SEASON_ZH
from service.report.comparison import ARROWS, EARLIER, TREND_ZH
from service.report.content import Report

CLASS_ORDER = list(CLASS_NAMES)
_environment = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=select_autoescape(["html"])
)


def plotly_js() -> str:
    """plotly.js from the plotly package."""
    import plotly

    return (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").read_text(encoding="utf-8")


def report_figures(report: Report) -> list[dict[str, Any]]:
    """The report's charts as plotly JSON: compliance rates, section classes against targets, source volumes."""
    rates = [r for r in report.rates if r["rate"] is not None]
    figures = [
        {
            "id": "chart-rates",
            "data": [
                {
                    "type": "bar",
                    "x": [r["name"] for r in rates],
                    "y": [r["rate"] for r in rates],
                    "text": [f"{r['rate']:.2f}%" for r in rates],
                    "textposition": "outside",
                    "marker": {"color": ["#2e7d32" if r["rate"] >= 100 else "#c62828" for r in rates]},
                }
            ],  # fmt: skip
            "layout": {
                "title": {"text": "图1 各项达标率（%）"},
                "yaxis": {"range": [0, 115]},
                "height": 380,
                "margin": {"b": 120},
            },  # fmt: skip
        }
    ]
    judged = [s for s in report.sections if s["class"] in CLASS_ORDER]
    if judged:
        figures.append(
            {
                "id": "chart-sections",
                "data": [
                    {
                        "type": "bar",
                        "name": f"{report.this}类别",
                        "x": [s["name"] for s in judged],
                        "y": [CLASS_ORDER.index(s["class"]) + 1 for s in judged],
                        "text": [s["class"] for s in judged],
                        "textposition": "outside",
                        "marker": {"color": [CLASS_COLOURS[s["class"]]["hex"] for s in judged]},
                    },
                    {
                        "type": "scatter",
                        "mode": "markers",
                        "name": "目标类别",
                        "x": [s["name"] for s in judged],
                        "y": [
                            CLASS_ORDER.index(s["target"]) + 1 if s["target"] in CLASS_ORDER else None for s in judged
                        ],
                        "marker": {"symbol": "line-ew-open", "size": 40, "color": "#212121", "line": {"width": 3}},
                    },
                ],  # fmt: skip
                "layout": {
                    "title": {"text": "图2 河流断面水质类别与目标"},
                    "height": 360,
                    "yaxis": {"tickvals": list(range(1, 7)), "ticktext": CLASS_ORDER, "range": [0, 6.8]},
                },  # fmt: skip
            }
        )
    measured = [s for s in report.sources if s["volume_m3"]]
    if measured:
        figures.append(
            {
                "id": "chart-sources",
                "data": [
                    {
                        "type": "bar",
                        "name": "取水总量",
                        "x": [s["name"] for s in measured],
                        "y": [s["volume_m3"] / 1e4 for s in measured],
                    },
                    {
                        "type": "bar",
                        "name": "达标水量",
                        "x": [s["name"] for s in measured],
                        "y": [s["compliant_volume_m3"] / 1e4 for s in measured],
                    },
                ],  # fmt: skip
                "layout": {
                    "title": {"text": "图3 饮用水水源地取水量与达标水量（万立方米）"},
                    "barmode": "group",
                    "height": 340,
                },
            }
        )
    return figures


def render_html(
    report: Report,
    *,
    plotly_src: str | None = None,
    links: Sequence[tuple[str, str]] = (),
    csp_nonce: str | None = None,
) -> str:
    """The report as one HTML page (A4, printable): plotly.js inlined, or loaded from `plotly_src`;
    `links` (label, URL) go beside the print button (the PDF and XLSX of the same report); inline
    scripts carry `csp_nonce` when the page is served under a Content-Security-Policy."""
    figures = report_figures(report)
    return _environment.get_template("report.html").render(
        report=report,
        figures=[
            (f["id"], json.dumps({"data": f["data"], "layout": f["layout"]}, ensure_ascii=False).replace("</", "<\\/"))
            for f in figures
        ],
        plotly_js="" if plotly_src else plotly_js(),
        plotly_src=plotly_src,
        links=list(links),
        class_colours=CLASS_COLOURS,
        arrows=ARROWS,
        trend_zh=TREND_ZH,
        earlier_zh=EARLIER,
        season_zh=SEASON_ZH,
        csp_nonce=csp_nonce,
    )
