"""StateDB.transaction: several statements commit together or not at all."""

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
