"""The default store: one embedded DuckDB file (data/wqmon.duckdb), nothing to install or start.

DuckDB locks its file per process, so one DuckDBStore owns it and the service shares that object
between the HTTP API, the HJ 212 listener and the pull scheduler. The object is thread-safe: writes
are serialised by a lock, and every call runs on its own cursor (a DuckDB connection is not safe
to share between threads, its cursors are).

Layout (schema 2): a `series` table numbers each (site, parameter, statistic, source), a `flags`
table each data flag, and `readings` holds (series, time, value, non_detect, flag) with integers
for the series and the flag. Storing the four names and the flag as text in every row cost 4-8x
on bulk writes against integer keys. Files of schema 1 (names in every row) are migrated in place
when opened.

Writes are bulk (the frame goes in as one Arrow table) and idempotent on the key (series, time).
The key is not a PRIMARY KEY: DuckDB maintains one as an ART index that made bulk writes ~6x
slower here. Instead each write replaces, in one transaction, the stored readings that share a key
with the batch, then appends the batch; a batch with repeated keys keeps the last of each.

Times are stored as TIMESTAMPTZ (microseconds) with the session time zone fixed to UTC.
"""

import datetime as dt
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Final, Literal

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from models.reading import as_readings, typed_readings
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
SCHEMA_VERSION: Final[int] = 2

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
    2: """
        CREATE TABLE series (
            id INTEGER PRIMARY KEY,
            site VARCHAR NOT NULL,
            parameter VARCHAR NOT NULL,
            statistic VARCHAR NOT NULL,
            source VARCHAR NOT NULL,
            UNIQUE (site, parameter, statistic, source)
        );
        INSERT INTO series
            SELECT row_number() OVER (ORDER BY site, parameter, statistic, source) - 1, *
            FROM (SELECT DISTINCT site, parameter, statistic, source FROM readings);
        CREATE TABLE flags (id SMALLINT PRIMARY KEY, flag VARCHAR NOT NULL UNIQUE);
        INSERT INTO flags
            SELECT row_number() OVER (ORDER BY flag) - 1, flag FROM (SELECT DISTINCT flag FROM readings);
        CREATE TABLE readings_by_series (
            series INTEGER NOT NULL,
            time TIMESTAMPTZ NOT NULL,
            value DOUBLE NOT NULL,
            non_detect BOOLEAN NOT NULL,
            flag SMALLINT NOT NULL
        );
        INSERT INTO readings_by_series
            SELECT s.id, r.time, r.value, r.non_detect, f.id
            FROM readings r JOIN series s USING (site, parameter, statistic, source) JOIN flags f USING (flag)
            ORDER BY r.time, s.id;
        DROP TABLE readings;
        ALTER TABLE readings_by_series RENAME TO readings;
    """,
}
SERIES_NAMES: Final[tuple[str, ...]] = ("site", "parameter", "statistic", "source")
# The reading columns from `readings r` joined with `series s` and `flags f`.
_NAMED_COLUMNS: Final[str] = "s.site, s.parameter, r.time, s.statistic, r.value, r.non_detect, f.flag, s.source"
_NAMED_FROM: Final[str] = "readings r JOIN series s ON r.series = s.id JOIN flags f ON r.flag = f.id"
_ORDER: Final[str] = "ORDER BY s.site, s.parameter, r.time, s.statistic, s.source"
_HOUR_US: Final[int] = 3_600_000_000
_DAY_US: Final[int] = 86_400_000_000
_STRINGS: Final = {pa.string(): pd.StringDtype("pyarrow")}
_SERIES_ID: Final = pa.int32()
_FLAG_ID: Final = pa.int16()


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
        elif self.schema_version() != SCHEMA_VERSION:
            self._connection.close()
            raise StoreError(
                f"the DuckDB store {path} has schema {self.schema_version()}, this wqmon reads {SCHEMA_VERSION}: "
                "open it once for writing (wqmon serve) to migrate it, then read it"
            )
        # The number of each series and flag, as stored; only writes add to them (under the write lock).
        with self._cursor() as cursor:
            self._series = _Numbers.load(cursor, "series", SERIES_NAMES)
            self._flags = _Numbers.load(cursor, "flags", ("flag",))

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
            if current and current < SCHEMA_VERSION:
                cursor.execute("CHECKPOINT")  # the old tables' space is given back now, not at the next start

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
        times = frame["time"].array.asi8 // 1000
        window = [_utc_datetime(int(times.min())), _utc_datetime(int(times.max()))]
        series_labels, series_keys = _factorize(frame, SERIES_NAMES)
        flag_labels, flag_keys = _factorize(frame, ("flag",))
        repeated = _repeated_keys(series_labels, len(series_keys), times)
        with self._write_lock, self._cursor() as cursor:
            new_series, series_ids = self._series.number(series_keys)
            new_flags, flag_ids = self._flags.number(flag_keys)
            staged = pa.table(
                {
                    "series": pa.array(series_ids[series_labels], _SERIES_ID),
                    "time": pa.array(times, pa.int64()).view(pa.timestamp("us", tz="UTC")),
                    "value": pa.array(frame["value"].to_numpy(), pa.float64()),
                    "non_detect": pa.array(frame["non_detect"].to_numpy(), pa.bool_()),
                    "flag": pa.array(flag_ids[flag_labels], _FLAG_ID),
                }
            )
            if repeated is not None:
                staged = staged.filter(pa.array(~repeated))
            cursor.register("staged", staged)
            cursor.execute("BEGIN TRANSACTION")
            try:
                self._series.insert(cursor, new_series)
                self._flags.insert(cursor, new_flags)
                # Nothing stored in the batch's time window (a bulk load, a new period): no key can
                # repeat, so the key check is skipped. Writes are serialised, so this cannot race.
                overlaps = cursor.execute(
                    "SELECT 1 FROM readings WHERE time BETWEEN ? AND ? LIMIT 1", window
                ).fetchall()
                if overlaps:
                    cursor.execute(
                        "DELETE FROM readings WHERE time BETWEEN ? AND ? "
                        "AND (series, time) IN (SELECT (series, time) FROM staged)",
                        window,
                    )
                cursor.execute("INSERT INTO readings SELECT * FROM staged")
                cursor.execute("COMMIT")
            except BaseException:
                cursor.execute("ROLLBACK")
                raise
            finally:
                cursor.unregister("staged")
            self._series.commit(new_series)
            self._flags.commit(new_flags)
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
        where, arguments = self._where(filters)
        sql = f"SELECT {_NAMED_COLUMNS} FROM {_NAMED_FROM} {where} {_ORDER}"
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
        where, arguments = self._where(filters)
        with self._cursor() as cursor:
            bounds = cursor.execute(f"SELECT min(time), max(time) FROM readings r {where}", arguments).fetchall()[0]
            if bounds is None or bounds[0] is None:
                return as_aggregate(pd.DataFrame())
            offset = constant_offset_seconds(timezone, pd.Timestamp(bounds[0]), pd.Timestamp(bounds[1]))
            period, naive = _period_sql(interval, timezone, offset)
            # Grouped on the integer series first (most of the work), then the series of a site and
            # parameter (several statistics or sources) are put together.
            sql = f"""
                WITH per_series AS (
                    SELECT series, {period} AS period, sum(v) AS total, min(v) AS min, max(v) AS max,
                           count(*) AS count
                    FROM (SELECT series, time, CASE WHEN non_detect THEN value / 2 ELSE value END AS v
                          FROM readings r {where})
                    GROUP BY ALL
                )
                SELECT s.site, s.parameter, p.period, sum(p.total) / sum(p.count) AS mean, min(p.min) AS min,
                       max(p.max) AS max, sum(p.count)::BIGINT AS count
                FROM per_series p JOIN series s ON p.series = s.id
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
        where, arguments = self._where(Filters.of(sites=sites, parameters=parameters))
        # Newest time per series first (a hash aggregate on integers), then per site, parameter and
        # statistic the newest of its sources' series, then only rows at those times.
        sql = f"""
            WITH newest AS (SELECT series, max(time) AS time FROM readings r {where} GROUP BY series),
            chosen AS (
                SELECT n.series, n.time FROM newest n JOIN series s ON n.series = s.id
                QUALIFY row_number() OVER (PARTITION BY s.site, s.parameter, s.statistic
                                           ORDER BY n.time DESC, s.source DESC) = 1
            )
            SELECT {_NAMED_COLUMNS}
            FROM {_NAMED_FROM} JOIN chosen c ON r.series = c.series AND r.time = c.time
            WHERE r.time >= (SELECT min(time) FROM chosen)
            {_ORDER}
        """
        with self._cursor() as cursor:
            frame = _readings_frame(cursor.sql(sql, params=arguments).to_arrow_table())
        return typed_readings(frame)

    def series(self) -> pd.DataFrame:
        """One row per (site, parameter, statistic): count, first and last time."""
        sql = """
            SELECT s.site, s.parameter, s.statistic, sum(c.count)::BIGINT AS count, min(c.first) AS "first",
                   max(c.last) AS "last"
            FROM (SELECT series, count(*) AS count, min(time) AS "first", max(time) AS "last"
                  FROM readings GROUP BY series) c
            JOIN series s ON c.series = s.id
            GROUP BY ALL
        """
        with self._cursor() as cursor:
            frame = cursor.sql(sql).to_arrow_table().to_pandas()
        return as_series_table(frame)

    def _where(self, filters: Filters) -> tuple[str, list[object]]:
        """The WHERE clause over `readings r` and its arguments.

        Series and flags are chosen by their numbers, written into the SQL (integers this store
        made): DuckDB then skips row groups by their zone maps, which a join to the names cannot.
        """
        clauses: list[str] = []
        arguments: list[object] = []
        if (filters.sites, filters.parameters, filters.statistics) != (None, None, None):
            allowed = (filters.sites, filters.parameters, filters.statistics, None)
            clauses.append(_in("r.series", self._series.matching(allowed)))
        if filters.flags is not None:
            clauses.append(_in("r.flag", self._flags.matching((filters.flags,))))
        if filters.start is not None:
            clauses.append("r.time >= ?")
            arguments.append(filters.start.to_pydatetime())
        if filters.end is not None:
            clauses.append("r.time < ?")
            arguments.append(filters.end.to_pydatetime())
        return ("WHERE " + " AND ".join(clauses) if clauses else ""), arguments

    def close(self) -> None:
        """Checkpoint and close the file; later calls raise StoreError."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            if not self.read_only:
                self._connection.execute("CHECKPOINT")
            self._connection.close()


