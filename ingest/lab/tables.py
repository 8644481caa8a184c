"""One lab sheet to readings: wide tables (a column per item) and long tables (a row per item).

Everything is vectorised over the sheet: site names are matched once per distinct name, times
parsed once per distinct text, values by `models.values.parse_values`, units converted once per
(item, unit) pair. Each rejected row or cell becomes a Problem naming its row and column; the
rest of the sheet is kept. Rows and sheets that are plainly not data (footnotes, signature
lines, summary rows, notes and empty sheets) are listed as skipped, not as problems.
"""

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Final, Literal

import numpy as np
import pandas as pd

from ingest.cells import Place, cells_to_readings, fold, fold_column
from ingest.lab.dates import add_clock, parse_times
from ingest.lab.headers import Column, find_header, read_columns, role_key
from ingest.lab.sheets import RawSheet
from ingest.problems import Lang, Problem
from models.configuration import Configuration
from models.errors import UnitError
from models.reading import empty_readings
from models.standards.units import conversion_factor, normalize_unit

# Rows of a table that are not samples: summaries and limits printed under the data.
_SUMMARY_ROWS: Final[frozenset[str]] = frozenset(
    role_key(word)
    for word in (
        "平均值", "均值", "平均", "最大值", "最小值", "范围", "标准值", "标准限值", "限值", "合计", "样品数",
        "检出率", "超标率", "达标率", "mean", "average", "max", "maximum", "min", "minimum", "limit", "range",
    )
)  # fmt: skip
_BLANKS: Final[tuple[str, ...]] = ("", " ", "  ", "\t", "\u3000")
_DETECTION_LIMIT_ROWS: Final[frozenset[str]] = frozenset({"检出限", "方法检出限", "detectionlimit", "dl", "mdl"})
_FOOTNOTE: Final = re.compile(
    r"^\s*(?:(?:注|备注|说明|附注|注释|notes?|remarks?)\s*\d*\s*[:：.、]|[*※])", re.IGNORECASE
)
_SIGNATURE: Final = re.compile(
    r"^\s*(?:编制|审核|签发|批准|制表|校核|复核|审定|填报|填表|报告人|负责人|(?:报告|填报|编制|签发)日期)\s*(?:人)?\s*[:：]"
)
_SIGNATURE_WORDS: Final[frozenset[str]] = frozenset({"编制", "审核", "签发", "批准", "制表", "校核", "复核", "审定"})
# A sheet without a header is a data sheet gone wrong when it holds this many numbers, else notes.
_DATA_NUMBERS: Final[int] = 3

Skip = Literal["footnote", "signature", "summary", "empty sheet", "no table"]
_SKIP_TEXT: Final[dict[Skip, tuple[str, str]]] = {
    "footnote": ("footnote row, not a sample", "脚注行，不是样品数据"),
    "signature": ("signature line (编制/审核/签发), not a sample", "签名行（编制/审核/签发），不是样品数据"),
    "summary": ("summary row (平均值/最大值/最小值…), not a sample", "统计行（平均值/最大值/最小值等），不是样品数据"),
    "empty sheet": ("empty sheet", "空工作表"),
    "no table": (
        "no table of results (a notes, cover or chart sheet)",
        "没有监测结果表（说明、封面或图表工作表）",
    ),
}


@dataclass(frozen=True)
class SheetLayout:
    """The table found in a sheet, for `wqmon ingest --dry-run`."""

    kind: Literal["wide", "long"]
    header_rows: list[int]
    site: str
    time: str
    clock: str | None
    items: list[tuple[str, str, str]]  # (column label, parameter code, unit the values are read in)

    def describe(self, lang: Lang = "zh") -> list[str]:
        """Lines saying where the table is and what each column is read as."""
        rows = "–".join(str(r) for r in (self.header_rows[0], self.header_rows[-1])) if self.header_rows else ""
        if len(self.header_rows) == 1:
            rows = str(self.header_rows[0])
        clock = f" + {self.clock}" if self.clock else ""
        if lang == "zh":
            lines = [
                f"{'宽表（每个项目一列）' if self.kind == 'wide' else '长表（每行一个项目）'}；表头第 {rows} 行",
                f"点位列 {self.site}；时间列 {self.time}{clock}",
            ]
            lines += [f"项目列 {label} → {code}（{unit}）" for label, code, unit in self.items]
            return lines
        lines = [
            f"{'wide table (a column per item)' if self.kind == 'wide' else 'long table (a row per item)'}; "
            f"header row(s) {rows}",
            f"site column {self.site}; time column {self.time}{clock}",
        ]
        lines += [f"item column {label} → {code} ({unit})" for label, code, unit in self.items]
        return lines


