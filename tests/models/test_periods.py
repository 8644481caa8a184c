"""Period labels: month, quarter, year and ranges, as local calendar periods."""

import datetime as dt

import pytest

from models.period.periods import PeriodError, parse_period


@pytest.mark.parametrize(
    ("label", "kind", "first", "end", "days"),
    [
        ("2026-10", "month", dt.date(2026, 10, 1), dt.date(2026, 11, 1), 31),
        ("2026-Q3", "quarter", dt.date(2026, 7, 1), dt.date(2026, 10, 1), 92),
        ("2026-q4", "quarter", dt.date(2026, 10, 1), dt.date(2027, 1, 1), 92),
        ("2026", "year", dt.date(2026, 1, 1), dt.date(2027, 1, 1), 365),
        ("2026-03-05..2026-03-06", "range", dt.date(2026, 3, 5), dt.date(2026, 3, 7), 2),
    ],
)
def test_period_forms(label: str, kind: str, first: dt.date, end: dt.date, days: int) -> None:
    period = parse_period(label)
    assert (period.kind, period.first, period.end, period.days) == (kind, first, end, days)


def test_bounds_are_local_midnights_in_utc() -> None:
    period = parse_period("2026-10")
    assert period.start_utc == dt.datetime(2026, 9, 30, 16, tzinfo=dt.UTC)
    assert period.end_utc == dt.datetime(2026, 10, 31, 16, tzinfo=dt.UTC)
    assert len(period.months()) == 1


@pytest.mark.parametrize(
    "label", ["2026-13", "26-10", "2026-Q5", "2026-03-07..2026-03-01", "October", "0000", "9999-12"]
)
def test_bad_labels_name_the_accepted_forms(label: str) -> None:
    with pytest.raises(PeriodError, match=label.split("..")[0]):
        parse_period(label)
