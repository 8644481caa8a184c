"""Shared by the ingest tests: a real DuckDB store in tmp_path and a small site configuration."""

from pathlib import Path

from store import Store, open_store


def open_test_store(folder: Path) -> Store:
    """A fresh DuckDB store file in `folder`."""
    return open_store(f"duckdb:///{folder / 'readings.duckdb'}")


SITES_YAML = """
sites:
  - {id: hx-01, name: 河西断面, kind: section, standard: GB3838-2002, target: III}
  - {id: dq-02, name: 东桥断面, kind: section, standard: GB3838-2002, target: II}
  - {id: sy-01, name: 城北水源地, kind: source, standard: GB3838-2002, target: III, withdrawal_m3_per_year: 1000000}
"""


def write_config(folder: Path) -> Path:
    """A small configuration folder: three sites."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sites.yaml").write_text(SITES_YAML, encoding="utf-8")
    (folder / "zones.yaml").write_text("zones: []\n", encoding="utf-8")
    return folder
