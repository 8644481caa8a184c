"""The shared-deployment store: InfluxDB over its v1 HTTP API (/write, /query, /ping) with httpx.

The v1 API is the one every InfluxDB generation serves (1.x natively, 2.x and 3.x as their
v1-compatible endpoints); the influxdb-client package speaks only /api/v2, see README "Stores".

An accepted reading is never lost: write() returns after the server acknowledged every batch, or
after the batches it could not deliver (server down after a few retries with backoff) are committed
to a local spool file (store/spool.py). Spooled batches are replayed in order, before any newer
batch, by the next write, by flush(), and every `replay_interval_s` by a background thread.
Replaying a batch the server had in fact received is harmless: points are idempotent.

Reads see what the server holds; `pending()` says how many points still wait in the spool.
Aggregates equal DuckDB's (tests/store/test_backends_agree.py). Hourly and daily ones in a zone
with one UTC offset over the data (Asia/Shanghai) run on the server with GROUP BY time(), detected
values and non-detects apart; months, years and zones with summer time pull the raw points and
aggregate them with pandas (store/query.py), since InfluxQL has no calendar months.
"""

import datetime as dt
import json
import logging
import threading
import time
import urllib.parse
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Final

import httpx
import numpy as np
import pandas as pd

from models.reading import as_readings, empty_readings, typed_readings
from store.base import Interval, StoreError, redacted_url
from store.line_protocol import MEASUREMENT, TAGS, batches, quote_identifier, quote_string
from store.query import (
    Filters,
    as_aggregate,
    as_series_table,
    check_interval,
    check_timezone,
    constant_offset_seconds,
    local_period_floor,
    sort_readings,
    to_microseconds,
)
from store.spool import Spool

_log = logging.getLogger(__name__)

DEFAULT_SPOOL: Final[Path] = Path("data/influx-spool.sqlite")
_TAG_LIST: Final[str] = ", ".join(quote_identifier(t) for t in TAGS)
_FROM: Final[str] = f"FROM {quote_identifier(MEASUREMENT)}"


class ServerUnavailable(ConnectionError):
    """The server did not answer, or answered 5xx: try again later."""


