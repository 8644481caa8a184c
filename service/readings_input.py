"""Readings sent to the API (a JSON batch or a table upload), checked row by row.

Good rows become readings; each bad row becomes a problem naming its row, field and what is
allowed. The checks are vectorised over the batch.
"""

import datetime as dt
import io
from pathlib import PurePath
from typing import Any

import numpy as np
import pandas as pd

from models.configuration import Configuration
from models.plausibility import is_off_clock
from models.reading import FLAGS, STATISTICS, as_readings, empty_readings
from models.values import parse_values
from service.ports import JSON

REQUIRED = ("site", "parameter", "time", "value")
_ZONED_TIME = r"(?:Z|[+-]\d{2}:?\d{2})$"


class TableError(ValueError):
    """An uploaded table cannot be read at all (format, missing columns)."""


def check_rows(
    rows: pd.DataFrame,
    *,
    config: Configuration,
    source: str,
    first_row: int = 0,
    row_label: str = "row",
    now: dt.datetime | None = None,
) -> tuple[pd.DataFrame, list[JSON]]:
    """(readings from the good rows, problems of the bad ones).

    `rows` has columns site, parameter, time, value and optionally statistic, flag, non_detect,
    source. `first_row` is the number reported for the first row (0 for JSON, 2 for a CSV line).
    A time more than an hour after `now` (default: the current time) is a wrong date, checked by
    the same `models.plausibility.is_off_clock` as HJ 212 packets and lab files.
    """
    missing = [c for c in REQUIRED if c not in rows.columns]
    if missing:
        raise TableError(f"the rows lack the column(s) {', '.join(missing)}; each reading needs {', '.join(REQUIRED)}")
    rows = rows.reset_index(drop=True)
    n = len(rows)
    messages: list[pd.Series] = []

    def note(bad: np.ndarray, field: str, text: pd.Series | str) -> None:
        if bad.any():
            series = pd.Series(text, index=rows.index) if isinstance(text, str) else text
            messages.append(series[bad].map(lambda m: (field, m)))

    site_text = rows["site"].astype("string").str.strip()
    by_name = {s.name: s.id for s in config.sites.values()}
    site = site_text.where(site_text.isin(list(config.sites)), site_text.map(by_name).astype("string"))
    known_sites = ", ".join(sorted(config.sites)) or "(none configured)"
    note(site.isna().to_numpy(), "site", "unknown site " + site_text.fillna("").map(repr) + f"; known: {known_sites}")

    parameter_text = rows["parameter"].astype("string").str.strip()
    parameter = config.catalogue.resolve_many(parameter_text)
    note(
        parameter.isna().to_numpy(),
        "parameter",
        "unknown parameter " + parameter_text.fillna("").map(repr) + "; use an HJ 212 code, name or alias",
    )

    time_text = rows["time"].astype("string").str.strip()
    time = pd.to_datetime(time_text, utc=True, format="ISO8601", errors="coerce")
    zoned = time_text.str.contains(_ZONED_TIME, regex=True).fillna(False).to_numpy(dtype=bool)
    bad_time = time.isna().to_numpy() | ~zoned
    note(
        bad_time,
        "time",
        time_text.fillna("").map(repr) + " is not an ISO 8601 time with a zone, e.g. 2025-06-01T08:00:00+08:00",
    )
    clock = now or dt.datetime.now(dt.UTC)
    ahead = np.asarray(is_off_clock(time, clock, ahead=dt.timedelta(hours=1)), dtype=bool) & ~bad_time
    note(ahead, "time", time_text.fillna("").map(repr) + " is in the future; check the date")

    parsed = parse_values(rows["value"])
    bad_value = parsed["value"].isna().to_numpy()
    value_message = parsed["error"].fillna("no value given; a reading needs a number or a non-detect like '0.05L'")
    note(bad_value, "value", value_message)
    infinite = ~bad_value & ~np.isfinite(parsed["value"].to_numpy())
    note(infinite, "value", "values must be finite numbers")

    statistic = _column(rows, "statistic", "sample")
    note(
        ~statistic.isin(STATISTICS).to_numpy(),
        "statistic",
        statistic.map(repr) + f" is not one of {', '.join(STATISTICS)}",
    )
    flag = _column(rows, "flag", "N")
    note(~flag.isin(FLAGS).to_numpy(), "flag", flag.map(repr) + f" is not one of {', '.join(FLAGS)}")
    non_detect = parsed["non_detect"].to_numpy()
    if "non_detect" in rows:
        given = rows["non_detect"]
        as_bool = given.map({True: True, False: False, "true": True, "false": False, "1": True, "0": False})
        note((given.notna() & as_bool.isna()).to_numpy(), "non_detect", "must be true or false")
        non_detect = non_detect | as_bool.fillna(False).astype(bool).to_numpy()
    source_column = _column(rows, "source", source)

    problems: list[JSON] = []
    bad = np.zeros(n, dtype=bool)
    if messages:
        found = pd.concat(messages).sort_index(kind="stable")
        bad[found.index.to_numpy()] = True
        problems = [
            {row_label: int(index) + first_row, "field": field, "message": message}
            for index, (field, message) in found.items()
        ]
    good = ~bad
    if not good.any():
        return empty_readings(), problems
    frame = pd.DataFrame(
        {
            "site": site[good],
            "parameter": parameter[good],
            "time": time[good],
            "statistic": statistic[good],
            "value": parsed["value"][good],
            "non_detect": non_detect[good],
            "flag": flag[good],
            "source": source_column[good],
        }
    )
    return as_readings(frame), problems


def read_table(content: bytes, filename: str) -> pd.DataFrame:
    """The rows of an uploaded CSV or XLSX file, all as text."""
    suffix = PurePath(filename).suffix.lower()
    try:
        if suffix == ".csv" or suffix == ".txt":
            return pd.read_csv(io.BytesIO(content), dtype="string", encoding="utf-8-sig", skip_blank_lines=True)
        if suffix in (".xlsx", ".xlsm"):
            return pd.read_excel(io.BytesIO(content), dtype="string", engine="openpyxl")
    except (ValueError, UnicodeDecodeError, OSError, KeyError) as error:
        raise TableError(f"{filename}: cannot be read as {suffix[1:].upper()}: {error}") from None
    except Exception as error:  # openpyxl raises its own (zipfile.BadZipFile, InvalidFileException…)
        raise TableError(f"{filename}: cannot be read as {suffix[1:].upper()}: {error}") from None
    raise TableError(f"{filename}: unsupported file type {suffix or '(none)'!r}; upload .csv or .xlsx")


def table_importer(config: Configuration) -> Any:
    """An importer for tables in the reading layout (one reading per row); lines are numbered as in the file."""

    def run(content: bytes, filename: str) -> tuple[pd.DataFrame, list[JSON]]:
        rows = read_table(content, filename)
        rows.columns = [str(c).strip().lower() for c in rows.columns]
        return check_rows(rows, config=config, source="lab", first_row=2, row_label="line")

    return run


def _column(rows: pd.DataFrame, name: str, default: str) -> pd.Series:
    if name not in rows:
        return pd.Series(default, index=rows.index, dtype="string")
    return rows[name].astype("string").str.strip().fillna(default)
