"""The store the ingest tests write to: the real DuckDB store once it has landed, else a small
in-memory store with the same contract (idempotent writes on the key, corrections replace)."""

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from models.reading import KEY_COLUMNS, as_readings, empty_readings
from store.base import Store


class MemoryStore:
    """Readings kept in a frame; only write and read of the Store protocol are used by ingest."""

    def __init__(self) -> None:
        self.frame = empty_readings()

    def write(self, readings: pd.DataFrame) -> int:
        readings = as_readings(readings)
        self.frame = (
            pd.concat([self.frame, readings], ignore_index=True)
            .drop_duplicates(list(KEY_COLUMNS), keep="last")
            .reset_index(drop=True)
        )
        return len(readings)

    def read(
        self,
        *,
        sites: Sequence[str] | None = None,
        parameters: Sequence[str] | None = None,
        start: dt.datetime | None = None,
        end: dt.datetime | None = None,
        statistics: Sequence[str] | None = None,
        flags: Sequence[str] | None = None,
    ) -> pd.DataFrame:
        f = self.frame
        mask = pd.Series(True, index=f.index)
        for column, allowed in (("site", sites), ("parameter", parameters), ("statistic", statistics), ("flag", flags)):
            if allowed is not None:
                mask &= f[column].isin(allowed)
        if start is not None:
            mask &= f["time"] >= pd.Timestamp(start)
        if end is not None:
            mask &= f["time"] < pd.Timestamp(end)
        return f.loc[mask].sort_values(["site", "parameter", "time"]).reset_index(drop=True)

    def close(self) -> None:
        pass


def open_test_store(folder: Path) -> Store:
    """DuckDBStore in `folder` when the store branch has landed, else MemoryStore."""
    try:
        from store import open_store  # type: ignore[attr-defined]
    except ImportError:
        return MemoryStore()  # type: ignore[return-value]
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
