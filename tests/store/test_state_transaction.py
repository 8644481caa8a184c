"""StateDB: transactions commit together or not at all; reads never wait for a writer."""

import sqlite3
import threading
from pathlib import Path

import pytest

from store.state import StateDB


def test_transaction_commits_all_or_nothing(tmp_path: Path) -> None:
    db = StateDB(tmp_path / "state.sqlite")
    db.ensure_schema("CREATE TABLE IF NOT EXISTS t (n INTEGER PRIMARY KEY)")
    with db.transaction():
        db.execute("INSERT INTO t VALUES (1)")
        db.execute("INSERT INTO t VALUES (2)")
    with pytest.raises(RuntimeError), db.transaction():
        db.execute("INSERT INTO t VALUES (3)")
        raise RuntimeError("stop half-way")
    db.close()
    reopened = StateDB(tmp_path / "state.sqlite")
    assert [row[0] for row in reopened.execute("SELECT n FROM t ORDER BY n")] == [1, 2]
    reopened.close()


def test_read_sees_committed_rows_without_waiting_for_a_transaction_in_progress(tmp_path: Path) -> None:
    db = StateDB(tmp_path / "state.sqlite")
    db.ensure_schema("CREATE TABLE IF NOT EXISTS t (n INTEGER PRIMARY KEY)")
    db.execute("INSERT INTO t VALUES (1)")
    inside, release = threading.Event(), threading.Event()

    def long_write() -> None:
        with db.transaction():
            db.execute("INSERT INTO t VALUES (2)")
            inside.set()
            release.wait()

    writer = threading.Thread(target=long_write)
    writer.start()
    inside.wait()
    seen: list[list[int]] = []
    reader = threading.Thread(target=lambda: seen.append([row[0] for row in db.read("SELECT n FROM t ORDER BY n")]))
    reader.start()
    reader.join(timeout=10)  # a read that waited for the writer would still be waiting here
    finished_during_the_write = not reader.is_alive()
    release.set()
    writer.join()
    reader.join()
    assert finished_during_the_write and seen == [[1]]
    assert [row[0] for row in db.read("SELECT n FROM t ORDER BY n")] == [1, 2]
    db.close()


def test_read_refuses_to_write(tmp_path: Path) -> None:
    db = StateDB(tmp_path / "state.sqlite")
    db.ensure_schema("CREATE TABLE IF NOT EXISTS t (n INTEGER PRIMARY KEY)")
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        db.read("INSERT INTO t VALUES (1)")
    db.close()