@dataclass
class SheetResult:
    """Readings of a sheet, the problems of its rejected rows and cells, and what was skipped."""

    readings: pd.DataFrame = field(default_factory=empty_readings)
    problems: list[Problem] = field(default_factory=list)
    skipped: list[Problem] = field(default_factory=list)
    layout: SheetLayout | None = None


def read_sheet(
    sheet: RawSheet,
    *,
    file: str,
    config: Configuration,
    source: str,
    timezone: str = "Asia/Shanghai",
    now: dt.datetime | None = None,
) -> SheetResult:
    """Readings (statistic "sample", flag "N", `source`) and problems of one sheet.

    `now` (UTC) rejects sampling times more than an hour after it; None skips that check.
    """
    place = Place(file, sheet.name)
    cells = sheet.cells
    result = SheetResult()
    filled = _filled(cells) if not cells.empty else pd.DataFrame()
    if cells.empty or not filled.any().any():
        if sheet.name is not None:
            result.skipped.append(_skip(place, "empty sheet"))
        return result
    header_rows = find_header(cells, config.catalogue)
    if header_rows is None:
        numbers = int(cells.map(_is_number).to_numpy().sum())
        if sheet.name is not None and numbers < _DATA_NUMBERS:
            result.skipped.append(_skip(place, "no table"))
            return result
        result.problems.append(
            place.problem(
                "no header row found in the first 20 rows: a header names a site column "
                "(断面名称/点位/站点/site) and a time column (采样时间/监测时间/采样日期/time/Sampling date)",
                zh="前 20 行中没有找到表头：表头应有点位列（断面名称/点位/站点）和时间列（采样时间/采样日期/日期）",
            )
        )
        return result
    columns = read_columns(cells, header_rows, config.catalogue)
    data = cells.loc[cells.index > header_rows[-1]]
    data = data.loc[filled.loc[data.index].any(axis=1)]
    by_role: dict[str, list[Column]] = {}
    for column in columns:
        by_role.setdefault(column.role or "unknown", []).append(column)
    if "time" not in by_role and "clock" not in by_role:
        result.problems.append(
            place.problem(
                "no time column: name one 采样时间, 采样日期, 监测日期, 日期, Date or Sampling date",
                zh="没有时间列：请设一列“采样时间”“采样日期”“监测日期”或“日期”",
                row=header_rows[-1],
            )
        )
        return result

    site_column = by_role["site"][0]
    data, detection_limits = _drop_rows_not_samples(data, filled.loc[data.index], site_column, by_role, place, result)
    for column in by_role.get("unknown", []):
        if column.position in data.columns and _filled(data[[column.position]]).to_numpy().any():
            result.problems.append(
                place.problem(
                    f"column {column.header!r} is neither a parameter in the catalogue (config/parameters.yaml) "
                    "nor a known column (site, time, parameter, value, unit, detection limit); its values are "
                    "not stored: add the item or an alias to config/parameters.yaml, or rename the column",
                    zh=f"列“{column.header}”既不是参数目录（config/parameters.yaml）中的项目，也不是已知列（点位、"
                    "时间、项目、结果、单位、检出限）：该列未导入；"
                    "请在 config/parameters.yaml 中添加该项目或别名，或改列名",
                    row=header_rows[-1],
                    column=column.label,
                )
            )
    if data.empty:
        return result

    keep, sites, times, time_label, clock_label = _sites_and_times(data, by_role, config, place, result, timezone)
    data = data.loc[keep]
    if "parameter" in by_role and "value" in by_role:
        kind: Literal["wide", "long"] = "long"
        cells_long = _long_cells(data, by_role, sites[keep], times[keep], config, place, result)
        value = by_role["value"][0]
        items = [(value.label, "(项目列)", value.unit or "")]
    elif "item" in by_role:
        kind = "wide"
        item_columns = _checked_units(by_role["item"], config, place, result, header_rows[-1])
        cells_long = _wide_cells(data, item_columns, sites[keep], times[keep], detection_limits)
        items = [(c.label, c.parameter or "", c.unit or config.catalogue[c.parameter or ""].unit) for c in item_columns]
    else:
        result.problems.append(
            place.problem(
                "no item columns: a wide table has one column per item (e.g. '氨氮(mg/L)'); "
                "a long table has a parameter column (项目/指标) and a value column (结果/监测值)",
                zh="没有项目列：宽表每个项目一列（如“氨氮(mg/L)”）；长表需有项目列（项目/指标）和结果列（结果/监测值）",
                row=header_rows[-1],
            )
        )
        return result
    result.layout = SheetLayout(kind, header_rows, site_column.label, time_label, clock_label, items)
    if not cells_long.empty:
        cells_long["time_column"] = time_label
    result.readings, problems = cells_to_readings(cells_long, config, place, source=source, now=now)
    result.problems += problems
    return result


