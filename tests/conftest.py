"""Shared fixtures: the shipped configuration."""

from pathlib import Path

import pytest

from models.configuration import Configuration


@pytest.fixture(scope="session")
def config() -> Configuration:
    """The configuration shipped with wqmon (catalogue and national standards)."""
    return Configuration.load()


COUNTY = Path(__file__).resolve().parent / "fixtures" / "county"


@pytest.fixture(scope="session")
def county() -> Configuration:
    """The example county of tests/fixtures/county: two zones, sections, a lake, two sources, two plants."""
    return Configuration.load(COUNTY)
