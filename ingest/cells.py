"""Value cells to readings, shared by the lab import and the pull sources.

A batch of cells (one per site, parameter and time) is parsed by `models.values.parse_values`,
non-detects without a limit take the one of their detection-limit cell, units are converted once
per (parameter, unit) pair, and every rejected cell becomes a Problem with its place.
"""

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ingest.problems import Problem
from models.configuration import Configuration
from models.errors import UnitError
from models.plausibility import implausible, is_off_clock
from models.reading import as_readings, empty_readings
from models.standards.units import conversion_factor, normalize_unit
from models.values import parse_values


def fold(text: object) -> str:
    """Header text with full-width forms folded (NFKC), spaces removed, lower case."""
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return ""
    return unicodedata.normalize("NFKC", str(text)).strip().replace(" ", "").replace("\n", "").lower()


@dataclass(frozen=True)
class Place:
    """Where the cells of a batch come from: a file and sheet, or a pull source."""

    file: str
    sheet: str | None

    def problem(
        self, reason: str, *, zh: str | None = None, row: int | None = None, column: str | None = None
    ) -> Problem:
        return Problem(file=self.file, sheet=self.sheet, row=row, column=column, reason=reason, reason_zh=zh)

    def problems(
        self,
        rows: pd.Series | np.ndarray,
        columns: pd.Series | str,
        reasons: pd.Series | Sequence[str] | str,
        zh: pd.Series | Sequence[str] | str | None = None,
    ) -> list[Problem]:
        n = len(rows)
        cols = [columns] * n if isinstance(columns, str) else list(columns)
        why = [reasons] * n if isinstance(reasons, str) else list(reasons)
        why_zh = [zh] * n if zh is None or isinstance(zh, str) else list(zh)
        return [self.problem(r, zh=z, row=int(w), column=c) for w, c, r, z in zip(rows, cols, why, why_zh, strict=True)]


def fold_column(values: pd.Series) -> pd.Series:
    """`fold` over a column, once per distinct value."""
    return values.map({value: fold(value) for value in pd.unique(values)})


def cells_to_readings(
    cells: pd.DataFrame,
    config: Configuration,
    place: Place,
    *,
    source: str,
    statistic: str = "sample",
    now: dt.datetime | None = None,
    ahead: dt.timedelta = dt.timedelta(hours=1),
) -> tuple[pd.DataFrame, list[Problem]]:
    """Readings of a frame of value cells, and the problems of the cells rejected.

    `cells` columns: row, site, time (UTC), parameter (code), raw (the value as written), unit,
    unit_required (bool: a cell without a unit is a problem), limit (detection limit as written or
    None), column and unit_column (labels for problems), and optionally flag (default "N").
    A value outside its plausible range (`models.plausibility`) is a problem; so is a time more
    than `ahead` after `now` when `now` is given.
    """
    problems: list[Problem] = []
    if cells.empty:
        return empty_readings(), problems
    parsed = parse_cells(cells["raw"])
    keep = ~parsed["missing"].to_numpy()
    value = parsed["value"].to_numpy().copy()
    non_detect = parsed["non_detect"].to_numpy().copy()
    needs_limit = parsed["needs_limit"].to_numpy()
    error = parsed["error"].copy()
    if needs_limit.any():
        limits = parse_cells(pd.Series(cells["limit"].to_numpy(), dtype=object))
        known = needs_limit & limits["value"].notna().to_numpy()
        value[known] = limits["value"].to_numpy()[known]
        non_detect[known] = True
        error[known] = pd.NA
    infinite = ~np.isfinite(value) & error.isna().to_numpy() & keep
    if infinite.any():
        error[infinite] = "value " + cells.loc[infinite, "raw"].astype("string").map(repr) + " is not a finite number"
    bad_value = error.notna().to_numpy() & keep
    if bad_value.any():
        raw_text = cells.loc[bad_value, "raw"].astype("string").fillna("").map(repr)
        zh = np.where(
            needs_limit[bad_value],
            raw_text + " 表示未检出，但没有检出限：写成如 0.05L，或给出检出限列（行）",
            raw_text + " 不是数值：应写成如 1.25、0.05L 或 <0.05",
        )
        problems += place.problems(
            cells.loc[bad_value, "row"], cells.loc[bad_value, "column"], error[bad_value], pd.Series(zh)
        )
    keep &= ~bad_value

    factor, unit_reason = unit_factors(cells, config)
    bad_unit = unit_reason.notna().to_numpy() & keep
    if bad_unit.any():
        reasons = unit_reason[bad_unit]
        zh_units = reasons.map(_unit_reason_zh)
        problems += place.problems(cells.loc[bad_unit, "row"], cells.loc[bad_unit, "unit_column"], reasons, zh_units)
    keep &= ~bad_unit
    value = value * factor

    outside, low, high = implausible(cells["parameter"], value, config.catalogue)
    outside &= keep
    if outside.any():
        names = cells.loc[outside, "parameter"].map(lambda code: config.catalogue[str(code)])
        shown = pd.Series(value[outside], index=names.index).map(lambda v: f"{v:g}")
        span = [
            f"{lo:g}–{hi:g} {p.unit}" if np.isfinite(hi) else f"≥ {lo:g} {p.unit}"
            for lo, hi, p in zip(low[outside], high[outside], names, strict=True)
        ]
        problems += place.problems(
            cells.loc[outside, "row"],
            cells.loc[outside, "column"],
            [
                f"{p.en} {v} {p.unit} is outside its plausible range {r} (config/parameters.yaml); "
                "check the value and its unit"
                for p, v, r in zip(names, shown, span, strict=True)
            ],
            [
                f"{p.zh} {v} {p.unit} 超出合理范围 {r}（config/parameters.yaml）：请核对数值和单位"
                for p, v, r in zip(names, shown, span, strict=True)
            ],
        )
    keep &= ~outside

    if now is not None:
        future = np.asarray(is_off_clock(cells["time"], now, ahead=ahead), dtype=bool) & keep
        if future.any():
            # one problem per row, not per item of the row
            first = future & ~pd.Series(np.where(future, cells["row"], -1)).duplicated().to_numpy()
            local = cells.loc[first, "time"].dt.tz_convert("Asia/Shanghai").dt.strftime("%Y-%m-%d %H:%M")
            problems += place.problems(
                cells.loc[first, "row"],
                cells.loc[first, "time_column"] if "time_column" in cells else cells.loc[first, "column"],
                "sampling time " + local + " is in the future; check the date (year, month, day)",
                "采样时间 " + local + " 晚于当前时间：请核对日期（年、月、日）",
            )
        keep &= ~future
    readings = pd.DataFrame(
        {
            "site": cells["site"],
            "parameter": cells["parameter"],
            "time": cells["time"],
            "statistic": statistic,
            "value": value,
            "non_detect": non_detect,
            "flag": cells["flag"] if "flag" in cells else "N",
            "source": source,
            "row": cells["row"],
            "column": cells["column"],
        }
    ).loc[keep]
    repeated = readings.duplicated(["site", "parameter", "time"], keep="last")
    if repeated.any():
        problems += place.problems(
            readings.loc[repeated, "row"],
            readings.loc[repeated, "column"],
            "the same site, parameter and time is given again in a later row; the later value is kept",
            "同一点位、项目、采样时间在后面的行中再次出现：保留后面的值",
        )
        readings = readings.loc[~repeated]
    return as_readings(readings.drop(columns=["row", "column"])), problems


