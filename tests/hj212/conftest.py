"""Fixtures of the HJ 212 tests: the captured traffic of ../shared/data/hj212-captured, a fresh store and state."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from store.duckdb_store import DuckDBStore
from store.state import StateDB

CAPTURE_DIR = Path(__file__).resolve().parents[3] / "shared" / "data" / "hj212-captured"


def capture_files() -> list[Path]:
    """The captured .h212 files (two hours of real traffic from 2016-08-24)."""
    return sorted(CAPTURE_DIR.glob("*.h212"))


@pytest.fixture(scope="session")
def capture_paths() -> list[Path]:
    files = capture_files()
    if not files:
        pytest.fail(f"no captured HJ 212 traffic in {CAPTURE_DIR}")
    return files


@pytest.fixture(scope="session")
def captured(capture_paths: list[Path]) -> list[bytes]:
    return [f.read_bytes() for f in capture_paths]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[DuckDBStore]:
    """A fresh DuckDB store in the test's folder."""
    opened = DuckDBStore(tmp_path / "wqmon.duckdb")
    yield opened
    opened.close()


@pytest.fixture
def state(tmp_path: Path) -> Iterator[StateDB]:
    """A fresh state database in the test's folder."""
    opened = StateDB(tmp_path / "state.sqlite")
    yield opened
    opened.close()
