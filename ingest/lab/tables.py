"""One lab sheet to readings: wide tables (a column per item) and long tables (a row per item).

Everything is vectorised over the sheet: site names are matched once per distinct name, times
parsed once per distinct text, values by `models.values.parse_values`, units converted once per
(item, unit) pair. Each rejected row or cell becomes a Problem naming its row and column; the
rest of the sheet is kept.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Final

import numpy as np
import pandas as pd

from ingest.cells import Place, cells_to_readings, fold, fold_column
from ingest.lab.dates import add_clock, parse_times
from ingest.lab.headers import Column, find_header, read_columns
from ingest.lab.sheets import RawSheet
from ingest.problems import Problem
from models.configuration import Configuration
from models.reading import empty_readings

# Rows of a wide table that are not samples: summaries and limits printed under the data.
_SUMMARY_ROWS: Final[frozenset[str]] = frozenset(
    {"平均值", "均值", "最大值", "最小值", "标准值", "标准限值", "限值", "合计", "mean", "max", "min", "limit"}
)
_BLANKS: Final[tuple[str, ...]] = ("", " ", "  ", "\t", "\u3000")
_DETECTION_LIMIT_ROWS: Final[frozenset[str]] = frozenset({"检出限", "方法检出限", "detectionlimit", "dl", "mdl"})


@dataclass
class SheetResult:
    """Readings of a sheet and the problems of its rejected rows and cells."""

    readings: pd.DataFrame = field(default_factory=empty_readings)
    problems: list[Problem] = field(default_factory=list)


def read_sheet(
    sheet: RawSheet, *, file: str, config: Configuration, source: str, timezone: str = "Asia/Shanghai"
) -> SheetResult:
    """Readings (statistic "sample", flag "N", `source`) and problems of one sheet."""
    place = Place(file, sheet.name)
    cells = sheet.cells
    if cells.empty:
        return SheetResult()
    filled = _filled(cells)
    if not filled.any().any():
        return SheetResult()
    header_rows = find_header(cells, config.catalogue)
    if header_rows is None:
        return SheetResult(
            problems=[
                place.problem(
                    "no header row found in the first 20 rows: a header names a site column "
                    "(断面名称/点位/站点/site) and a time column (采样时间/监测时间/采样日期/time)"
                )
            ]
        )
    columns = read_columns(cells, header_rows, config.catalogue)
    result = SheetResult()
    by_role: dict[str, list[Column]] = {}
    for column in columns:
        if column.role is None:
            result.problems.append(
                place.problem(
                    f"column {column.header!r} is neither a parameter in the catalogue (config/parameters.yaml) "
                    "nor a known column (site, time, parameter, value, unit, detection limit); ignored",
                    row=header_rows[-1],
                    column=column.label,
                )
            )
        else:
            by_role.setdefault(column.role, []).append(column)
    if "time" not in by_role:
        result.problems.append(
            place.problem("no time column: name one 采样时间, 监测时间, 采样日期 or time", row=header_rows[-1])
        )
        return result

    data = cells.loc[cells.index > header_rows[-1]]
    data = data.loc[filled.loc[data.index].any(axis=1)]
    site_column = by_role["site"][0]
    site_text = fold_column(data[site_column.position])
    detection_row = site_text.isin(_DETECTION_LIMIT_ROWS)
    detection_limits = data.loc[detection_row].iloc[-1] if detection_row.any() else None
    data = data.loc[~site_text.isin(_SUMMARY_ROWS | _DETECTION_LIMIT_ROWS)]
    if data.empty:
        return result

    keep, sites, times = _sites_and_times(data, by_role, config, place, result, timezone)
    data = data.loc[keep]
    if "parameter" in by_role and "value" in by_role:
        cells_long = _long_cells(data, by_role, sites[keep], times[keep], config, place, result)
    elif "item" in by_role:
        cells_long = _wide_cells(data, by_role["item"], sites[keep], times[keep], detection_limits)
    else:
        result.problems.append(
            place.problem(
                "no item columns: a wide table has one column per item (e.g. '氨氮(mg/L)'); "
                "a long table has a parameter column (项目/指标) and a value column (结果/监测值)",
                row=header_rows[-1],
            )
        )
        return result
    result.readings, problems = cells_to_readings(cells_long, config, place, source=source)
    result.problems += problems
    return result


def _filled(cells: pd.DataFrame) -> pd.DataFrame:
    """True where a cell holds something: not None, NaN or blank text."""
    return cells.apply(lambda column: column.notna() & ~column.isin(_BLANKS))


def _sites_and_times(
    data: pd.DataFrame,
    by_role: dict[str, list[Column]],
    config: Configuration,
    place: Place,
    result: SheetResult,
    timezone: str,
) -> tuple[pd.Series, pd.Series, pd.Series]:
    site_column = by_role["site"][0]
    time_column = by_role["time"][0]
    lookup = {fold(site.id): site.id for site in config.sites.values()}
    lookup.update({fold(site.name): site.id for site in config.sites.values()})
    raw_sites = data[site_column.position]
    sites = fold_column(raw_sites).map(lookup).astype("string")
    dates = parse_times(data[time_column.position], timezone=timezone)
    times, clock_column = dates, None
    if "clock" in by_role:
        clock_column = by_role["clock"][0]
    elif len(by_role["time"]) > 1 and data[by_role["time"][1].position].map(_looks_like_clock).all():
        clock_column = by_role["time"][1]  # 采样日期 and 采样时间 in two columns
    if clock_column is not None:
        # The date cell may carry a time of its own (an Excel datetime): start from local midnight.
        midnight = dates.dt.tz_convert(timezone).dt.floor("D").dt.tz_convert("UTC")
        times = add_clock(midnight, data[clock_column.position])
    bad_site = sites.isna()
    if bad_site.any():
        texts = raw_sites[bad_site].astype("string").fillna("")
        site_reasons = pd.Series(
            np.where(
                texts.str.strip() == "",
                "no site given",
                "unknown site " + texts.map(repr) + f"; sites are the ids and names in {config.folder / 'sites.yaml'}",
            )
        )
        result.problems += place.problems(texts.index.to_numpy(), site_column.label, site_reasons)
    bad_date = dates.isna() & ~bad_site
    if bad_date.any():
        texts = data.loc[bad_date, time_column.position].astype("string").fillna("")
        reasons = "bad date " + texts.map(repr) + "; expected e.g. '2024-05-06 10:30', '2024/5/6' or an Excel date"
        result.problems += place.problems(texts.index.to_numpy(), time_column.label, reasons)
    bad_clock = times.isna() & ~bad_date & ~bad_site
    if bad_clock.any() and clock_column is not None:
        texts = data.loc[bad_clock, clock_column.position].astype("string").fillna("")
        reasons = "bad time of day " + texts.map(repr) + "; expected e.g. '09:30' or '9时30分'"
        result.problems += place.problems(texts.index.to_numpy(), clock_column.label, reasons)
    return ~(bad_site | times.isna()), sites, times


def _looks_like_clock(cell: object) -> bool:
    if cell is None or isinstance(cell, dt.time):
        return True
    return isinstance(cell, str) and len(cell.strip()) <= 8 and "-" not in cell and "/" not in cell


def _wide_cells(
    data: pd.DataFrame,
    items: list[Column],
    sites: pd.Series,
    times: pd.Series,
    detection_limits: pd.Series | None,
) -> pd.DataFrame:
    """One row per (sheet row, item column), built with whole-array operations."""
    seen: set[str] = set()
    unique_items = []
    for column in items:  # a repeated item column: the first one counts
        if column.parameter not in seen:
            seen.add(column.parameter or "")
            unique_items.append(column)
    n, k = len(data), len(unique_items)
    limits = [detection_limits[c.position] if detection_limits is not None else None for c in unique_items]
    return pd.DataFrame(
        {
            "row": np.tile(data.index.to_numpy(), k),
            "site": pd.array(np.tile(sites.to_numpy(dtype=object), k), dtype="string"),
            "time": pd.DatetimeIndex(np.tile(times.dt.tz_convert(None).to_numpy(), k)).tz_localize("UTC"),
            "parameter": np.repeat(np.array([c.parameter for c in unique_items], dtype=object), n),
            "raw": np.concatenate([data[c.position].to_numpy(dtype=object) for c in unique_items]),
            "unit": np.repeat(np.array([c.unit for c in unique_items], dtype=object), n),
            "unit_required": False,  # no unit in the header: the catalogue unit
            "limit": np.repeat(np.array(limits, dtype=object), n),
            "column": np.repeat(np.array([c.label for c in unique_items], dtype=object), n),
            "unit_column": np.repeat(np.array([c.label for c in unique_items], dtype=object), n),
        }
    )


def _long_cells(
    data: pd.DataFrame,
    by_role: dict[str, list[Column]],
    sites: pd.Series,
    times: pd.Series,
    config: Configuration,
    place: Place,
    result: SheetResult,
) -> pd.DataFrame:
    parameter_column, value_column = by_role["parameter"][0], by_role["value"][0]
    names = data[parameter_column.position].astype("string").str.strip()
    codes = config.catalogue.resolve_many(names.where(names != ""))
    unit_column = by_role.get("unit", [None])[0]
    limit_column = by_role.get("detection_limit", [None])[0]
    if unit_column is not None:
        units = data[unit_column.position].astype("string").str.strip()
        units = units.mask(units == "")
    else:
        units = pd.Series(value_column.unit, index=data.index, dtype="string")
    cells = pd.DataFrame(
        {
            "row": data.index,
            "site": sites.to_numpy(),
            "time": times.to_numpy(),
            "parameter": codes.to_numpy(),
            "raw": data[value_column.position].to_numpy(),
            "unit": units.fillna(value_column.unit or pd.NA).to_numpy(),
            "unit_required": unit_column is not None,  # then an empty unit cell is a problem
            "limit": data[limit_column.position].to_numpy() if limit_column is not None else None,
            "column": value_column.label,
            "unit_column": unit_column.label if unit_column is not None else value_column.label,
        }
    )
    unknown = cells["parameter"].isna()
    if unknown.any():
        texts = names[unknown.to_numpy()].fillna("")
        reasons = np.where(
            texts == "",
            "no parameter given",
            "unknown parameter " + texts.map(repr) + "; use a name, HJ 212 code or alias in config/parameters.yaml",
        )
        result.problems += place.problems(cells.loc[unknown, "row"], parameter_column.label, pd.Series(reasons))
    return cells.loc[~unknown].reset_index(drop=True)