def _unit_reason_zh(reason: str) -> str:
    missing = re.match(r"missing unit; (.+) is reported in (.+)$", reason)
    if missing:
        return f"缺少单位：{missing[1]} 的单位是 {missing[2]}"
    other = re.match(r"(?:unknown unit '(.+)'|cannot convert (.+) to .+); .+ is reported in (.+?)$", reason)
    if other:
        return f"单位 {other[1] or other[2]} 无法换算为 {other[3]}：请改用该单位或其可换算的单位"
    return reason


def parse_cells(raw: pd.Series) -> pd.DataFrame:
    """`models.values.parse_values` of a column of cells, with numbers taken as they are.

    Spreadsheet cells are mostly numbers already; only the others ("0.05L", "ND", text) are
    parsed as text, which keeps a 100,000-row sheet fast.
    """
    objects = pd.Series(raw.to_numpy(dtype=object), dtype=object)
    numbers = objects.map(_is_number).to_numpy(dtype=bool)
    if not numbers.any():
        return parse_values(objects)
    value = np.full(len(objects), np.nan)
    value[numbers] = objects[numbers].to_numpy(dtype=float)
    parsed = pd.DataFrame(
        {
            "value": value,
            "non_detect": np.zeros(len(objects), dtype=bool),
            "missing": np.zeros(len(objects), dtype=bool),
            "needs_limit": np.zeros(len(objects), dtype=bool),
            "error": pd.Series(pd.NA, index=objects.index, dtype="string"),
        }
    )
    rest = ~numbers
    if rest.any():
        text = parse_values(objects[rest])
        parsed.loc[rest, list(text.columns)] = text.to_numpy(dtype=object)
        parsed = parsed.astype(
            {"value": float, "non_detect": bool, "missing": bool, "needs_limit": bool, "error": "string"}
        )
    parsed["missing"] |= np.isnan(parsed["value"].to_numpy()) & numbers  # a NaN number is an empty cell
    return parsed


def _is_number(cell: object) -> bool:
    return isinstance(cell, int | float | np.number) and not isinstance(cell, bool)


def unit_factors(cells: pd.DataFrame, config: Configuration) -> tuple[np.ndarray, pd.Series]:
    """Factor to the catalogue unit per cell and, where there is none, the reason.

    Computed once per distinct (parameter, unit, unit required) triple, then spread by index.
    """
    catalogue = config.catalogue
    units = cells["unit"].astype(object)
    units = units.where(units.notna(), "")
    parameter_codes, parameters = pd.factorize(cells["parameter"].astype(object))
    unit_codes, unit_names = pd.factorize(units)
    required = np.broadcast_to(np.asarray(cells["unit_required"], dtype=bool), len(cells)).astype(np.int64)
    keys = (parameter_codes.astype(np.int64) * max(len(unit_names), 1) + unit_codes) * 2 + required
    distinct, inverse = np.unique(keys, return_inverse=True)
    factors = np.ones(len(distinct))
    reasons = np.full(len(distinct), None, dtype=object)
    for i, key in enumerate(distinct):
        pair, needs = divmod(int(key), 2)
        code_index, unit_index = divmod(pair, max(len(unit_names), 1))
        parameter = catalogue[str(parameters[code_index])]
        unit = str(unit_names[unit_index]).strip()
        if not unit:
            if needs and parameter.unit != "1":
                factors[i], reasons[i] = np.nan, f"missing unit; {parameter.zh} is reported in {parameter.unit}"
            continue
        try:
            factors[i] = conversion_factor(normalize_unit(unit), parameter.unit)
        except UnitError as error:
            factors[i], reasons[i] = np.nan, f"{error}; {parameter.zh} is reported in {parameter.unit}"
    return factors[inverse], pd.Series(reasons[inverse], index=cells.index, dtype="string")
