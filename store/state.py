"""The service's own state (API keys, alerts, quarantine, watermarks, hand-entered indicators).

Readings go to the time-series store (DuckDB or InfluxDB); everything else the service must
remember lives in one SQLite file beside it, whatever the reading store is. Each feature owns
its tables in its own module (store/quarantine.py, store/alerts.py …) and creates them with
`ensure_schema` on first use.
"""

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class StateDB:
    """One SQLite file shared by the service's threads; every write is a committed transaction."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._connection = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        if str(path) != ":memory:":
            self.path.chmod(0o600)  # key hashes, sessions, quarantined packets: the owner's only (SQLite's
            # -wal and -shm files take the database file's permissions)
        self._connection.execute("PRAGMA journal_mode=WAL")
        self._connection.execute("PRAGMA synchronous=FULL")
        self._lock = threading.RLock()
        # A second connection for `read`: in WAL mode it sees every committed transaction and never
        # waits for one in progress (an alert batch, a quarantine flush) on the main connection.
        self._reader, self._read_lock = self._connection, self._lock
        if str(path) != ":memory:":
            self._reader = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
            self._reader.execute("PRAGMA query_only=ON")
            self._read_lock = threading.RLock()

    def ensure_schema(self, statements: str) -> None:
        """Run idempotent DDL (CREATE TABLE IF NOT EXISTS …)."""
        with self._lock:
            self._connection.executescript(statements)

    def execute(self, sql: str, parameters: tuple[object, ...] | dict[str, object] = ()) -> list[sqlite3.Row]:
        """Run one statement in its own transaction and return its rows."""
        with self._lock:
            self._connection.row_factory = sqlite3.Row
            cursor = self._connection.execute(sql, parameters)
            return cursor.fetchall()

    def read(self, sql: str, parameters: tuple[object, ...] | dict[str, object] = ()) -> list[sqlite3.Row]:
        """Run one query on the reading connection: committed data, without waiting for a writer.

        For the event loop's hot path (API keys on every request); writes go through `execute`.
        """
        with self._read_lock:
            self._reader.row_factory = sqlite3.Row
            return self._reader.execute(sql, parameters).fetchall()

    def executemany(self, sql: str, rows: list[tuple[object, ...]]) -> None:
        """Run one statement for many rows in a single transaction."""
        with self._lock:
            self._connection.execute("BEGIN")
            try:
                self._connection.executemany(sql, rows)
            except BaseException:
                self._connection.execute("ROLLBACK")
                raise
            self._connection.execute("COMMIT")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Run several `execute` calls of this thread as one transaction: all or nothing, one commit."""
        with self._lock:
            self._connection.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self._connection.execute("ROLLBACK")
                raise
            self._connection.execute("COMMIT")

    def close(self) -> None:
        """Close the file."""
        with self._lock, self._read_lock:
            if self._reader is not self._connection:
                self._reader.close()
            self._connection.close()