class _Numbers:
    """The integer of each name (a series' four names, or a flag) in one of the file's number tables.

    Kept in memory: the store owns its file, and only `write` adds numbers, one write at a time.
    """

    def __init__(self, table: str, columns: tuple[str, ...], known: dict[tuple[str, ...], int]) -> None:
        self._table, self._columns, self._known = table, columns, known
        self._next = max(known.values(), default=-1) + 1

    @classmethod
    def load(cls, cursor: duckdb.DuckDBPyConnection, table: str, columns: tuple[str, ...]) -> "_Numbers":
        rows = cursor.execute(f"SELECT id, {', '.join(columns)} FROM {table}").fetchall()
        return cls(table, columns, {tuple(row[1:]): int(row[0]) for row in rows})

    def number(self, keys: list[tuple[str, ...]]) -> tuple[list[tuple[int, tuple[str, ...]]], np.ndarray]:
        """The numbers of `keys` (an array in their order) and the new ones to insert (id, key)."""
        new: list[tuple[int, tuple[str, ...]]] = []
        ids = np.empty(len(keys), dtype=np.int64)
        for index, key in enumerate(keys):
            known = self._known.get(key)
            if known is None:
                known = self._next + len(new)
                new.append((known, key))
            ids[index] = known
        return new, ids

    def insert(self, cursor: duckdb.DuckDBPyConnection, new: list[tuple[int, tuple[str, ...]]]) -> None:
        """Insert the new numbers (inside the write's transaction)."""
        if new:
            rows = pa.table(
                {"id": [id_ for id_, _ in new], **{c: [key[i] for _, key in new] for i, c in enumerate(self._columns)}}
            )
            cursor.register("new_numbers", rows)
            try:
                cursor.execute(f"INSERT INTO {self._table} SELECT * FROM new_numbers")
            finally:
                cursor.unregister("new_numbers")

    def commit(self, new: list[tuple[int, tuple[str, ...]]]) -> None:
        """Remember the new numbers once their transaction committed."""
        if new:
            known = dict(self._known)  # a new dict: readers may be going through the old one
            known.update((key, id_) for id_, key in new)
            self._known = known
            self._next += len(new)

    def matching(self, allowed: Sequence[tuple[str, ...] | None]) -> list[int]:
        """The numbers whose names are each in the allowed ones (None: any) of its column."""
        sets = [(index, set(names)) for index, names in enumerate(allowed) if names is not None]
        return sorted(id_ for key, id_ in self._known.items() if all(key[i] in names for i, names in sets))