def _skip(place: Place, what: Skip, row: int | None = None) -> Problem:
    en, zh = _SKIP_TEXT[what]
    return place.problem(en, zh=zh, row=row)


def _filled(cells: pd.DataFrame) -> pd.DataFrame:
    """True where a cell holds something: not None, NaN or blank text (spaces, a full-width space)."""
    values = cells.to_numpy(dtype=object)
    blank = pd.isna(values) | _is_blank_text(values).astype(bool)
    return pd.DataFrame(~blank, index=cells.index, columns=cells.columns)


_is_blank_text: Final = np.frompyfunc(lambda v: isinstance(v, str) and not v.strip(), 1, 1)


def _is_number(cell: object) -> bool:
    return isinstance(cell, int | float | np.number | dt.date) and not isinstance(cell, bool) and cell == cell


def _drop_rows_not_samples(
    data: pd.DataFrame,
    filled: pd.DataFrame,
    site_column: Column,
    by_role: dict[str, list[Column]],
    place: Place,
    result: SheetResult,
) -> tuple[pd.DataFrame, pd.Series | None]:
    """The sample rows, and the detection-limit row if there is one; skipped rows listed in `result`.

    `filled` marks the cells of `data` that hold something. Row-wise checks run only on the few
    rows that can be notes (a text first cell with few filled cells, or the same text twice).
    """
    site_text = fold_column(data[site_column.position]).map(lambda t: t.replace("_", "").replace("-", ""))
    marks = filled.to_numpy(dtype=bool)
    cells = data.to_numpy(dtype=object)
    first = cells[np.arange(len(cells)), marks.argmax(axis=1)] if len(cells) else np.array([], dtype=object)
    first_text = pd.Series([v if isinstance(v, str) else "" for v in first], index=data.index, dtype=object)
    detection_row = site_text.isin(_DETECTION_LIMIT_ROWS)
    detection_limits = data.loc[detection_row].iloc[-1] if detection_row.any() else None
    summary = site_text.isin(_SUMMARY_ROWS)
    for column in by_role.get("time", []):
        summary |= fold_column(data[column.position]).isin(_SUMMARY_ROWS)
    footnote = first_text.str.contains(_FOOTNOTE, na=False) & ~summary
    count = marks.sum(axis=1)
    # Rows that may be notes or signatures: a text first cell, and either few filled cells or a
    # text repeated (merged) — a sample row has a site, a date and values.
    second = cells[:, 1] if cells.shape[1] > 1 else np.full(len(cells), None, dtype=object)
    maybe = (first_text != "").to_numpy() & ((count <= 5) | (first == second))
    signature = pd.Series(False, index=data.index)
    merged = pd.Series(False, index=data.index)
    if maybe.any():
        rows = data.loc[maybe]
        signature[maybe] = rows.apply(lambda row: any(_is_signature(v) for v in row), axis=1).to_numpy(dtype=bool)
        merged[maybe] = rows.apply(_one_text_across, axis=1).to_numpy(dtype=bool)
    signature &= ~summary & ~footnote
    merged &= ~summary & ~footnote & ~signature
    footnote |= merged  # a note merged across the whole row
    kinds: list[tuple[pd.Series, Skip]] = [(footnote, "footnote"), (signature, "signature"), (summary, "summary")]
    skipped = [_skip(place, what, int(row)) for mask, what in kinds for row in data.index[mask.to_numpy(dtype=bool)]]
    result.skipped += sorted(skipped, key=lambda p: p.row or 0)
    drop = (detection_row | summary | footnote | signature).to_numpy(dtype=bool)
    return data.loc[~drop], detection_limits


