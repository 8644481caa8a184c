"""The default store: one embedded DuckDB file (data/wqmon.duckdb), nothing to install or start.

DuckDB locks its file per process, so one DuckDBStore owns it and the service shares that object
between the HTTP API, the HJ 212 listener and the pull scheduler. The object is thread-safe: writes
are serialised by a lock, and every call runs on its own cursor (a DuckDB connection is not safe
to share between threads, its cursors are).

Writes are bulk (the frame goes in as one Arrow table) and idempotent on the key (site, parameter,
time, statistic, source). The key is not a PRIMARY KEY: DuckDB maintains one as an ART index that
made bulk writes ~6x slower here (0.6 M vs 4 M readings/s). Instead each write replaces, in one
transaction, the stored readings that share a key with the batch, then appends the batch; a batch
with repeated keys keeps the last of each.

Times are stored as TIMESTAMPTZ (microseconds) with the session time zone fixed to UTC.
"""

import datetime as dt
import itertools
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Final, Literal

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from models.reading import KEY_COLUMNS, as_readings, typed_readings
from store.base import Interval, StoreError
from store.query import (
    Filters,
    as_aggregate,
    as_series_table,
    check_interval,
    check_timezone,
    constant_offset_seconds,
    local_period_starts,
    to_microseconds,
)

DEFAULT_PATH: Final[Path] = Path("data/wqmon.duckdb")
SCHEMA_VERSION: Final[int] = 1

# Migration n brings a file from schema n-1 to n; a file is created by running all of them.
_MIGRATIONS: Final[dict[int, str]] = {
    1: """
        CREATE TABLE readings (
            site VARCHAR NOT NULL,
            parameter VARCHAR NOT NULL,
            time TIMESTAMPTZ NOT NULL,
            statistic VARCHAR NOT NULL,
            value DOUBLE NOT NULL,
            non_detect BOOLEAN NOT NULL,
            flag VARCHAR NOT NULL,
            source VARCHAR NOT NULL
        );
    """,
}
_KEY: Final[str] = ", ".join(KEY_COLUMNS)
_COLUMNS: Final[str] = "site, parameter, time, statistic, value, non_detect, flag, source"
_HOUR_US: Final[int] = 3_600_000_000
_DAY_US: Final[int] = 86_400_000_000
_KEY_CHECK_ROWS: Final[int] = 1_000_000  # rows per slice of the in-batch key check
_STRINGS: Final = {pa.string(): pd.StringDtype("pyarrow")}