def _factorize(frame: pd.DataFrame, columns: tuple[str, ...]) -> tuple[np.ndarray, list[tuple[str, ...]]]:
    """For each row the index of its combination of `columns`, and the combinations in that order.

    Each text column is dictionary-encoded by Arrow, the codes are combined into one integer and
    those integers numbered by a hash table: no string is hashed per row more than once.
    """
    codes = np.zeros(len(frame), dtype=np.int64)
    size = 1
    for column in columns:
        encoded = pc.dictionary_encode(pa.array(frame[column].array))
        if isinstance(encoded, pa.ChunkedArray):
            encoded = encoded.combine_chunks()
        indices = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        count = len(encoded.dictionary)
        if size * count >= 2**62:  # would overflow: number the combinations so far first
            codes, size = _number(codes, size)
        codes = codes * count + indices
        size *= count
    labels, count = _number(codes, size)
    first_rows = np.empty(count, dtype=np.int64)
    first_rows[labels[::-1]] = np.arange(len(labels) - 1, -1, -1)  # the first row of each combination
    names = frame.loc[:, list(columns)].iloc[first_rows]
    keys = list(zip(*(names[c].tolist() for c in columns), strict=True))
    return labels.astype(np.int64), keys


def _number(codes: np.ndarray, size: int) -> tuple[np.ndarray, int]:
    """Codes in [0, size) renumbered 0, 1, … over the codes present, and how many are present.

    A table of `size` entries when that is small against the rows (no hashing), else a hash table.
    """
    if size <= 4 * len(codes) + 1024:
        present = np.zeros(size, dtype=bool)
        present[codes] = True
        numbers = np.cumsum(present, dtype=np.int64) - 1
        return numbers[codes], int(present.sum())
    labels, uniques = pd.factorize(codes)
    return labels.astype(np.int64), len(uniques)