def _is_signature(cell: object) -> bool:
    return isinstance(cell, str) and (bool(_SIGNATURE.match(cell)) or cell.strip() in _SIGNATURE_WORDS)


def _one_text_across(row: pd.Series) -> bool:
    """A row holding one text only: a note merged across the sheet, or written in one cell.

    Such a row has no value to lose, so it is listed as skipped rather than as an unknown site.
    """
    values = [v for v in row if fold(v)]
    return (len(values) == 1 or len(values) >= 3) and all(isinstance(v, str) for v in values) and len(set(values)) == 1


def _sites_and_times(
    data: pd.DataFrame,
    by_role: dict[str, list[Column]],
    config: Configuration,
    place: Place,
    result: SheetResult,
    timezone: str,
) -> tuple[pd.Series, pd.Series, pd.Series, str, str | None]:
    site_column = by_role["site"][0]
    time_column, clock_column = _time_columns(data, by_role, timezone)
    lookup = {fold(site.id): site.id for site in config.sites.values()}
    lookup.update({fold(site.name): site.id for site in config.sites.values()})
    raw_sites = data[site_column.position]
    sites = fold_column(raw_sites).map(lookup).astype("string")
    dates = parse_times(data[time_column.position], timezone=timezone)
    times = dates
    if clock_column is not None:
        # The date cell may carry a time of its own (an Excel datetime): start from local midnight.
        midnight = dates.dt.tz_convert(timezone).dt.floor("D").dt.tz_convert("UTC")
        times = add_clock(midnight, data[clock_column.position])
    bad_site = sites.isna()
    sites_file = config.folder / "sites.yaml"
    if bad_site.any():
        texts = raw_sites[bad_site].astype("string").fillna("")
        blank = (texts.str.strip() == "").to_numpy()
        reasons = pd.Series(
            np.where(
                blank,
                "no site given",
                "unknown site " + texts.map(repr) + f"; sites are the ids and names in {sites_file}",
            )
        )
        zh = pd.Series(
            np.where(blank, "没有填写点位", "未知点位 " + texts.map(repr) + f"：点位应为 {sites_file} 中的编号或名称")
        )
        result.problems += place.problems(texts.index.to_numpy(), site_column.label, reasons, zh)
    bad_date = dates.isna() & ~bad_site
    if bad_date.any():
        texts = data.loc[bad_date, time_column.position].astype("string").fillna("")
        date_reasons = "bad date " + texts.map(repr) + "; expected e.g. '2024-05-06 10:30', '2024/5/6' or an Excel date"
        date_zh = "日期 " + texts.map(repr) + " 无法识别：应写成如 2024-05-06 10:30、2024/5/6 或 Excel 日期"
        result.problems += place.problems(texts.index.to_numpy(), time_column.label, date_reasons, date_zh)
    bad_clock = times.isna() & ~bad_date & ~bad_site
    if bad_clock.any() and clock_column is not None:
        texts = data.loc[bad_clock, clock_column.position].astype("string").fillna("")
        clock_reasons = "bad time of day " + texts.map(repr) + "; expected e.g. '09:30' or '9时30分'"
        clock_zh = "时刻 " + texts.map(repr) + " 无法识别：应写成如 09:30 或 9时30分"
        result.problems += place.problems(texts.index.to_numpy(), clock_column.label, clock_reasons, clock_zh)
    clock_label = clock_column.label if clock_column is not None else None
    return ~(bad_site | times.isna()), sites, times, time_column.label, clock_label


def _time_columns(data: pd.DataFrame, by_role: dict[str, list[Column]], timezone: str) -> tuple[Column, Column | None]:
    """(date column, time-of-day column or None), chosen by what the cells hold, not by the header.

    A column is the date column when most of its filled cells are dates; another time column
    whose filled cells are mostly times of day ("09:30") gives the time of day. A cell that is
    not what its column holds is a reported problem, never a reason to drop the column.
    """
    candidates = by_role.get("time", []) + by_role.get("clock", [])

    def filled(column: Column) -> pd.Series:
        cells = data[column.position]
        return cells[cells.notna() & ~cells.isin(_BLANKS)]

    def date_shares(column: Column) -> tuple[float, float]:
        """Shares of filled cells that are dates, and dates with a time of day other than midnight."""
        cells = filled(column)
        if cells.empty:
            return 0.0, 0.0
        times = parse_times(cells, timezone=timezone)
        local = times.dt.tz_convert(timezone)
        return float(times.notna().mean()), float((times.notna() & (local.dt.floor("D") != local)).mean())

    def clock_share(column: Column) -> float:
        cells = filled(column)
        if cells.empty:
            return 0.0
        zero = pd.Series(pd.Timestamp(0, tz="UTC"), index=cells.index)
        return float((add_clock(zero, cells).notna() & ~cells.map(_is_date_like)).mean())

    date_candidates = [c for c in candidates if c.role == "time"] or candidates
    scores = {c.position: date_shares(c) for c in date_candidates}
    # the column of dates; of two (采样日期 and a 时间 with full datetimes) the one with times of day
    date_column = max(date_candidates, key=lambda c: scores[c.position])  # the first of equals
    clock_column = None
    for column in candidates:
        if column is date_column:
            continue
        if column.role == "clock" or clock_share(column) >= 0.5:
            clock_column = column
            break
    return date_column, clock_column


