"""What a batch of readings adds to a store: new keys, corrected values, and what is already there.

Store writes are idempotent on (site, parameter, time, statistic, source), so writing a batch
again is harmless; comparing first lets an ingestor say "nothing new" and write only the rows
that change something.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from models.reading import KEY_COLUMNS
from store.base import Store


@dataclass(frozen=True)
class Delta:
    """A batch split against the store: rows to write, and how many are new, corrected, unchanged."""

    to_write: pd.DataFrame
    new: int
    changed: int
    unchanged: int


def compare(store: Store, readings: pd.DataFrame) -> Delta:
    """Split `readings` (reading shape) into new, changed and unchanged against what `store` holds."""
    if readings.empty:
        return Delta(readings, 0, 0, 0)
    stored = store.read(
        sites=sorted(readings["site"].unique()),
        parameters=sorted(readings["parameter"].unique()),
        start=readings["time"].min().to_pydatetime(),
        end=(readings["time"].max() + pd.Timedelta(microseconds=1)).to_pydatetime(),
        statistics=sorted(readings["statistic"].unique()),
    )
    stored = stored.loc[stored["source"].isin(readings["source"].unique())]
    keys = list(KEY_COLUMNS)
    merged = readings.merge(
        stored[[*keys, "value", "non_detect", "flag"]], on=keys, how="left", suffixes=("", "_stored"), indicator=True
    )
    present = (merged["_merge"] == "both").to_numpy()
    same = (
        present
        & np.isclose(merged["value"].to_numpy(), merged["value_stored"].to_numpy(dtype=float), rtol=1e-9, atol=0)
        & (merged["non_detect"].to_numpy() == merged["non_detect_stored"].fillna(False).to_numpy(dtype=bool))
        & (merged["flag"].astype("string") == merged["flag_stored"].astype("string")).fillna(False).to_numpy()
    )
    to_write = readings.loc[~same].reset_index(drop=True)
    return Delta(to_write, int((~present).sum()), int((present & ~same).sum()), int(same.sum()))


def write_new(
    store: Store, readings: pd.DataFrame, *, on_stored: Callable[[pd.DataFrame], None] | None = None
) -> Delta:
    """Write what `readings` add or correct, then hand the written rows to `on_stored` (the alert rules).

    The one way a batch of lab readings is stored, from the CLI and from the inbox alike.
    """
    delta = compare(store, readings)
    if not delta.to_write.empty:
        store.write(delta.to_write)
        if on_stored is not None:
            on_stored(delta.to_write)
    return delta