def _repeated_keys(labels: np.ndarray, series_count: int, times: np.ndarray) -> np.ndarray | None:
    """Rows whose (series, time) a later row of the batch repeats, or None when no key repeats.

    Numbered per distinct time, a key is a small integer: counted in an array when the keys are
    dense (loggers and bulk loads send every series at each time), else by a hash table.
    """
    if len(times) > 1 and bool((times[1:] >= times[:-1]).all()):  # in time order: number the times by counting
        time_labels = np.concatenate([[0], np.cumsum(times[1:] != times[:-1])])
        time_count = int(time_labels[-1]) + 1
    else:
        time_labels, distinct_times = pd.factorize(times)
        time_count = len(distinct_times)
    keys = time_labels.astype(np.int64) * series_count + labels
    space = time_count * series_count
    if space <= 4 * len(keys) + 1024:
        if int(np.bincount(keys, minlength=space).max()) <= 1:
            return None
    elif not pd.Series(keys).duplicated().any():
        return None
    return pd.Series(keys).duplicated(keep="last").to_numpy()


def _in(column: str, numbers: list[int]) -> str:
    return f"{column} IN ({', '.join(map(str, numbers))})" if numbers else "false"


def _utc_datetime(microseconds: int) -> dt.datetime:
    return dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=microseconds)


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


def _times_in(table: pa.Table, unit: Literal["us", "ns"]) -> pa.Table:
    index = table.schema.get_field_index("time")
    return table.set_column(index, "time", table["time"].cast(pa.timestamp(unit, tz="UTC")))


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
