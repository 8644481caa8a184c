"""Records of a pull source (JSON objects or CSV rows) to readings, by the source's mapping."""

from dataclasses import replace
from typing import Literal

import numpy as np
import pandas as pd

from ingest.cells import Place, cells_to_readings, fold, fold_column
from ingest.lab.dates import parse_times
from ingest.problems import Problem
from ingest.pull.http import PAGE_FIELD, RECORD_FIELD
from ingest.pull.sources import MappingConfig
from models.configuration import Configuration
from models.reading import FLAGS, empty_readings


def map_records(
    records: pd.DataFrame,
    mapping: MappingConfig,
    config: Configuration,
    *,
    source: str,
    statistic: str,
    now: pd.Timestamp | None = None,
) -> tuple[pd.DataFrame, list[Problem]]:
    """Readings and problems of `records` (one row per record, numbered 1… in the fetch).

    Problems name the page as their sheet and the record's number on it as their row (when the
    records carry `_page` and `_record`, as fetched ones do), and the source field as their column.
    """
    place = Place(file=source, sheet=None)
    if records.empty:
        return empty_readings(), []
    needed = [mapping.site, mapping.time]
    needed += [mapping.parameter, mapping.value] if mapping.columns is None else []  # type: ignore[list-item]
    missing = [name for name in needed if name not in records.columns]
    if missing:
        fields = ", ".join(str(c) for c in records.columns if c not in (PAGE_FIELD, RECORD_FIELD))
        return empty_readings(), [place.problem(f"records have no field(s) {missing}; they have {fields}")]
    records = records.reset_index(drop=True)
    rows = pd.Series(np.arange(1, len(records) + 1), index=records.index)
    pages = _pages(records)

    problems: list[Problem] = []
    sites = _sites(records[mapping.site], mapping, config)
    times = _times(records[mapping.time], mapping.timezone, now if now is not None else pd.Timestamp.now(tz="UTC"))
    flags = _flags(records, mapping)
    bad_site, bad_time, bad_flag = sites.isna(), times.isna(), flags.isna()
    if bad_site.any():
        texts = records.loc[bad_site, mapping.site].astype("string").fillna("")
        reason = "unknown site " + texts.map(repr) + "; map it in the source's mapping.sites or name it in sites.yaml"
        problems += place.problems(rows[bad_site], mapping.site, reason)
    if (bad_time & ~bad_site).any():
        texts = records.loc[bad_time & ~bad_site, mapping.time].astype("string").fillna("")
        problems += place.problems(rows[bad_time & ~bad_site], mapping.time, "bad time " + texts.map(repr))
    bad_flag &= ~bad_site & ~bad_time
    if bad_flag.any() and mapping.flag is not None:
        texts = records.loc[bad_flag, mapping.flag].astype("string").fillna("")
        allowed = ", ".join(sorted(mapping.flags) or FLAGS)
        problems += place.problems(
            rows[bad_flag], mapping.flag, "unknown flag " + texts.map(repr) + f"; known: {allowed}"
        )
    keep = ~(bad_site | bad_time | bad_flag)
    records, rows, sites, times, flags = records[keep], rows[keep], sites[keep], times[keep], flags[keep]

    if mapping.columns is not None:
        cells, column_problems = _wide(records, rows, sites, times, flags, mapping, config, place)
    else:
        cells, column_problems = _long(records, rows, sites, times, flags, mapping, config, place)
    problems += column_problems
    if cells.empty:
        return empty_readings(), _on_pages(problems, pages)
    cells["raw"] = cells["raw"].where(~cells["raw"].isin(mapping.missing), None)
    readings, value_problems = cells_to_readings(cells, config, place, source=source, statistic=statistic)
    return readings, _on_pages(problems + value_problems, pages)


def _pages(records: pd.DataFrame) -> dict[int, tuple[int, int]]:
    """Record number in the fetch → (page, number on the page), when the fetch said so."""
    if PAGE_FIELD not in records or RECORD_FIELD not in records:
        return {}
    return dict(
        zip(range(1, len(records) + 1), zip(records[PAGE_FIELD], records[RECORD_FIELD], strict=True), strict=True)
    )


def _on_pages(problems: list[Problem], pages: dict[int, tuple[int, int]]) -> list[Problem]:
    """Problems placed as "page P, record R" rather than by their number in the whole fetch."""
    placed = []
    for problem in problems:
        if problem.row is not None and problem.row in pages:
            page, record = pages[problem.row]
            problem = replace(problem, sheet=f"page {page}", row=int(record))
        placed.append(problem)
    return placed


