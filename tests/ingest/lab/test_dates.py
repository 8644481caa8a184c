"""Sampling times as labs write them become UTC instants."""

import datetime as dt

import pandas as pd

from ingest.lab.dates import parse_times


def test_local_text_excel_serial_and_offset_times_become_utc() -> None:
    cells = pd.Series(
        [
            "2025-06-10 10:00",  # local Beijing time
            "2025年6月10日 10时",
            45818.41666666667,  # Excel serial of 2025-06-10 10:00
            dt.datetime(2025, 6, 10, 10, 0),
            "2025-06-10T10:00:00+08:00",  # an explicit offset is kept
            "2025-06-10T02:00:00Z",
        ],
        dtype=object,
    )
    expected = pd.Timestamp("2025-06-10T02:00:00Z")
    assert (parse_times(cells) == expected).all()


def test_unreadable_times_are_missing_not_guessed() -> None:
    times = parse_times(pd.Series(["2025-13-40", "soon", "2025-06-10T25:00:00+08:00"], dtype=object))
    assert times.isna().all()
