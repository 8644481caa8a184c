"""A durable first-in first-out queue of bodies: InfluxDB writes while the server is down, and
stored batches waiting for the alert rules (service/alert_worker.py).

One SQLite file (WAL, synchronous=FULL): `append` returns only after the batch is committed to
disk, so a reading the store accepted survives a crash of the service. Batches are taken back in
the order they were appended and removed only after the server acknowledged them.

A body that can never be handled (the alert rules fail on it every time) is not left to block the
queue: its failed attempts are counted (`note_failure`) and `bury` moves it, with the last error,
to the table `dead_batches` of the same file, where it stays for a person to look at.
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
CREATE TABLE IF NOT EXISTS dead_batches (
    id INTEGER PRIMARY KEY,
    body BLOB NOT NULL,
    points INTEGER NOT NULL,
    spooled_at TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    error TEXT NOT NULL,
    buried_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
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
        columns = {row[1] for row in self._connection.execute("PRAGMA table_info(spooled_batches)")}
        if "attempts" not in columns:  # a queue file written before failed attempts were counted
            self._connection.execute("ALTER TABLE spooled_batches ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0")
        self._lock = threading.Lock()

    def append(self, bodies: list[bytes], *, points: list[int] | None = None) -> None:
        """Queue bodies behind those already queued; durable when this returns.

        `points` counts what each body holds (default: its lines, one point per line protocol line).
        """
        counts = points if points is not None else [body.count(b"\n") + 1 for body in bodies]
        with self._lock:
            self._connection.execute("BEGIN IMMEDIATE")
            try:
                self._connection.executemany(
                    "INSERT INTO spooled_batches (body, points) VALUES (?, ?)", list(zip(bodies, counts, strict=True))
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

    def oldest_many(self, *, max_points: int) -> list[tuple[int, bytes, str]]:
        """The oldest bodies (id, body, when spooled) holding up to `max_points` points, at least one."""
        with self._lock:
            rows = self._connection.execute(
                "SELECT id, body, points, spooled_at FROM spooled_batches ORDER BY id LIMIT 1000"
            ).fetchall()
        taken: list[tuple[int, bytes, str]] = []
        total = 0
        for batch_id, body, points, spooled_at in rows:
            if taken and total + int(points) > max_points:
                break
            taken.append((int(batch_id), bytes(body), str(spooled_at)))
            total += int(points)
        return taken

    def remove_through(self, batch_id: int) -> None:
        """Forget every body up to and including `batch_id` (taken in order and done with)."""
        with self._lock:
            self._connection.execute("DELETE FROM spooled_batches WHERE id <= ?", (batch_id,))

    def note_failure(self, batch_id: int) -> int:
        """Count one more failed attempt at body `batch_id`; how many it has had (0 when it is gone)."""
        with self._lock:
            self._connection.execute("UPDATE spooled_batches SET attempts = attempts + 1 WHERE id = ?", (batch_id,))
            row = self._connection.execute("SELECT attempts FROM spooled_batches WHERE id = ?", (batch_id,)).fetchone()
        return int(row[0]) if row else 0

    def bury(self, batch_id: int, error: str) -> None:
        """Move body `batch_id` out of the queue into `dead_batches`, with the error that keeps failing it."""
        with self._lock:
            self._connection.execute("BEGIN IMMEDIATE")
            try:
                self._connection.execute(
                    "INSERT INTO dead_batches (id, body, points, spooled_at, attempts, error) "
                    "SELECT id, body, points, spooled_at, attempts, ? FROM spooled_batches WHERE id = ?",
                    (error, batch_id),
                )
                self._connection.execute("DELETE FROM spooled_batches WHERE id = ?", (batch_id,))
            except BaseException:
                self._connection.execute("ROLLBACK")
                raise
            self._connection.execute("COMMIT")

    def buried(self) -> int:
        """How many bodies were moved to `dead_batches`."""
        with self._lock:
            return int(self._connection.execute("SELECT count(*) FROM dead_batches").fetchone()[0])

    def batches(self) -> int:
        """How many bodies are queued."""
        with self._lock:
            return int(self._connection.execute("SELECT count(*) FROM spooled_batches").fetchone()[0])

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
