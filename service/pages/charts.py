"""Plotly figures of the pages: a site's series per parameter with its limit lines and exceedances."""

from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from models.configuration import Configuration
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
    if not bool(table.graded[row]):  # one limit for every class: show it once, as the target's
        lines = [(str(target), value, True) for value in sorted({v for _, v, _ in lines})]
    return lines


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
    as markers, red where the target is missed, and the limit lines of the standard's classes."""
    parameter = config.catalogue[code]
    name = parameter.name(lang)
    unit = parameter.unit
    figure = go.Figure()
    if not line.empty:
        figure.add_trace(
            go.Scatter(
                x=_local(line["time"], timezone),
                y=line["value"],
                mode="lines",
                name=label("daily_mean", lang),
                line={"color": "#90a4ae", "width": 1},
            )
        )
    failing = judged["meets_target"].eq(False).fillna(False).to_numpy(dtype=bool) if not judged.empty else None
    if not judged.empty:
        figure.add_trace(
            go.Scatter(
                x=_local(judged["time"], timezone),
                y=judged["value"],
                mode="markers+lines" if line.empty else "markers",
                name=label("monthly_value", lang) if site.kind != "plant" else label("daily_mean", lang),
                marker={"color": np.where(failing, TARGET_COLOUR, "#1565c0").tolist(), "size": 7},
                line={"color": "#1565c0", "width": 1},
            )
        )
        if failing is not None and failing.any():
            over = judged.loc[failing]
            figure.add_trace(
                go.Scatter(
                    x=_local(over["time"], timezone),
                    y=over["value"],
                    mode="markers",
                    name=label("exceedance", lang),
                    marker={"color": TARGET_COLOUR, "size": 11, "symbol": "x"},
                )
            )
    for klass, value, is_target in limit_lines(config, site, code):
        figure.add_hline(
            y=value,
            line={"color": TARGET_COLOUR if is_target else CLASS_COLOUR, "width": 2 if is_target else 1,
                  "dash": "dash" if is_target else "dot"},
            annotation_text=f"{klass} {label('limit', lang)} {value:g}",
            annotation_position="top left",
            annotation_font={"size": 10, "color": TARGET_COLOUR if is_target else "#757575"},
        )  # fmt: skip
    figure.update_layout(
        title={"text": f"{name} ({code})", "font": {"size": 14}},
        height=280,
        margin={"l": 50, "r": 20, "t": 40, "b": 30},
        yaxis_title=unit,
        showlegend=True,
        legend={"orientation": "h", "y": -0.2},
        template="plotly_white",
    )
    return Chart(
        code=code,
        name=name,
        figure_json=figure.to_json(),
        exceedances=int(failing.sum()) if failing is not None else 0,
    )


def _local(times: pd.Series, timezone: str) -> list[str]:
    return pd.to_datetime(times, utc=True).dt.tz_convert(timezone).dt.strftime("%Y-%m-%d %H:%M").tolist()