class DuckDBStore:
    """Readings in one DuckDB file, created with the current schema on first use."""

    def __init__(self, path: Path | str = DEFAULT_PATH, *, read_only: bool = False) -> None:
        """Open (creating and migrating) the file; `read_only` opens an existing file for reading only,
        which several processes may do at once while no process holds it for writing (DuckDB's
        file lock: one read-write process, or any number of read-only ones)."""
        self.path = Path(path) if str(path) != ":memory:" else None
        self.read_only = read_only
        if self.path is not None and not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._connection = duckdb.connect(
                str(self.path) if self.path is not None else ":memory:", read_only=read_only
            )
        except duckdb.Error as error:
            raise StoreError(_open_error(path, error, read_only=read_only)) from error
        self._lock = threading.Lock()  # guards the connection and `_closed`
        self._write_lock = threading.Lock()  # one write at a time; reads go on
        self._closed = False
        self._connection.execute("SET TimeZone = 'UTC'")
        if not read_only:
            self._migrate()

    @classmethod
    def from_url(cls, url: str, *, read_only: bool = False) -> "DuckDBStore":
        """Open `duckdb:///relative/path`, `duckdb:////absolute/path`, `duckdb:///:memory:` or a bare path."""
        path = url.removeprefix("duckdb://")
        if path != url:
            path = path.removeprefix("/")
        return cls(path or DEFAULT_PATH, read_only=read_only)

    def __enter__(self) -> "DuckDBStore":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @contextmanager
    def _cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with self._lock:
            if self._closed:
                raise StoreError(f"the DuckDB store {self.path} is closed")
            cursor = self._connection.cursor()
        try:
            cursor.execute("SET TimeZone = 'UTC'")
            yield cursor
        finally:
            cursor.close()

    def _migrate(self) -> None:
        with self._cursor() as cursor:
            cursor.execute(
                "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, "
                "applied TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)"
            )
            row = cursor.execute("SELECT max(version) FROM schema_version").fetchall()[0]
            current = int(row[0]) if row and row[0] is not None else 0
            if current > SCHEMA_VERSION:
                raise StoreError(
                    f"{self.path} has store schema {current}; this wqmon reads up to {SCHEMA_VERSION} (upgrade wqmon)"
                )
            for version in range(current + 1, SCHEMA_VERSION + 1):
                cursor.execute("BEGIN TRANSACTION")
                try:
                    cursor.execute(_MIGRATIONS[version])
                    cursor.execute("INSERT INTO schema_version (version) VALUES (?)", [version])
                except BaseException:
                    cursor.execute("ROLLBACK")
                    raise
                cursor.execute("COMMIT")

    def schema_version(self) -> int:
        """The schema version of the file."""
        with self._cursor() as cursor:
            row = cursor.execute("SELECT max(version) FROM schema_version").fetchall()[0]
        return int(row[0]) if row else 0

    def write(self, readings: pd.DataFrame) -> int:
        """Store a frame in the reading shape; return how many readings were accepted."""
        if self.read_only:
            raise StoreError(f"the DuckDB store {self.path} is open read-only; readings are written by its owner")
        frame = to_microseconds(as_readings(readings))
        if frame.empty:
            return 0
        window = [frame["time"].min().to_pydatetime(), frame["time"].max().to_pydatetime()]
        staged = _arrow(frame)
        with self._write_lock, self._cursor() as cursor:
            if _has_repeated_keys(cursor, staged, frame["time"].array.asi8):
                staged = _arrow(frame.drop_duplicates(list(KEY_COLUMNS), keep="last"))
            cursor.register("staged", staged)
            cursor.execute("BEGIN TRANSACTION")
            try:
                # Nothing stored in the batch's time window (a bulk load, a new period): no key can
                # repeat, so the key check is skipped. Writes are serialised, so this cannot race.
                overlaps = cursor.execute(
                    "SELECT 1 FROM readings WHERE time BETWEEN ? AND ? LIMIT 1", window
                ).fetchall()
                if overlaps:
                    same_key = f"({_KEY}) IN (SELECT ({_KEY}) FROM staged)"
                    cursor.execute(f"DELETE FROM readings WHERE time BETWEEN ? AND ? AND {same_key}", window)
                cursor.execute(f"INSERT INTO readings SELECT {_COLUMNS} FROM staged")
                cursor.execute("COMMIT")
            except BaseException:
                cursor.execute("ROLLBACK")
                raise
            finally:
                cursor.unregister("staged")
        return len(readings)

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
        filters = Filters.of(
            sites=sites, parameters=parameters, start=start, end=end, statistics=statistics, flags=flags
        )
        where, arguments = _where(filters)
        sql = f"SELECT {_COLUMNS} FROM readings {where} ORDER BY site, parameter, time, statistic, source"
        with self._cursor() as cursor:
            frame = _readings_frame(cursor.sql(sql, params=arguments).to_arrow_table())
        return typed_readings(frame)

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
        """Per site, parameter and local calendar period: mean, min, max, count (non-detects at half their limit)."""
        check_interval(interval)
        check_timezone(timezone)
        filters = Filters.of(
            sites=sites, parameters=parameters, start=start, end=end, statistics=statistics, flags=flags
        )
        where, arguments = _where(filters)
        with self._cursor() as cursor:
            bounds = cursor.execute(f"SELECT min(time), max(time) FROM readings {where}", arguments).fetchall()[0]
            if bounds is None or bounds[0] is None:
                return as_aggregate(pd.DataFrame())
            offset = constant_offset_seconds(timezone, pd.Timestamp(bounds[0]), pd.Timestamp(bounds[1]))
            period, naive = _period_sql(interval, timezone, offset)
            sql = f"""
                SELECT site, parameter, {period} AS period, avg(v) AS mean, min(v) AS min, max(v) AS max,
                       count(*) AS count
                FROM (SELECT site, parameter, time, CASE WHEN non_detect THEN value / 2 ELSE value END AS v
                      FROM readings {where})
                GROUP BY ALL
            """
            frame = cursor.sql(sql, params=arguments).to_arrow_table().to_pandas(types_mapper=_STRINGS.get)
        if naive:
            frame["period"] = local_period_starts(frame["period"], timezone)
        else:
            frame["period"] = pd.to_datetime(frame["period"], unit="us", utc=True)
        return as_aggregate(frame)

    def latest(self, *, sites: Sequence[str] | None = None, parameters: Sequence[str] | None = None) -> pd.DataFrame:
        """The newest reading of each (site, parameter, statistic); at equal times, the last source by name."""
        where, arguments = _where(Filters.of(sites=sites, parameters=parameters))
        # Newest time per series first (a hash aggregate), then only rows at those times: a window
        # over every reading took ~10x longer on 10 M readings.
        sql = f"""
            WITH newest AS (
                SELECT site, parameter, statistic, max(time) AS time FROM readings {where} GROUP BY ALL
            )
            SELECT {", ".join(f"r.{c}" for c in _COLUMNS.split(", "))}
            FROM readings r JOIN newest n USING (site, parameter, statistic, time)
            WHERE r.time >= (SELECT min(time) FROM newest)
            QUALIFY row_number() OVER (PARTITION BY r.site, r.parameter, r.statistic ORDER BY r.source DESC) = 1
            ORDER BY r.site, r.parameter, r.time, r.statistic, r.source
        """
        with self._cursor() as cursor:
            frame = _readings_frame(cursor.sql(sql, params=arguments).to_arrow_table())
        return typed_readings(frame)

    def series(self) -> pd.DataFrame:
        """One row per (site, parameter, statistic): count, first and last time."""
        sql = (
            'SELECT site, parameter, statistic, count(*) AS count, min(time) AS "first", max(time) AS "last" '
            "FROM readings GROUP BY ALL"
        )
        with self._cursor() as cursor:
            frame = cursor.sql(sql).to_arrow_table().to_pandas()
        return as_series_table(frame)

    def close(self) -> None:
        """Checkpoint and close the file; later calls raise StoreError."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            if not self.read_only:
                self._connection.execute("CHECKPOINT")
            self._connection.close()


def _open_error(path: Path | str, error: duckdb.Error, *, read_only: bool) -> str:
    """Why the file did not open and what to do: a file held by another process is the usual case."""
    if "lock" not in str(error).lower():
        return f"cannot open the DuckDB store {path}: {error}"
    if read_only:
        return (
            f"cannot read the DuckDB store {path}: another process holds it for writing ({error}); "
            "a DuckDB file is read by several processes only while no process writes it: stop that "
            "process, or use InfluxDB (WQMON_STORE=influxdb://…) to evaluate on several processes"
        )
    return (
        f"the DuckDB store {path} is already used by another process ({error}); a DuckDB file has one "
        "owner: share that process's store, or use InfluxDB (WQMON_STORE=influxdb://…) to run several "
        "wqmon instances over one store"
    )


def _readings_frame(table: pa.Table) -> pd.DataFrame:
    """Stored readings as pandas with the reading dtypes already (nanosecond times, NA strings)."""
    return _times_in(table, "ns").to_pandas(types_mapper=_STRINGS.get)


def _arrow(frame: pd.DataFrame) -> pa.Table:
    """Readings as an Arrow table with microsecond times, the resolution of the stored column."""
    return _times_in(pa.Table.from_pandas(frame, preserve_index=False), "us")


def _times_in(table: pa.Table, unit: Literal["us", "ns"]) -> pa.Table:
    index = table.schema.get_field_index("time")
    return table.set_column(index, "time", table["time"].cast(pa.timestamp(unit, tz="UTC")))


def _has_repeated_keys(cursor: duckdb.DuckDBPyConnection, staged: pa.Table, times: np.ndarray) -> bool:
    """Whether two rows of the batch may share a key (a hash collision, rarely, also says yes).

    Rows that share a key share a time, so a batch in time order (as loggers and bulk loads send
    it) is checked in slices cut where the time changes: each slice's hash table stays small
    enough for the cache (10 M readings: 0.75 s instead of 1.0 s in one piece).
    """
    edges = [0, len(staged)]
    if len(staged) > _KEY_CHECK_ROWS and bool((times[1:] >= times[:-1]).all()):
        cuts = np.searchsorted(times, times[_KEY_CHECK_ROWS::_KEY_CHECK_ROWS], side="left")
        edges = [0, *np.unique(cuts[cuts > 0]).tolist(), len(staged)]
    for start, stop in itertools.pairwise(edges):
        cursor.register("key_check", staged.slice(start, stop - start))
        try:
            (repeats,) = cursor.execute(f"SELECT count(*) - count(DISTINCT hash({_KEY})) FROM key_check").fetchall()[0]
        finally:
            cursor.unregister("key_check")
        if repeats:
            return True
    return False


def _where(filters: Filters) -> tuple[str, list[object]]:
    clauses: list[str] = []
    arguments: list[object] = []
    for column, allowed in (
        ("site", filters.sites),
        ("parameter", filters.parameters),
        ("statistic", filters.statistics),
        ("flag", filters.flags),
    ):
        if allowed is not None:
            if not allowed:
                clauses.append("false")
                continue
            clauses.append(f"{column} IN ({', '.join('?' * len(allowed))})")
            arguments.extend(allowed)
    if filters.start is not None:
        clauses.append("time >= ?")
        arguments.append(filters.start.to_pydatetime())
    if filters.end is not None:
        clauses.append("time < ?")
        arguments.append(filters.end.to_pydatetime())
    return ("WHERE " + " AND ".join(clauses) if clauses else ""), arguments


def _period_sql(interval: Interval, timezone: str, offset_s: int | None) -> tuple[str, bool]:
    """SQL for the period of `time`, and whether it yields a naive local start (else UTC microseconds).

    With a constant UTC offset over the data (Asia/Shanghai since 1991, UTC) the period is integer
    arithmetic on microseconds, ~3x faster than converting every reading with the ICU time zone.
    """
    zone = timezone.replace("'", "''")
    if offset_s is not None:
        offset = offset_s * 1_000_000
        if interval in ("hour", "day"):
            step = _HOUR_US if interval == "hour" else _DAY_US
            return f"epoch_us(time) - ((epoch_us(time) + {offset}) % {step} + {step}) % {step}", False
        return f"epoch_us(date_trunc('{interval}', make_timestamp(epoch_us(time) + {offset}))) - {offset}", False
    if interval == "hour":
        local_us = f"epoch_us(timezone('{zone}', time))"
        return f"epoch_us(time) - ({local_us} % {_HOUR_US} + {_HOUR_US}) % {_HOUR_US}", False
    return f"date_trunc('{interval}', timezone('{zone}', time))", True
