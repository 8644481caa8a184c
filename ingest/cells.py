"""Value cells to readings, shared by the lab import and the pull sources.

A batch of cells (one per site, parameter and time) is parsed by `models.values.parse_values`,
non-detects without a limit take the one of their detection-limit cell, units are converted once
per (parameter, unit) pair, and every rejected cell becomes a Problem with its place.
"""

import unicodedata
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ingest.problems import Problem
from models.configuration import Configuration
from models.errors import UnitError
from models.reading import as_readings
from models.units import conversion_factor, normalize_unit
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

    def problem(self, reason: str, *, row: int | None = None, column: str | None = None) -> Problem:
        return Problem(file=self.file, sheet=self.sheet, row=row, column=column, reason=reason)

    def problems(
        self, rows: pd.Series | np.ndarray, columns: pd.Series | str, reasons: pd.Series | str
    ) -> list[Problem]:
        n = len(rows)
        cols = [columns] * n if isinstance(columns, str) else list(columns)
        why = [reasons] * n if isinstance(reasons, str) else list(reasons)
        return [self.problem(r, row=int(w), column=c) for w, c, r in zip(rows, cols, why, strict=True)]


def fold_column(values: pd.Series) -> pd.Series:
    """`fold` over a column, once per distinct value."""
    return values.map({value: fold(value) for value in pd.unique(values)})


def cells_to_readings(
    cells: pd.DataFrame, config: Configuration, place: Place, *, source: str, statistic: str = "sample"
) -> tuple[pd.DataFrame, list[Problem]]:
    """Readings of a frame of value cells, and the problems of the cells rejected.

    `cells` columns: row, site, time (UTC), parameter (code), raw (the value as written), unit,
    unit_required (bool: a cell without a unit is a problem), limit (detection limit as written or
    None), column and unit_column (labels for problems), and optionally flag (default "N").
    """
    problems: list[Problem] = []
    parsed = parse_values(pd.Series(cells["raw"].to_numpy(), dtype=object))
    keep = ~parsed["missing"].to_numpy()
    value = parsed["value"].to_numpy().copy()
    non_detect = parsed["non_detect"].to_numpy().copy()
    needs_limit = parsed["needs_limit"].to_numpy()
    error = parsed["error"].copy()
    if needs_limit.any():
        limits = parse_values(pd.Series(cells["limit"].to_numpy(), dtype=object))
        known = needs_limit & limits["value"].notna().to_numpy()
        value[known] = limits["value"].to_numpy()[known]
        non_detect[known] = True
        error[known] = pd.NA
    bad_value = error.notna().to_numpy() & keep
    if bad_value.any():
        problems += place.problems(cells.loc[bad_value, "row"], cells.loc[bad_value, "column"], error[bad_value])
    keep &= ~bad_value

    factor, unit_reason = unit_factors(cells, config)
    bad_unit = unit_reason.notna().to_numpy() & keep
    if bad_unit.any():
        problems += place.problems(
            cells.loc[bad_unit, "row"], cells.loc[bad_unit, "unit_column"], unit_reason[bad_unit]
        )
    keep &= ~bad_unit
    readings = pd.DataFrame(
        {
            "site": cells["site"],
            "parameter": cells["parameter"],
            "time": cells["time"],
            "statistic": statistic,
            "value": value * factor,
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
        )
        readings = readings.loc[~repeated]
    return as_readings(readings.drop(columns=["row", "column"])), problems


def unit_factors(cells: pd.DataFrame, config: Configuration) -> tuple[np.ndarray, pd.Series]:
    """Factor to the catalogue unit per cell and, where there is none, the reason."""
    catalogue = config.catalogue
    units = cells["unit"].astype("string").fillna("")
    keys = cells["parameter"].astype("string") + "|" + units + "|" + cells["unit_required"].astype(str)
    factors: dict[str, float] = {}
    reasons: dict[str, str | None] = {}
    for key in keys.unique():  # once per (item, unit) pair, not per cell
        code, unit, required = str(key).split("|")
        parameter = catalogue[code]
        factors[key], reasons[key] = 1.0, None
        if not unit:
            if required == "True" and parameter.unit != "1":
                factors[key] = np.nan
                reasons[key] = f"missing unit; {parameter.zh} is reported in {parameter.unit}"
            continue
        try:
            factors[key] = conversion_factor(normalize_unit(unit), parameter.unit)
        except UnitError as error:
            factors[key] = np.nan
            reasons[key] = f"{error}; {parameter.zh} is reported in {parameter.unit}"
    return keys.map(factors).to_numpy(dtype=float), keys.map(reasons).astype("string")
