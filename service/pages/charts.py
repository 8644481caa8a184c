"""Plotly figures of the pages: a site's series per parameter with its limit lines and exceedances."""

import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from models.configuration import Configuration
from models.methods.ratings import CLASS_COLOURS
from models.sites import Site
from service.pages.text import Language, label

TARGET_COLOUR = "#c62828"
CLASS_COLOUR = "#9e9e9e"


@dataclass(frozen=True)
class Chart:
    """One parameter's chart, as the JSON plotly.js draws."""

    code: str
    name: str
    figure_json: str
    exceedances: int


def limit_lines(config: Configuration, site: Site, code: str) -> list[tuple[str, float, bool]]:
    """(class, limit, is the target class) of every class that has a limit for `code` at `site`."""
    standard = config.standards[site.standard]
    table = standard.limit_table(config.situation_of(site))
    row = table.row_of(np.array([code]))[0]
    if row < 0:
        return []
    target = config.target_of(site)
    lines = []
    for j, klass in enumerate(standard.classes):
        for bound in (table.low[row, j], table.high[row, j]):
            if np.isfinite(bound):
                lines.append((klass, float(bound), klass == target))
    merged: dict[float, tuple[list[str], bool]] = {}
    for klass, value, is_target in lines:  # classes sharing a limit (pH 6–9) get one line
        names, target_here = merged.get(value, ([], False))
        merged[value] = ([*names, klass], target_here or is_target)
    return [("/".join(names), value, is_target) for value, (names, is_target) in sorted(merged.items())]


def series_chart(
    config: Configuration,
    site: Site,
    code: str,
    *,
    line: pd.DataFrame,
    judged: pd.DataFrame,
    timezone: str,
    lang: Language,
) -> Chart:
    """A chart of one parameter: `line` (time, value) as a thin line, `judged` (time, value, meets_target)
    as markers, red where the target is missed, and the limit lines of the standard's classes.

    The figure is plotly's JSON written directly: building it through plotly.graph_objects validates
    every property and took seconds for a site's twenty charts.
    """
    parameter = config.catalogue[code]
    name = parameter.name(lang)
    traces: list[dict[str, Any]] = []
    if not line.empty:
        traces.append(
            {"type": "scatter", "mode": "lines", "name": label("daily_mean", lang), "x": _local(line["time"], timezone),
             "y": _values(line["value"]), "line": {"color": "#90a4ae", "width": 1}}
        )  # fmt: skip
    failing = judged["meets_target"].eq(False).fillna(False).to_numpy(dtype=bool)
    if "evaluated" in judged:  # reference-only items (e.g. TN of a river) are reported, not judged
        failing &= judged["evaluated"].fillna(False).to_numpy(dtype=bool)
    if not judged.empty:
        traces.append(
            {"type": "scatter", "mode": "markers+lines" if line.empty else "markers",
             "name": label("monthly_value" if site.kind != "plant" else "daily_mean", lang),
             "x": _local(judged["time"], timezone), "y": _values(judged["value"]),
             "marker": {"color": np.where(failing, TARGET_COLOUR, "#1565c0").tolist(), "size": 7},
             "line": {"color": "#1565c0", "width": 1}}
        )  # fmt: skip
    if failing.any():
        over = judged.loc[failing]
        traces.append(
            {"type": "scatter", "mode": "markers", "name": label("exceedance", lang),
             "x": _local(over["time"], timezone), "y": _values(over["value"]),
             "marker": {"color": TARGET_COLOUR, "size": 12, "symbol": "x"}}
        )  # fmt: skip
    shapes, notes = [], []
    for klass, value, is_target in limit_lines(config, site, code):
        first = klass.split("/")[0]  # the line's best class names its colour (环办〔2011〕22号 colours)
        colour = TARGET_COLOUR if is_target else CLASS_COLOURS.get(first, {"hex": CLASS_COLOUR})["hex"]
        shapes.append(
            {"type": "line", "xref": "paper", "x0": 0, "x1": 1, "yref": "y", "y0": value, "y1": value,
             "line": {"color": colour, "width": 2 if is_target else 1, "dash": "dash" if is_target else "dot"}}
        )  # fmt: skip
        notes.append(
            {"xref": "paper", "x": 0, "xanchor": "left", "yref": "y", "y": value, "yanchor": "bottom",
             "showarrow": False, "text": f"{klass} {label('limit', lang)} {value:g}",
             "font": {"size": 10, "color": colour}}
        )  # fmt: skip
    layout = {
        # the title sits just above the plot area, below the toolbar's row (on a phone it would cover it)
        "title": {
            "text": f"{name} ({code})",
            "font": {"size": 14},
            "x": 0,
            "xanchor": "left",
            "xref": "paper",
            "y": 1,
            "yanchor": "bottom",
            "yref": "paper",
            "pad": {"b": 4},
        },
        "height": 300,
        "margin": {"l": 50, "r": 20, "t": 64, "b": 30},
        "yaxis": {"title": {"text": parameter.unit}},
        "legend": {"orientation": "h", "y": -0.2},
        "showlegend": True,
        "shapes": shapes,
        "annotations": notes,
        "plot_bgcolor": "#fff",
    }
    figure_json = json.dumps({"data": traces, "layout": layout}, ensure_ascii=False).replace("</", "<\\/")
    return Chart(code=code, name=name, figure_json=figure_json, exceedances=int(failing.sum()))


def _values(values: pd.Series) -> list[float | None]:
    return [None if not np.isfinite(v) else float(v) for v in values.to_numpy(dtype=float)]


def _local(times: pd.Series, timezone: str) -> list[str]:
    return pd.to_datetime(times, utc=True).dt.tz_convert(timezone).dt.strftime("%Y-%m-%d %H:%M").tolist()
