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
from models.plausibility import EARLIEST, LATEST, implausible, is_off_clock
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
    The server names the source (`source`): a row giving another one is refused, so a writer can
    neither pose as a logger nor replace another channel's readings. A time more than an hour after
    `now` (default: the current time) or outside the years 1900 to 2200 is a wrong date, and a value
    outside its parameter's plausible range is not a measurement: both are checked by
    `models.plausibility`, as for HJ 212 packets and lab files. Of rows repeating a key (site,
    parameter, time, statistic) the last is kept and the earlier ones are reported.
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
    out_of_era = ~bad_time & ((time < EARLIEST) | (time >= LATEST)).fillna(False).to_numpy(dtype=bool)
    note(out_of_era, "time", time_text.fillna("").map(repr) + " is outside the years 1900 to 2200; check the date")
    bad_time |= out_of_era
    ahead = np.asarray(is_off_clock(time, clock, ahead=dt.timedelta(hours=1)), dtype=bool) & ~bad_time
    note(ahead, "time", time_text.fillna("").map(repr) + " is in the future; check the date")

    raw_value = rows["value"]
    is_bool = raw_value.map(lambda v: isinstance(v, bool | np.bool_)).to_numpy(dtype=bool)
    note(is_bool, "value", "true/false is not a number; send a number or a non-detect like '0.05L'")
    parsed = parse_values(raw_value.where(~is_bool, None))
    bad_value = parsed["value"].isna().to_numpy() & ~is_bool
    value_message = parsed["error"].fillna("no value given; a reading needs a number or a non-detect like '0.05L'")
    note(bad_value, "value", value_message)
    bad_value |= is_bool
    infinite = ~bad_value & ~np.isfinite(parsed["value"].to_numpy())
    note(infinite, "value", "values must be finite numbers")
    bad_value |= infinite
    known = parameter.notna().to_numpy()
    if known.any():
        firing, low, high = implausible(parameter.fillna(""), parsed["value"].to_numpy(dtype=float), config.catalogue)
        beyond = firing & known & ~bad_value
        ranges = pd.Series(
            [f"{lo:g} to {hi:g}" if np.isfinite(hi) else f"at least {lo:g}" for lo, hi in zip(low, high, strict=True)],
            index=rows.index,
        )
        note(
            beyond,
            "value",
            parsed["value"].map(lambda v: f"{v:g}")
            + " is outside the plausible range of the parameter ("
            + ranges
            + " in its catalogue unit, config/parameters.yaml); check the value and its unit",
        )

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
    if "source" in rows:
        given = rows["source"].astype("string").str.strip()
        note(
            (given.notna() & (given != "") & (given != source)).fillna(False).to_numpy(dtype=bool),
            "source",
            given.fillna("").map(repr) + f" is not yours to give: the server records these readings as {source!r}; "
            "leave `source` out",
        )
    source_column = pd.Series(source, index=rows.index, dtype="string")

    flagged = np.zeros(n, dtype=bool)
    if messages:
        flagged[pd.concat(messages).index.to_numpy()] = True
    keys = pd.DataFrame({"site": site, "parameter": parameter, "time": time, "statistic": statistic})
    repeated, kept_at = _repeats(keys, flagged)
    note(
        repeated,
        "time",
        f"the same site, parameter, time and statistic as {row_label} "
        + (kept_at + first_row).astype(str)
        + ", which is the one stored",
    )

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


def _repeats(keys: pd.DataFrame, flagged: np.ndarray) -> tuple[np.ndarray, pd.Series]:
    """(rows whose key a later unflagged row repeats, position of the row kept for each), over unflagged rows."""
    candidates = keys[~flagged]
    earlier = candidates.duplicated(keep="last").to_numpy()
    repeated = np.zeros(len(keys), dtype=bool)
    repeated[np.flatnonzero(~flagged)[earlier]] = True
    kept = candidates.reset_index().groupby(list(keys.columns), sort=False)["index"].transform("last")
    return repeated, pd.Series(kept.to_numpy(), index=candidates.index).reindex(keys.index, fill_value=-1)


def upload_name(filename: str | None) -> str:
    """The name an upload is known by (its last path part); TableError when it cannot name a file."""
    name = PurePath((filename or "upload.csv").replace("\\", "/")).name
    if name in ("", ".", "..") or len(name.encode()) > _LONGEST_NAME or any(ord(c) < 32 for c in name):
        shown = (filename or "")[:40]
        raise TableError(
            f"the file name {shown!r} cannot name a file; give the file a plain name of at most "
            f"{_LONGEST_NAME} bytes, e.g. lab-2025-06.xlsx"
        )
    return name


_LONGEST_NAME = 200


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
