"""Fixtures of the store tests: a fresh store of each backend per test."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from store.base import Store
from store.duckdb_store import DuckDBStore


@pytest.fixture(params=["duckdb"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A fresh, empty store of each backend."""
    opened: Store = DuckDBStore(tmp_path / "wqmon.duckdb")
    yield opened
    opened.close()
