"""The store contract: what every backend does, and how one is chosen by URL.

A store keeps readings (models.reading) and gives them back. Writes are idempotent on the key
(site, parameter, time, statistic, source): the same reading written twice is stored once, and a
new value for an existing key replaces the old one (a correction).
"""

import datetime as dt
import urllib.parse
from collections.abc import Callable, Sequence
from typing import Literal, Protocol

import pandas as pd

Interval = Literal["hour", "day", "month", "year"]


class StoreError(RuntimeError):
    """The store cannot do what was asked (unreachable server, bad URL, corrupt file)."""


class Store(Protocol):
    """A time-series store of readings."""

    def write(self, readings: pd.DataFrame) -> int:
        """Store a frame in the reading shape; return how many readings were accepted."""
        ...

    def read(
        self,
        *,
        sites: Sequence[str] | None = None,
        parameters: Sequence[str] | None = None,
        start: dt.datetime | None = None,
        end: dt.datetime | None = None,
        statistics: Sequence[str] | None = None,
        flags: Sequence[str] | None = None,
    ) -> pd.DataFrame:
        """Readings in [start, end) matching the filters, in the reading shape, sorted by site, parameter, time."""
        ...

    def aggregate(
        self,
        interval: Interval,
        *,
        sites: Sequence[str] | None = None,
        parameters: Sequence[str] | None = None,
        start: dt.datetime | None = None,
        end: dt.datetime | None = None,
        statistics: Sequence[str] | None = None,
        flags: Sequence[str] | None = ("N",),
        timezone: str = "Asia/Shanghai",
    ) -> pd.DataFrame:
        """Per site, parameter and local calendar period: mean, min, max, count of the values.

        Columns: site, parameter, period (datetime64[ns, UTC], start of the local period), mean,
        min, max, count. Non-detects enter the mean at half their detection limit.
        """
        ...

    def latest(self, *, sites: Sequence[str] | None = None, parameters: Sequence[str] | None = None) -> pd.DataFrame:
        """The newest reading of each (site, parameter, statistic), in the reading shape."""
        ...

    def series(self) -> pd.DataFrame:
        """One row per (site, parameter, statistic): count, first and last time."""
        ...

    def close(self) -> None:
        """Flush what was accepted and release the store."""
        ...


StoreFactory = Callable[[str], Store]
_BACKENDS: dict[str, StoreFactory] = {}


def register_backend(scheme: str, factory: StoreFactory) -> None:
    """Register a backend for URLs `scheme://…`; a scheme can be registered once."""
    if scheme in _BACKENDS:
        raise ValueError(f"store backend {scheme!r} is already registered")
    _BACKENDS[scheme] = factory


def redacted_url(url: str) -> str:
    """`url` with its password and token masked, for messages and logs."""
    parts = urllib.parse.urlsplit(url)
    netloc = parts.netloc
    if parts.password is not None:
        netloc = netloc.replace(f":{parts.password}@", ":***@", 1)
    query = urllib.parse.urlencode(
        [(k, "***" if k in ("token", "password") else v) for k, v in urllib.parse.parse_qsl(parts.query)], safe="/*"
    )
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def open_store(url: str) -> Store:
    """Open the store a URL names (the WQMON_STORE setting).

    `duckdb:///relative/file.duckdb`, `duckdb:////absolute/file.duckdb` or a bare path open a DuckDB
    file; `influxdb://user:pass@host:8086/db` (`influxdbs://` for HTTPS) an InfluxDB database.
    """
    scheme, separator, _ = url.partition("://")
    if not separator:
        scheme = "duckdb"
    factory = _BACKENDS.get(scheme)
    if factory is None:
        allowed = "duckdb:///path/to/file.duckdb, a bare file path, influxdb://user:pass@host:8086/db, influxdbs://…"
        raise StoreError(f"store URL {redacted_url(url)!r}: scheme {scheme!r} is not known; use one of {allowed}")
    return factory(url)
