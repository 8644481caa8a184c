"""Shared fixtures: the shipped configuration."""

import pytest

from models.configuration import Configuration


@pytest.fixture(scope="session")
def config() -> Configuration:
    """The configuration shipped with wqmon (catalogue and national standards)."""
    return Configuration.load()