def _is_date_like(cell: object) -> bool:
    return isinstance(cell, dt.datetime | dt.date) and not isinstance(cell, dt.time)


def _checked_units(
    items: list[Column], config: Configuration, place: Place, result: SheetResult, header_row: int
) -> list[Column]:
    """Item columns whose unit converts to the catalogue unit (the unit spelled canonically); one
    problem per column whose unit is unknown or does not convert. A repeated item: the first counts."""
    kept: list[Column] = []
    seen: set[str] = set()
    for column in items:
        parameter = config.catalogue[column.parameter or ""]
        if column.parameter in seen:
            continue
        if column.unit is not None:
            try:
                unit = normalize_unit(column.unit)
                conversion_factor(unit, parameter.unit)
            except UnitError:
                result.problems.append(
                    place.problem(
                        f"unit {column.unit!r} of {parameter.en} is unknown or does not convert to {parameter.unit}; "
                        f"the column is not stored: give it in {parameter.unit} or a unit that converts to it",
                        zh=f"{parameter.zh} 的单位“{column.unit}”无法识别或无法换算为 {parameter.unit}："
                        f"该列未导入；请改用 {parameter.unit} 或可换算的单位",
                        row=header_row,
                        column=column.label,
                    )
                )
                continue
            column = Column(column.position, column.letter, column.header, column.role, column.parameter, unit)
        seen.add(column.parameter or "")
        kept.append(column)
    return kept


def _wide_cells(
    data: pd.DataFrame,
    items: list[Column],
    sites: pd.Series,
    times: pd.Series,
    detection_limits: pd.Series | None,
) -> pd.DataFrame:
    """One row per (sheet row, item column), built with whole-array operations."""
    n, k = len(data), len(items)
    limits = [detection_limits[c.position] if detection_limits is not None else None for c in items]
    return pd.DataFrame(
        {
            "row": np.tile(data.index.to_numpy(), k),
            "site": pd.array(np.tile(sites.to_numpy(dtype=object), k), dtype="string"),
            "time": pd.DatetimeIndex(np.tile(times.dt.tz_convert(None).to_numpy(), k)).tz_localize("UTC"),
            "parameter": np.repeat(np.array([c.parameter for c in items], dtype=object), n),
            "raw": np.concatenate([data[c.position].to_numpy(dtype=object) for c in items])
            if k
            else np.array([], dtype=object),
            "unit": np.repeat(np.array([c.unit for c in items], dtype=object), n),
            "unit_required": False,  # no unit in the header: the catalogue unit
            "limit": np.repeat(np.array(limits, dtype=object), n),
            "column": np.repeat(np.array([c.label for c in items], dtype=object), n),
            "unit_column": np.repeat(np.array([c.label for c in items], dtype=object), n),
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
            "time": pd.DatetimeIndex(times.dt.tz_convert(None).to_numpy()).tz_localize("UTC"),
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
        blank = (texts == "").to_numpy()
        reasons = np.where(
            blank,
            "no parameter given",
            "unknown parameter " + texts.map(repr) + "; use a name, HJ 212 code or alias in config/parameters.yaml",
        )
        zh = np.where(
            blank,
            "没有填写项目",
            "未知项目 " + texts.map(repr) + "：请使用 config/parameters.yaml 中的名称、HJ 212 编码或别名",
        )
        result.problems += place.problems(
            cells.loc[unknown, "row"], parameter_column.label, pd.Series(reasons), pd.Series(zh)
        )
    return cells.loc[~unknown].reset_index(drop=True)