def _sites(names: pd.Series, mapping: MappingConfig, config: Configuration) -> pd.Series:
    lookup = {fold(site.id): site.id for site in config.sites.values()}
    lookup.update({fold(site.name): site.id for site in config.sites.values()})
    lookup.update({fold(name): site_id for name, site_id in mapping.sites.items()})
    return fold_column(names).map(lookup).astype("string")


def _times(values: pd.Series, timezone: str, now: pd.Timestamp) -> pd.Series:
    numeric = pd.to_numeric(values, errors="coerce")
    if numeric.notna().all() and (numeric > 1e8).all():  # Unix epoch seconds or milliseconds
        unit: Literal["ms", "s"] = "ms" if (numeric > 1e11).all() else "s"
        return pd.to_datetime(numeric, unit=unit, utc=True).astype("datetime64[ns, UTC]")
    values = values.astype(object)
    # Real-time tables often print "11-25 08:00" without the year: the most recent such day.
    text = values.astype("string").str.strip()
    yearless = text.str.fullmatch(r"\d{1,2}[-/]\d{1,2}\s+\d{1,2}:\d{2}(:\d{2})?").fillna(False)
    if not yearless.any():
        return parse_times(values, timezone=timezone)
    local_year = now.tz_convert(timezone).year
    values = values.where(~yearless, f"{local_year}-" + text.str.replace("/", "-"))
    times = parse_times(values, timezone=timezone)
    future = yearless & (times > now + pd.Timedelta(days=1))
    if future.any():
        values = values.where(~future, f"{local_year - 1}-" + text.str.replace("/", "-"))
        times = parse_times(values, timezone=timezone)
    return times


def _flags(records: pd.DataFrame, mapping: MappingConfig) -> pd.Series:
    if mapping.flag is None or mapping.flag not in records:
        return pd.Series("N", index=records.index, dtype="string")
    texts = fold_column(records[mapping.flag].astype(object))
    lookup = {fold(k): v for k, v in mapping.flags.items()} or {f.lower(): f for f in FLAGS}
    lookup.setdefault("", "N")
    return texts.map(lookup).astype("string")


def _wide(
    records: pd.DataFrame,
    rows: pd.Series,
    sites: pd.Series,
    times: pd.Series,
    flags: pd.Series,
    mapping: MappingConfig,
    config: Configuration,
    place: Place,
) -> tuple[pd.DataFrame, list[Problem]]:
    assert mapping.columns is not None
    named = mapping.columns if isinstance(mapping.columns, dict) else {c: c for c in mapping.columns}
    problems: list[Problem] = []
    parts = []
    for field, name in named.items():
        code = config.catalogue.find(name)
        if code is None:
            problems.append(place.problem(f"column {name!r} is not a parameter in the catalogue", column=field))
            continue
        if field not in records:
            continue  # a platform may leave out a column it has no value for
        parts.append(
            pd.DataFrame(
                {
                    "row": rows.to_numpy(),
                    "site": sites.to_numpy(),
                    "time": times.array,
                    "parameter": code,
                    "raw": records[field].to_numpy(dtype=object),
                    "unit": mapping.units.get(field),
                    "unit_required": False,
                    "limit": None,
                    "column": field,
                    "unit_column": field,
                    "flag": flags.to_numpy(),
                }
            )
        )
    return (pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()), problems


def _long(
    records: pd.DataFrame,
    rows: pd.Series,
    sites: pd.Series,
    times: pd.Series,
    flags: pd.Series,
    mapping: MappingConfig,
    config: Configuration,
    place: Place,
) -> tuple[pd.DataFrame, list[Problem]]:
    assert mapping.parameter is not None and mapping.value is not None
    names = records[mapping.parameter].astype("string")
    codes = config.catalogue.resolve_many(names)
    unknown = codes.isna()
    problems = place.problems(
        rows[unknown], mapping.parameter, "unknown parameter " + names[unknown].fillna("").map(repr)
    )
    units = records[mapping.unit].astype(object) if mapping.unit and mapping.unit in records else None
    cells = pd.DataFrame(
        {
            "row": rows.to_numpy(),
            "site": sites.to_numpy(),
            "time": times.array,
            "parameter": codes.to_numpy(),
            "raw": records[mapping.value].to_numpy(dtype=object),
            "unit": units.to_numpy() if units is not None else None,
            "unit_required": False,
            "limit": None,
            "column": mapping.value,
            "unit_column": mapping.unit or mapping.value,
            "flag": flags.to_numpy(),
        }
    )
    return cells.loc[~unknown.to_numpy()].reset_index(drop=True), problems
