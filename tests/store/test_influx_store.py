"""What only the InfluxDB store does: line protocol, URLs, the spool, and surviving a server restart."""

import itertools
import os
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.reading import KEY_COLUMNS
from store import open_store
from store.base import StoreError
from store.influx import InfluxStore
from store.line_protocol import UNSTORABLE_TAG, encode
from tests.store.conftest import fresh_influx_store, require_influxd
from tests.store.influxd import InfluxServer, free_port
from tests.store.test_contract import readings

pytestmark = pytest.mark.influxdb


def test_line_protocol_escapes_tags_and_string_fields() -> None:
    frame = readings([{"site": "新安江 出境=1,2", "time": "2024-03-01 00:00:00.000001", "value": 0.5, "flag": "M"}])
    assert encode(frame) == [
        "readings,parameter=COD,site=新安江\\ 出境\\=1\\,2,source=test,statistic=hour_avg "
        'value=0.5,non_detect=false,flag="M" 1709251200000001'
    ]


@pytest.mark.parametrize("site", ["ends with\\", "a\\,b", "a\\ b", "a\\=b", "two\nlines", ""])
def test_tag_values_influxdb_cannot_hold_are_refused(site: str) -> None:
    with pytest.raises(StoreError, match="cannot be an InfluxDB tag value"):
        encode(readings([{"site": site, "time": "2024-03-01", "value": 1.0}]))


tag_text = st.text(
    alphabet=st.sampled_from(list("aZ09 ,=\\\"'_-:.#/") + ["城", "关", "断", "面", "水", "😀"]), min_size=1, max_size=12
).filter(lambda text: not UNSTORABLE_TAG.search(text))


def test_any_storable_tag_text_comes_back_unchanged(influx_server: InfluxServer, tmp_path: Path) -> None:
    store = fresh_influx_store(influx_server, tmp_path)
    minutes = itertools.count()

    @settings(max_examples=40, deadline=None)
    @given(site=tag_text, parameter=tag_text, source=tag_text)
    def round_trip(site: str, parameter: str, source: str) -> None:
        when = pd.Timestamp("2024-03-01", tz="UTC") + pd.Timedelta(minutes=next(minutes))
        frame = readings([{"site": site, "parameter": parameter, "source": source, "time": when, "value": 1.0}])
        store.write(frame)
        got = store.read(sites=[site], parameters=[parameter], start=when, end=when + pd.Timedelta(minutes=1))
        pd.testing.assert_frame_equal(got, frame)

    try:
        round_trip()
    finally:
        store.close()
        influx_server.query(f'DROP DATABASE "{store.database}"')


def test_from_url_reads_credentials_database_tls_and_spool(tmp_path: Path) -> None:
    spool = tmp_path / "s.sqlite"
    with InfluxStore.from_url(f"influxdbs://wq%40mon:p%3Ass@influx.example:9999/water?spool={spool}") as store:
        assert store.url == "https://influx.example:9999"
        assert store.database == "water"
        assert store._client.auth is not None
    assert spool.exists()
    with pytest.raises(StoreError, match="influxdb://user:pass@host:8086/database"):
        InfluxStore.from_url("influxdb://host:8086/")


def test_open_store_opens_influxdb_urls(influx_server: InfluxServer, tmp_path: Path) -> None:
    database = f"test_{uuid.uuid4().hex[:12]}"
    influx_server.query(f'CREATE DATABASE "{database}"')
    store = open_store(f"influxdb://127.0.0.1:{influx_server.http_port}/{database}?spool={tmp_path / 'spool.sqlite'}")
    assert isinstance(store, InfluxStore) and store.ping()
    store.write(readings([{"site": "s1", "time": "2024-03-01", "value": 1.0}]))
    assert len(store.read()) == 1
    store.close()


def test_a_write_the_server_refuses_raises_and_is_not_spooled(influx_server: InfluxServer, tmp_path: Path) -> None:
    store = InfluxStore(influx_server.url, "no_such_database", spool_path=tmp_path / "spool.sqlite")
    with pytest.raises(StoreError, match="database not found"):
        store.write(readings([{"site": "s1", "time": "2024-03-01", "value": 1.0}]))
    assert store.pending() == 0
    store.close()


def test_the_spool_keeps_readings_across_a_restart_of_the_service(influx_server: InfluxServer, tmp_path: Path) -> None:
    spool = tmp_path / "spool.sqlite"
    frame = readings([{"site": "城关", "time": f"2024-03-01 0{h}:00", "value": float(h)} for h in range(6)])
    database = f"test_{uuid.uuid4().hex[:12]}"
    down = InfluxStore(f"http://127.0.0.1:{free_port()}", database, spool_path=spool, retries=1, backoff_s=0.01)
    assert down.write(frame) == 6
    assert down.pending() == 6
    down.close()  # the service stops with the server still unreachable

    up = InfluxStore(influx_server.url, database, spool_path=spool)
    up.create_database()
    assert up.flush() and up.pending() == 0
    pd.testing.assert_frame_equal(up.read(), frame)
    up.close()


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[InfluxServer]:
    """An influxd this test may stop and restart."""
    executable = require_influxd(os.environ)
    root = tmp_path / "influxd"
    root.mkdir()
    server = InfluxServer(root, executable)
    server.start()
    yield server
    server.stop()


def test_every_accepted_reading_arrives_exactly_once_across_a_server_restart(
    own_server: InfluxServer, tmp_path: Path
) -> None:
    store = fresh_influx_store(own_server, tmp_path, retries=1, backoff_s=0.01, replay_interval_s=0.1)
    accepted: list[pd.DataFrame] = []
    written = threading.Semaphore(0)
    done = threading.Event()
    errors: list[BaseException] = []

    def stream() -> None:
        try:
            for batch in range(150):
                rows = [
                    {"site": f"站{site}", "time": pd.Timestamp("2024-03-01", tz="UTC") + pd.Timedelta(minutes=batch)}
                    | {"value": float(batch * 10 + site)}
                    for site in range(5)
                ]
                if batch % 10 == 9:  # a correction of a reading written 8 batches earlier
                    rows.append({"site": "站0", "time": rows[0]["time"] - pd.Timedelta(minutes=8), "value": -1.0})
                frame = readings(rows)
                assert store.write(frame) == len(frame)
                accepted.append(frame)
                written.release()
                time.sleep(0.005)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            done.set()

    writer = threading.Thread(target=stream)
    writer.start()
    for _ in range(40):
        written.acquire()
    own_server.stop()
    for _ in range(40):
        written.acquire()
    spooled_while_down = store.pending()
    own_server.start()
    writer.join()
    assert errors == []
    assert spooled_while_down > 0, "the server stop should have sent readings to the spool"
    assert store.flush() and store.pending() == 0

    expected = pd.concat(accepted, ignore_index=True).drop_duplicates(list(KEY_COLUMNS), keep="last")
    expected = expected.sort_values(["site", "parameter", "time"]).reset_index(drop=True)
    got = store.read()
    assert len(got) == len(expected) == 150 * 5
    pd.testing.assert_frame_equal(got, expected)
    assert (got["value"] == -1.0).sum() == 15  # every correction won, in order
    store.close()
