"""The store contract: every backend passes these tests (the `store` fixture runs each on all)."""

import datetime as dt

import pandas as pd
import pytest

from ingest.lab.importer import lab_source
from models.reading import as_readings
from store.base import Store, StoreError

UTC = dt.UTC


def readings(rows: list[dict[str, object]]) -> pd.DataFrame:
    """Readings from short dicts: time as an ISO string in UTC, defaults for the rest."""
    base = {"parameter": "COD", "statistic": "hour_avg", "non_detect": False, "flag": "N", "source": "test"}
    frame = pd.DataFrame([{**base, **row} for row in rows])
    frame["time"] = pd.to_datetime(frame["time"], utc=True)
    return as_readings(frame)


def at(text: str) -> dt.datetime:
    return pd.Timestamp(text, tz="UTC").to_pydatetime()


def test_round_trip_returns_the_readings_written(store: Store) -> None:
    frame = readings(
        [
            {"site": "s1", "time": "2024-03-01 01:00", "value": 12.5},
            {"site": "s1", "time": "2024-03-01 00:00", "value": 10.0, "flag": "M"},
            {"site": "s2", "parameter": "NH3-N", "time": "2024-03-01 00:00", "value": 0.025, "non_detect": True},
        ]
    )
    assert store.write(frame) == 3
    expected = frame.sort_values(["site", "parameter", "time"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(store.read(), expected)


def test_writing_the_same_readings_twice_stores_them_once(store: Store) -> None:
    frame = readings([{"site": "s1", "time": f"2024-03-01 0{h}:00", "value": float(h)} for h in range(5)])
    store.write(frame)
    store.write(frame)
    assert len(store.read()) == 5
    assert store.series()["count"].tolist() == [5]


def test_a_corrected_value_replaces_the_old_one(store: Store) -> None:
    store.write(readings([{"site": "s1", "time": "2024-03-01 00:00", "value": 10.0, "flag": "N"}]))
    store.write(readings([{"site": "s1", "time": "2024-03-01 00:00", "value": 11.0, "flag": "C"}]))
    got = store.read()
    assert got[["value", "flag"]].values.tolist() == [[11.0, "C"]]


def test_repeated_keys_in_one_batch_keep_the_last(store: Store) -> None:
    store.write(
        readings(
            [
                {"site": "s1", "time": "2024-03-01 00:00", "value": 1.0},
                {"site": "s1", "time": "2024-03-01 00:00", "value": 2.0},
            ]
        )
    )
    assert store.read()["value"].tolist() == [2.0]


def test_readings_differing_in_statistic_or_source_are_distinct(store: Store) -> None:
    store.write(
        readings(
            [
                {"site": "s1", "time": "2024-03-01 00:00", "value": 1.0},
                {"site": "s1", "time": "2024-03-01 00:00", "value": 2.0, "statistic": "hour_max"},
                {"site": "s1", "time": "2024-03-01 00:00", "value": 3.0, "source": "lab:a.csv"},
            ]
        )
    )
    assert sorted(store.read()["value"].tolist()) == [1.0, 2.0, 3.0]


def test_a_lab_sample_sent_again_in_another_file_replaces_the_first(store: Store) -> None:
    """Every lab file's readings carry the source "lab" (ingest/lab/importer.py `lab_source`): a sample
    is (site, parameter, time, statistic) whatever file it came in, so a corrected file under a new
    name lands on the same key in both backends and the later value is the only one kept."""
    first = import_lab_file_readings("五月.xlsx", {"w21003": 0.52, "w21011": 0.06})
    store.write(first)
    store.write(import_lab_file_readings("五月-更正.csv", {"w21003": 0.55}))
    got = store.read().set_index("parameter")
    assert len(got) == 2 and set(got["source"]) == {"lab"}
    assert got.loc["w21003", "value"] == 0.55 and got.loc["w21011", "value"] == 0.06


def import_lab_file_readings(file: str, values: dict[str, float]) -> pd.DataFrame:
    """What the lab importer yields for one sample of hx-01 at 2024-05-06 09:00 (+08:00) in `file`."""
    source = lab_source(file)
    rows = [
        {"site": "hx-01", "parameter": code, "time": "2024-05-06 01:00", "value": value, "statistic": "sample",
         "source": source}
        for code, value in values.items()
    ]  # fmt: skip
    return readings(rows)


def test_times_are_kept_to_the_microsecond(store: Store) -> None:
    store.write(
        readings(
            [
                {"site": "s1", "time": "2024-03-01 00:00:00.000001", "value": 1.0},
                {"site": "s1", "time": "2024-03-01 00:00:00.000001999", "value": 2.0},
                {"site": "s1", "time": "1969-12-31 23:59:59.999999", "value": 3.0},
            ]
        )
    )
    got = store.read()
    assert got["time"].tolist() == [
        pd.Timestamp("1969-12-31 23:59:59.999999", tz="UTC"),
        pd.Timestamp("2024-03-01 00:00:00.000001", tz="UTC"),
    ]
    assert got["value"].tolist() == [3.0, 2.0]


def test_read_filters_by_site_parameter_time_statistic_and_flag(store: Store) -> None:
    store.write(
        readings(
            [
                {"site": "s1", "time": "2024-03-01 00:00", "value": 1.0},
                {"site": "s1", "time": "2024-03-01 01:00", "value": 2.0, "flag": "D"},
                {"site": "s1", "time": "2024-03-01 02:00", "value": 3.0, "statistic": "rtd"},
                {"site": "s1", "parameter": "TP", "time": "2024-03-01 01:00", "value": 4.0},
                {"site": "s2", "time": "2024-03-01 01:00", "value": 5.0},
            ]
        )
    )

    def values(**filters: object) -> list[float]:
        return store.read(**filters)["value"].tolist()  # type: ignore[arg-type]

    assert values(sites=["s2"]) == [5.0]
    assert values(parameters=["TP"]) == [4.0]
    assert values(sites=["s1"], parameters=["COD"], start=at("2024-03-01 01:00")) == [2.0, 3.0]
    assert values(sites=["s1"], parameters=["COD"], end=at("2024-03-01 01:00")) == [1.0]
    assert values(statistics=["rtd"]) == [3.0]
    assert values(flags=["D"]) == [2.0]
    assert values(sites=[]) == []


def test_read_refuses_a_naive_time(store: Store) -> None:
    with pytest.raises(StoreError, match="no time zone"):
        store.read(start=dt.datetime(2024, 3, 1))


def test_daily_means_are_on_shanghai_calendar_days(store: Store) -> None:
    # 23:30 UTC on 1 March is 07:30 on 2 March in Shanghai: it belongs to the next local day.
    store.write(
        readings(
            [
                {"site": "s1", "time": "2024-03-01 10:00", "value": 2.0},
                {"site": "s1", "time": "2024-03-01 15:59", "value": 4.0},
                {"site": "s1", "time": "2024-03-01 23:30", "value": 10.0},
            ]
        )
    )
    got = store.aggregate("day")
    assert got["period"].tolist() == [
        pd.Timestamp("2024-02-29 16:00", tz="UTC"),
        pd.Timestamp("2024-03-01 16:00", tz="UTC"),
    ]
    assert got["mean"].tolist() == [3.0, 10.0]
    assert got["min"].tolist() == [2.0, 10.0]
    assert got["max"].tolist() == [4.0, 10.0]
    assert got["count"].tolist() == [2, 1]
    utc_days = store.aggregate("day", timezone="UTC")
    assert utc_days["count"].tolist() == [3]


def test_monthly_and_hourly_periods_follow_the_zone(store: Store) -> None:
    store.write(
        readings(
            [
                {"site": "s1", "time": "2024-01-31 16:30", "value": 1.0},  # 1 Feb 00:30 Shanghai
                {"site": "s1", "time": "2024-01-31 15:30", "value": 3.0},  # 31 Jan 23:30 Shanghai
            ]
        )
    )
    months = store.aggregate("month")
    assert months["period"].tolist() == [
        pd.Timestamp("2023-12-31 16:00", tz="UTC"),
        pd.Timestamp("2024-01-31 16:00", tz="UTC"),
    ]
    years = store.aggregate("year")
    assert years["count"].tolist() == [2] and years["mean"].tolist() == [2.0]
    hours_kolkata = store.aggregate("hour", timezone="Asia/Kolkata")  # UTC+05:30: hours start at :30 UTC
    assert hours_kolkata["period"].tolist() == [
        pd.Timestamp("2024-01-31 15:30", tz="UTC"),
        pd.Timestamp("2024-01-31 16:30", tz="UTC"),
    ]


def test_months_in_a_zone_with_summer_time(store: Store) -> None:
    store.write(
        readings(
            [
                {"site": "s1", "time": "2024-03-31 21:59", "value": 1.0},  # 31 Mar 23:59 CEST
                {"site": "s1", "time": "2024-03-31 22:00", "value": 2.0},  # 1 Apr 00:00 CEST
                {"site": "s1", "time": "2024-01-15 12:00", "value": 5.0},
            ]
        )
    )
    got = store.aggregate("month", timezone="Europe/Berlin")
    assert got["period"].tolist() == [
        pd.Timestamp("2023-12-31 23:00", tz="UTC"),
        pd.Timestamp("2024-02-29 23:00", tz="UTC"),
        pd.Timestamp("2024-03-31 22:00", tz="UTC"),
    ]
    assert got["mean"].tolist() == [5.0, 1.0, 2.0]


def test_non_detects_enter_the_mean_at_half_their_detection_limit(store: Store) -> None:
    store.write(
        readings(
            [
                {"site": "s1", "time": "2024-03-01 01:00", "value": 0.02, "non_detect": True},
                {"site": "s1", "time": "2024-03-01 02:00", "value": 0.05},
            ]
        )
    )
    got = store.aggregate("day")
    assert got["mean"].tolist() == pytest.approx([0.03])
    assert got["min"].tolist() == pytest.approx([0.01])


def test_aggregate_keeps_normal_data_unless_told_otherwise(store: Store) -> None:
    store.write(
        readings(
            [
                {"site": "s1", "time": "2024-03-01 01:00", "value": 1.0},
                {"site": "s1", "time": "2024-03-01 02:00", "value": 100.0, "flag": "C"},
                {"site": "s1", "time": "2024-03-01 03:00", "value": 3.0, "flag": "M"},
            ]
        )
    )
    assert store.aggregate("day")["mean"].tolist() == [1.0]
    assert store.aggregate("day", flags=["N", "M"])["mean"].tolist() == [2.0]
    assert store.aggregate("day", flags=None)["count"].tolist() == [3]


def test_aggregate_filters_and_refuses_unknown_intervals_and_zones(store: Store) -> None:
    store.write(
        readings(
            [
                {"site": "s1", "time": "2024-03-01 01:00", "value": 1.0},
                {"site": "s2", "time": "2024-03-02 01:00", "value": 2.0},
            ]
        )
    )
    assert store.aggregate("day", sites=["s2"])["mean"].tolist() == [2.0]
    assert store.aggregate("day", start=at("2024-03-02 00:00"))["site"].tolist() == ["s2"]
    assert store.aggregate("day", parameters=["TP"]).empty
    with pytest.raises(StoreError, match="interval 'week'"):
        store.aggregate("week")  # type: ignore[arg-type]
    with pytest.raises(StoreError, match="Mars/Olympus"):
        store.aggregate("day", timezone="Mars/Olympus")


def test_latest_gives_the_newest_reading_of_each_series(store: Store) -> None:
    store.write(
        readings(
            [
                {"site": "s1", "time": "2024-03-01 01:00", "value": 1.0},
                {"site": "s1", "time": "2024-03-01 03:00", "value": 3.0},
                {"site": "s1", "time": "2024-03-01 02:00", "value": 2.0},
                {"site": "s1", "time": "2024-03-01 00:00", "value": 9.0, "statistic": "day_avg"},
                {"site": "s2", "time": "2024-03-01 05:00", "value": 5.0},
            ]
        )
    )
    got = store.latest()
    assert list(zip(got["site"], got["statistic"], got["value"], strict=True)) == [
        ("s1", "day_avg", 9.0),
        ("s1", "hour_avg", 3.0),
        ("s2", "hour_avg", 5.0),
    ]
    assert store.latest(sites=["s2"])["value"].tolist() == [5.0]


def test_series_lists_each_series_with_count_and_span(store: Store) -> None:
    store.write(
        readings(
            [
                {"site": "s1", "time": "2024-03-01 01:00", "value": 1.0},
                {"site": "s1", "time": "2024-03-01 03:00", "value": 3.0},
                {"site": "s2", "parameter": "TP", "time": "2024-03-01 05:00", "value": 5.0},
            ]
        )
    )
    got = store.series()
    assert got.columns.tolist() == ["site", "parameter", "statistic", "count", "first", "last"]
    assert got[["site", "parameter", "count"]].values.tolist() == [["s1", "COD", 2], ["s2", "TP", 1]]
    assert got["first"].iloc[0] == pd.Timestamp("2024-03-01 01:00", tz="UTC")
    assert got["last"].iloc[0] == pd.Timestamp("2024-03-01 03:00", tz="UTC")


@pytest.mark.parametrize(
    "site",
    ["城关镇断面", "plant 1,outflow", "a=b c,d", 'quote"site', "back\\slash", "新安江 出境=1,2"],
)
def test_site_ids_with_chinese_commas_spaces_and_equals_signs(store: Store, site: str) -> None:
    frame = readings(
        [
            {"site": site, "time": "2024-03-01 01:00", "value": 1.0, "source": "hj212:MN 1,2=3"},
            {"site": site, "parameter": "氨氮 x", "time": "2024-03-01 02:00", "value": 2.0, "source": "lab:水质.xlsx"},
        ]
    )
    store.write(frame)
    pd.testing.assert_frame_equal(store.read(sites=[site]), frame)
    assert store.aggregate("day", sites=[site])["count"].tolist() == [1, 1]
    assert store.latest(sites=[site])["value"].tolist() == [1.0, 2.0]


def test_writing_nothing_stores_nothing(store: Store) -> None:
    assert store.write(readings([{"site": "s1", "time": "2024-03-01", "value": 1.0}]).iloc[:0]) == 0
    assert store.read().empty and store.series().empty and store.latest().empty
