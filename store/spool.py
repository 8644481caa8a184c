"""A durable first-in first-out queue of write bodies, for when the InfluxDB server is down.

One SQLite file (WAL, synchronous=FULL): `append` returns only after the batch is committed to
disk, so a reading the store accepted survives a crash of the service. Batches are taken back in
the order they were appended and removed only after the server acknowledged them.
"""

import sqlite3
import threading
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS spooled_batches (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    body BLOB NOT NULL,
    points INTEGER NOT NULL,
    spooled_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
"""


class Spool:
    """Write bodies waiting for the server, oldest first."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._connection = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None)
        self._connection.execute("PRAGMA journal_mode=WAL")
        self._connection.execute("PRAGMA synchronous=FULL")
        self._connection.executescript(_SCHEMA)
        self._lock = threading.Lock()

    def append(self, bodies: list[bytes]) -> None:
        """Queue bodies behind those already queued; durable when this returns."""
        with self._lock:
            self._connection.execute("BEGIN IMMEDIATE")
            try:
                self._connection.executemany(
                    "INSERT INTO spooled_batches (body, points) VALUES (?, ?)",
                    [(body, body.count(b"\n") + 1) for body in bodies],
                )
            except BaseException:
                self._connection.execute("ROLLBACK")
                raise
            self._connection.execute("COMMIT")

    def oldest(self) -> tuple[int, bytes] | None:
        """The oldest queued body and its id, or None when the spool is empty."""
        with self._lock:
            row = self._connection.execute("SELECT id, body FROM spooled_batches ORDER BY id LIMIT 1").fetchone()
        return (int(row[0]), bytes(row[1])) if row else None

    def remove(self, batch_id: int) -> None:
        """Forget a body the server has acknowledged."""
        with self._lock:
            self._connection.execute("DELETE FROM spooled_batches WHERE id = ?", (batch_id,))

    def points(self) -> int:
        """How many points are queued."""
        with self._lock:
            row = self._connection.execute("SELECT coalesce(sum(points), 0) FROM spooled_batches").fetchone()
        return int(row[0])

    def is_empty(self) -> bool:
        """True when nothing waits for the server."""
        with self._lock:
            return self._connection.execute("SELECT 1 FROM spooled_batches LIMIT 1").fetchone() is None

    def close(self) -> None:
        """Close the file (queued bodies stay in it for the next start)."""
        with self._lock:
            self._connection.close()
