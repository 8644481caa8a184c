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


def encode(frame: pd.DataFrame) -> list[str]:
    """One line of protocol per reading of a frame in the reading shape (vectorised per unique value)."""
    if frame.empty:
        return []
    prefix = np.full(len(frame), escape_measurement(MEASUREMENT), dtype=object)
    for column in TAGS:
        codes, uniques = pd.factorize(frame[column], sort=False)
        _check_tag_values(column, uniques)
        escaped = np.array([f",{column}={escape_tag(str(v))}" for v in uniques], dtype=object)
        prefix = prefix + escaped[codes]
    values = frame["value"].to_numpy(dtype="float64").astype(str).astype(object)
    non_detect = np.where(frame["non_detect"].to_numpy(dtype=bool), "true", "false").astype(object)
    flag_codes, flag_uniques = pd.factorize(frame["flag"], sort=False)
    flags = np.array([escape_field_string(str(v)) for v in flag_uniques], dtype=object)[flag_codes]
    utc = frame["time"].dt.tz_convert("UTC").dt.tz_localize(None)
    microseconds = utc.to_numpy(dtype="datetime64[us]").view("int64")
    stamps = microseconds.astype(str).astype(object)
    lines = prefix + " value=" + values + ",non_detect=" + non_detect + ",flag=" + flags + " " + stamps
    return lines.tolist()


def batches(lines: list[str], *, size: int) -> list[bytes]:
    """Lines joined into bodies of at most `size` lines (InfluxDB advises ~5000 points per write)."""
    return ["\n".join(lines[i : i + size]).encode() for i in range(0, len(lines), size)]
