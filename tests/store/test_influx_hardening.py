"""InfluxDB without surprises: the database made on first use, no password or query in a message."""

import uuid
from pathlib import Path

import pytest

from store import open_store
from store.base import StoreError, redacted_url
from store.influx import InfluxStore
from tests.store.influxd import InfluxServer
from tests.store.test_contract import readings

pytestmark = pytest.mark.influxdb


def test_the_database_is_created_on_first_use(influx_server: InfluxServer, tmp_path: Path) -> None:
    database = f"new_{uuid.uuid4().hex[:10]}"
    url = influx_server.url.replace("http://", "influxdb://") + f"/{database}?spool={tmp_path / 'spool.sqlite'}"
    store = open_store(url)
    try:
        batch = readings([{"site": "dz-01", "time": f"2025-06-01T0{h}:00:00Z", "value": 20 + h} for h in range(3)])
        assert store.write(batch) == 3
        assert len(store.read()) == 3  # written to the server, not only spooled
    finally:
        store.close()


def test_a_failed_query_names_the_database_not_the_query(influx_server: InfluxServer, tmp_path: Path) -> None:
    store = InfluxStore(influx_server.url, "no_such_database", spool_path=tmp_path / "spool.sqlite")
    try:
        with pytest.raises(StoreError) as raised:
            store.read(sites=["dz-01"])
    finally:
        store.close()
    assert "no_such_database" in str(raised.value)
    assert "SELECT" not in str(raised.value) and "dz-01" not in str(raised.value)


def test_store_urls_are_shown_without_password_or_token() -> None:
    assert redacted_url("influxdb://wqmon:s3cret@db:8086/wq?token=t0k&spool=/x") == (
        "influxdb://wqmon:***@db:8086/wq?token=***&spool=/x"
    )
    with pytest.raises(StoreError) as raised:
        open_store("influxdb://wqmon:s3cret@db:8086/")  # no database named
    assert "s3cret" not in str(raised.value) and "wqmon:***@db" in str(raised.value)
