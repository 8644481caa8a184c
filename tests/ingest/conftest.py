"""Fixtures for the lab-import tests: a configuration with three sites and a fresh store."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from models.configuration import Configuration
from store.base import Store
from tests.readings_store import open_test_store, write_config


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    return write_config(tmp_path / "config")


@pytest.fixture
def site_config(config_dir: Path) -> Configuration:
    return Configuration.load(config_dir)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_test_store(tmp_path)
    yield opened
    opened.close()
