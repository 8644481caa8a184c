"""Readings as InfluxDB line protocol, and InfluxQL literals: the escaping both need.

A reading is one point of measurement `readings`: tags parameter, site, source, statistic (sorted,
as InfluxDB prefers), fields value (float), non_detect (bool), flag (string), time in microseconds
(written with precision=u).
InfluxDB identifies a point by measurement + tag set + time, which is exactly the reading key
(site, parameter, time, statistic, source): a rewrite lands on the same point and a correction
replaces its fields.

Escaping (https://docs.influxdata.com/influxdb/v1.6/write_protocols/line_protocol_reference/):
measurement names escape comma and space; tag keys and values escape comma, equals sign and space;
string field values escape double quote and backslash. InfluxDB 1.x does not unescape backslashes
in tags, so a tag value with a backslash right before a comma, space or equals sign or at its end,
or with a line break, or empty, cannot be stored faithfully and is refused.
"""

import re
from typing import Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from store.base import StoreError

MEASUREMENT: Final[str] = "readings"
TAGS: Final[tuple[str, ...]] = ("parameter", "site", "source", "statistic")  # sorted by key
FIELDS: Final[tuple[str, ...]] = ("value", "non_detect", "flag")


def escape_measurement(name: str) -> str:
    """A measurement name for line protocol."""
    return name.replace(",", "\\,").replace(" ", "\\ ")


def escape_tag(text: str) -> str:
    """A tag key or value for line protocol."""
    return text.replace(",", "\\,").replace("=", "\\=").replace(" ", "\\ ")


def escape_field_string(text: str) -> str:
    """A string field value for line protocol, with its double quotes."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def quote_identifier(name: str) -> str:
    """An InfluxQL identifier (measurement, tag or field key) in double quotes."""
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def quote_string(text: str) -> str:
    """An InfluxQL string literal in single quotes."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


UNSTORABLE_TAG: Final[re.Pattern[str]] = re.compile(r"^$|[\r\n]|\\(?=[, =]|$)")


def _check_tag_values(column: str, values: pd.Index) -> None:
    for value in values:
        if UNSTORABLE_TAG.search(value):
            raise StoreError(
                f"{column} {value!r} cannot be an InfluxDB tag value: tag values must be non-empty, "
                "without line breaks, and have no backslash before a comma, space or equals sign or at the end"
            )


def _lines(frame: pd.DataFrame) -> pa.Array:
    """One line per reading, each ending in a newline, as one Arrow string array (built in C++).

    Tag sets are escaped once per series and taken by index; values are formatted by Arrow's
    shortest round-trip float formatting ("1" is a float in line protocol: integers carry "i").
    """
    series_codes = np.zeros(len(frame), dtype=np.int64)
    for column in TAGS:
        codes, uniques = pd.factorize(frame[column], sort=False)
        _check_tag_values(column, uniques)
        series_codes = series_codes * len(uniques) + codes
    series_codes, series_index = pd.factorize(series_codes, sort=False)
    first_rows = pd.Series(np.arange(len(frame))).groupby(series_codes).first().to_numpy()
    tag_rows = frame.iloc[first_rows][list(TAGS)].astype(str).to_numpy()
    prefixes = [
        escape_measurement(MEASUREMENT) + "".join(f",{k}={escape_tag(v)}" for k, v in zip(TAGS, row, strict=True))
        for row in tag_rows
    ]
    prefix = pa.array(prefixes, type=pa.large_string()).take(pa.array(series_codes))
    values = pc.cast(pa.array(frame["value"].to_numpy(dtype="float64")), pa.large_string())
    non_detect = pc.if_else(
        pa.array(frame["non_detect"].to_numpy(dtype=bool)),
        pa.scalar("true", pa.large_string()),
        pa.scalar("false", pa.large_string()),
    )
    flag_codes, flag_uniques = pd.factorize(frame["flag"], sort=False)
    flags = pa.array([escape_field_string(str(v)) for v in flag_uniques], type=pa.large_string()).take(
        pa.array(flag_codes)
    )
    utc = frame["time"].dt.tz_convert("UTC").dt.tz_localize(None)
    stamps = pc.cast(pa.array(utc.to_numpy(dtype="datetime64[us]").view("int64")), pa.large_string())
    pieces = [prefix, " value=", values, ",non_detect=", non_detect, ",flag=", flags, " ", stamps, "\n"]
    text = pa.large_string()
    arguments = [piece if isinstance(piece, pa.Array) else pa.scalar(piece, text) for piece in pieces]
    return pc.binary_join_element_wise(*arguments, pa.scalar("", text))


def encode(frame: pd.DataFrame) -> list[str]:
    """One line of protocol per reading of a frame in the reading shape."""
    if frame.empty:
        return []
    return [line[:-1] for line in _lines(frame).to_pylist()]


def batches(frame: pd.DataFrame, *, size: int) -> list[bytes]:
    """Write bodies of at most `size` lines each (InfluxDB advises ~5000 points per write).

    Cut straight from the Arrow array's data buffer: no Python string per line.
    """
    if frame.empty:
        return []
    lines = _lines(frame).cast(pa.large_string())
    _, offsets_buffer, data = lines.buffers()
    offsets = np.frombuffer(offsets_buffer, dtype=np.int64)[lines.offset : lines.offset + len(lines) + 1]
    bodies = []
    for start in range(0, len(lines), size):
        stop = min(start + size, len(lines))
        bodies.append(data[int(offsets[start]) : int(offsets[stop]) - 1].to_pybytes())  # without the last newline
    return bodies