class InfluxStore:
    """Readings as points of measurement `readings` in one InfluxDB database."""

    def __init__(
        self,
        url: str,
        database: str,
        *,
        username: str | None = None,
        password: str | None = None,
        token: str | None = None,
        spool_path: Path | str = DEFAULT_SPOOL,
        batch_size: int = 5000,
        retries: int = 3,
        backoff_s: float = 0.2,
        timeout_s: float = 30.0,
        replay_interval_s: float = 5.0,
    ) -> None:
        self.url = url.rstrip("/")
        self.database = database
        self.batch_size = batch_size
        self.retries = retries
        self.backoff_s = backoff_s
        headers = {"Authorization": f"Token {token}"} if token else {}
        auth = (username, password or "") if username else None
        timeout = httpx.Timeout(timeout_s, connect=min(timeout_s, 5.0))
        self._client = httpx.Client(base_url=self.url, headers=headers, auth=auth, timeout=timeout)
        self._spool = Spool(spool_path)
        self._write_lock = threading.Lock()
        self._closing = threading.Event()
        self._replayer = threading.Thread(
            target=self._replay_forever, args=(replay_interval_s,), name="influx-spool-replay", daemon=True
        )
        self._replayer.start()

    @classmethod
    def from_url(cls, url: str) -> "InfluxStore":
        """Open `influxdb://user:pass@host:8086/db` (`influxdbs://` for HTTPS).

        Query options: `token=…` (InfluxDB 2.x/3.x v1 compatibility), `spool=/path/file.sqlite`.
        """
        parts = urllib.parse.urlsplit(url)
        database = urllib.parse.unquote(parts.path.strip("/"))
        if parts.scheme not in ("influxdb", "influxdbs") or not parts.hostname or not database:
            raise StoreError(
                f"store URL {redacted_url(url)!r} is not of the form influxdb://user:pass@host:8086/database"
            )
        options = dict(urllib.parse.parse_qsl(parts.query))
        scheme = "https" if parts.scheme == "influxdbs" else "http"
        host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
        return cls(
            f"{scheme}://{host}:{parts.port or 8086}",
            database,
            username=urllib.parse.unquote(parts.username) if parts.username else None,
            password=urllib.parse.unquote(parts.password) if parts.password else None,
            token=options.get("token"),
            spool_path=options.get("spool", DEFAULT_SPOOL),
        )

    def __enter__(self) -> "InfluxStore":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- server ----------------------------------------------------------------------------

    def ping(self) -> bool:
        """True when the server answers /ping."""
        try:
            return self._client.get("/ping").status_code == 204
        except httpx.TransportError:
            return False

    def ensure_database(self) -> None:
        """Create the database when the server answers and lacks it; StoreError saying how when it cannot.

        A missing database would refuse every write (and HJ 212 would quarantine every packet as
        store_error): it is made on first use instead. An unreachable server is left to the spool.
        """
        if not self.ping():
            return
        names = {row[0] for series in self._query("SHOW DATABASES") for row in series.get("values") or []}
        if self.database in names:
            return
        try:
            self.create_database()
        except StoreError as error:
            raise StoreError(
                f"InfluxDB at {self.url} has no database {self.database!r} and this user cannot create it ({error}); "
                f"create it (influx -execute 'CREATE DATABASE \"{self.database}\"') or use an admin user in WQMON_STORE"
            ) from None
        _log.info("InfluxDB at %s: created the database %r", self.url, self.database)

    def create_database(self) -> None:
        """CREATE DATABASE (a no-op when it exists; needs an admin user when auth is on)."""
        list(self._query(f"CREATE DATABASE {quote_identifier(self.database)}"))

    def _post(self, body: bytes) -> None:
        try:
            response = self._client.post("/write", params={"db": self.database, "precision": "u"}, content=body)
        except httpx.TransportError as error:
            raise ServerUnavailable(str(error)) from error
        if response.status_code == 204:
            return
        if response.status_code >= 500:
            raise ServerUnavailable(f"HTTP {response.status_code}: {response.text[:200]}")
        raise StoreError(
            f"InfluxDB at {self.url} refused a write to database {self.database!r}: "
            f"HTTP {response.status_code} {response.text[:500]}"
        )

    def _post_with_retries(self, body: bytes) -> bool:
        """True when the server took the body; False when it stayed unavailable through the retries."""
        for attempt in range(self.retries + 1):
            try:
                self._post(body)
                return True
            except ServerUnavailable:
                if attempt < self.retries:
                    time.sleep(self.backoff_s * 2**attempt)
        return False

    # -- writing and the spool ---------------------------------------------------------------

    def write(self, readings: pd.DataFrame) -> int:
        """Deliver or durably spool a frame of readings; return how many were accepted.

        Raises StoreError when the server refuses a batch (credentials, unknown database); the
        batches before it are stored, the refused one and those after it are not accepted.
        """
        frame = to_microseconds(as_readings(readings))
        if frame.empty:
            return 0
        bodies = batches(frame, size=self.batch_size)
        with self._write_lock:
            if not self._drain():
                self._spool.append(bodies)
                return len(frame)
            for index, body in enumerate(bodies):
                if not self._post_with_retries(body):
                    self._spool.append(bodies[index:])
                    break
        return len(frame)

    def _drain(self) -> bool:
        """Replay spooled bodies oldest first; True when the spool is empty. Caller holds the write lock."""
        while (oldest := self._spool.oldest()) is not None:
            batch_id, body = oldest
            try:
                self._post(body)
            except ServerUnavailable:
                return False
            self._spool.remove(batch_id)
        return True

    def flush(self) -> bool:
        """Try to deliver everything spooled now; True when nothing is left waiting."""
        with self._write_lock:
            return self._drain()

    def pending(self) -> int:
        """How many accepted points wait in the spool for the server."""
        return self._spool.points()

    def _replay_forever(self, interval_s: float) -> None:
        while not self._closing.wait(interval_s):
            if not self._spool.is_empty():
                try:
                    self.flush()
                except StoreError:
                    continue  # a refused batch stays spooled and the error reaches the next write

    # -- queries -----------------------------------------------------------------------------

    def _query(self, statement: str) -> Iterator[dict[str, Any]]:
        """Run InfluxQL (chunked) and yield each series of the answer (name, tags, columns, values)."""
        data = {"q": statement}
        params = {"db": self.database, "epoch": "u", "chunked": "true", "chunk_size": "100000"}
        try:
            with self._client.stream("POST", "/query", params=params, data=data) as response:
                if response.status_code != 200:
                    response.read()
                    _log.warning("InfluxDB refused the query %s", statement)  # the query: for the log only
                    raise StoreError(
                        f"InfluxDB at {self.url} refused a query on database {self.database!r}: "
                        f"HTTP {response.status_code} {response.text[:500]}"
                    )
                for line in response.iter_lines():
                    if not line.strip():
                        continue
                    answer = json.loads(line)
                    error = answer.get("error") or next(
                        (r["error"] for r in answer.get("results", []) if "error" in r), None
                    )
                    if error is not None:
                        _log.warning("InfluxDB query failed: %s", statement)  # the query: for the log only
                        raise StoreError(f"InfluxDB database {self.database!r} at {self.url}: a query failed: {error}")
                    for result in answer.get("results", []):
                        yield from result.get("series", [])
        except httpx.TransportError as error:
            raise StoreError(f"InfluxDB at {self.url} is unreachable: {error}") from error

    def _points(self, fields: Sequence[str], where: str, suffix: str = "") -> pd.DataFrame:
        """Points with their time, tags and the given fields, one frame."""
        columns = ", ".join(quote_identifier(f) for f in fields)
        statement = f"SELECT {columns} {_FROM} {where} GROUP BY {_TAG_LIST} {suffix}"
        rows: list[list[Any]] = []
        counts: list[int] = []
        tag_sets: list[tuple[str, ...]] = []
        names = ["time", *fields]
        for series in self._query(statement):
            names = list(series["columns"])
            tags: dict[str, str] = series.get("tags") or {}
            rows.extend(series["values"])
            counts.append(len(series["values"]))
            tag_sets.append(tuple(tags.get(t, "") for t in TAGS))
        if not rows:
            return pd.DataFrame(columns=["time", *fields, *TAGS])
        # Columns at once: one DataFrame per series costs ~1 ms each, which 2000 series make seconds.
        frame = pd.DataFrame(dict(zip(names, map(list, zip(*rows, strict=True)), strict=True)))
        owner = np.repeat(np.arange(len(tag_sets)), counts)
        for position, tag in enumerate(TAGS):
            frame[tag] = np.array([tag_set[position] for tag_set in tag_sets], dtype=object)[owner]
        frame["time"] = pd.to_datetime(frame["time"].astype("int64"), unit="us", utc=True)
        return frame

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
        where = _where(filters)
        if where is None:
            return empty_readings()
        frame = self._points(["value", "non_detect", "flag"], where)
        if frame.empty:
            return empty_readings()
        return sort_readings(typed_readings(frame))

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
        conditions = _conditions(filters)
        if conditions is None:
            return as_aggregate(pd.DataFrame())
        if interval in ("hour", "day"):
            span = self._time_span(conditions)
            if span is None:
                return as_aggregate(pd.DataFrame())
            offset_s = constant_offset_seconds(timezone, *span)
            if offset_s is not None:
                return self._aggregate_on_server(interval, conditions, span, offset_s)
        frame = self._points(["value", "non_detect"], _where_sql(conditions))
        if frame.empty:
            return as_aggregate(pd.DataFrame())
        value = frame["value"].to_numpy(dtype="float64")
        frame["v"] = np.where(frame["non_detect"].to_numpy(dtype=bool), value / 2, value)
        frame["period"] = local_period_floor(frame["time"], interval, timezone)
        grouped = frame.groupby(["site", "parameter", "period"], sort=True)["v"]
        result = grouped.agg(["mean", "min", "max", "count"]).reset_index()
        return as_aggregate(result)

    def _time_span(self, conditions: list[str]) -> tuple[pd.Timestamp, pd.Timestamp] | None:
        """Times of the first and the last point matching the conditions, or None when none does."""
        where = _where_sql(conditions)
        times = []
        for function in ("first", "last"):
            answer = list(self._query(f'SELECT {function}("value") {_FROM} {where}'))
            if not answer:
                return None
            times.append(pd.Timestamp(int(answer[0]["values"][0][0]), unit="us", tz="UTC"))
        return times[0], times[1]

    def _aggregate_on_server(
        self, interval: Interval, conditions: list[str], span: tuple[pd.Timestamp, pd.Timestamp], offset_s: int
    ) -> pd.DataFrame:
        """Hourly or daily aggregates by InfluxQL GROUP BY time(), for a zone with one UTC offset over the data.

        InfluxQL cannot halve non-detects inside mean(), so detected values and non-detects are
        summed in two queries and combined: mean = (sum + sum_nd / 2) / (n + n_nd).
        """
        step_s = 3600 if interval == "hour" else 86400
        # Buckets start at local midnight (or the local full hour): UTC epoch multiples shifted by -offset.
        shift_s = (-offset_s) % step_s
        bounds = [f"time >= {span[0].as_unit('ns').value}", f"time <= {span[1].as_unit('ns').value}"]
        parts = []
        for non_detect in (False, True):
            where = _where_sql([*conditions, *bounds, f'"non_detect" = {str(non_detect).lower()}'])
            statement = (
                f'SELECT sum("value"), min("value"), max("value"), count("value") {_FROM} {where} '
                f'GROUP BY time({step_s}s, {shift_s}s), "site", "parameter" fill(none)'
            )
            rows = []
            for series in self._query(statement):
                tags = series.get("tags") or {}
                for when, total, low, high, count in series["values"]:
                    rows.append((tags.get("site", ""), tags.get("parameter", ""), when, total, low, high, count))
            part = pd.DataFrame(rows, columns=["site", "parameter", "period", "sum", "min", "max", "count"])
            if non_detect:  # half the detection limit
                part[["sum", "min", "max"]] = part[["sum", "min", "max"]] / 2
            parts.append(part)
        both = pd.concat(parts, ignore_index=True)
        if both.empty:
            return as_aggregate(both)
        grouped = both.groupby(["site", "parameter", "period"], sort=True)
        result = grouped.agg(sum=("sum", "sum"), min=("min", "min"), max=("max", "max"), count=("count", "sum"))
        result["mean"] = result["sum"] / result["count"]
        result = result.reset_index()
        result["period"] = pd.to_datetime(result["period"].astype("int64"), unit="us", utc=True)
        return as_aggregate(result)

    def latest(self, *, sites: Sequence[str] | None = None, parameters: Sequence[str] | None = None) -> pd.DataFrame:
        """The newest reading of each (site, parameter, statistic); at equal times, the last source by name."""
        where = _where(Filters.of(sites=sites, parameters=parameters))
        if where is None:
            return empty_readings()
        frame = self._points(["value", "non_detect", "flag"], where, "ORDER BY time DESC LIMIT 1")
        if frame.empty:
            return empty_readings()
        frame = frame.sort_values(["time", "source"], ascending=False, kind="stable")
        frame = frame.drop_duplicates(["site", "parameter", "statistic"], keep="first")
        return sort_readings(typed_readings(frame))

    def series(self) -> pd.DataFrame:
        """One row per (site, parameter, statistic): count, first and last time."""
        parts = {}
        for name, function in (("count", "count"), ("first", "first"), ("last", "last")):
            statement = f'SELECT {function}("value") {_FROM} GROUP BY {_TAG_LIST}'
            rows = []
            for series in self._query(statement):
                tags: dict[str, str] = series.get("tags") or {}
                values: list[list[Any]] = series["values"]
                when, value = values[0][0], values[0][1]
                rows.append({**{t: tags.get(t, "") for t in TAGS}, name: value if name == "count" else when})
            parts[name] = pd.DataFrame(rows, columns=[*TAGS, name])
        frame = parts["count"].merge(parts["first"], on=list(TAGS)).merge(parts["last"], on=list(TAGS))
        if frame.empty:
            return as_series_table(frame)
        frame["first"] = pd.to_datetime(frame["first"].astype("int64"), unit="us", utc=True)
        frame["last"] = pd.to_datetime(frame["last"].astype("int64"), unit="us", utc=True)
        grouped = frame.groupby(["site", "parameter", "statistic"])
        result = grouped.agg(count=("count", "sum"), first=("first", "min"), last=("last", "max")).reset_index()
        return as_series_table(result)

    def close(self) -> None:
        """Stop the replay thread, try once more to deliver the spool, release the client and the spool file."""
        if self._closing.is_set():
            return
        self._closing.set()
        self._replayer.join()
        try:
            self.flush()
        except StoreError:
            pass  # the spool keeps it for the next start
        self._spool.close()
        self._client.close()


def _conditions(filters: Filters) -> list[str] | None:
    """InfluxQL conditions for the filters, or None when they can match nothing."""
    clauses: list[str] = []
    for column, allowed in (
        ("site", filters.sites),
        ("parameter", filters.parameters),
        ("statistic", filters.statistics),
        ("flag", filters.flags),
    ):
        if allowed is not None:
            if not allowed:
                return None
            alternatives = " OR ".join(f"{quote_identifier(column)} = {quote_string(v)}" for v in allowed)
            clauses.append(f"({alternatives})")
    if filters.start is not None:
        clauses.append(f"time >= {filters.start.as_unit('ns').value}")
    if filters.end is not None:
        clauses.append(f"time < {filters.end.as_unit('ns').value}")
    return clauses


def _where_sql(conditions: list[str]) -> str:
    return ("WHERE " + " AND ".join(conditions)) if conditions else ""


def _where(filters: Filters) -> str | None:
    """An InfluxQL WHERE clause for the filters, or None when they can match nothing."""
    conditions = _conditions(filters)
    return None if conditions is None else _where_sql(conditions)
