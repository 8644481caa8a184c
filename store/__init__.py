"""Time-series stores of readings: an embedded DuckDB file by default, InfluxDB when configured.

`open_store(settings.store)` gives the store the WQMON_STORE setting names.
"""

from store.base import Store, StoreError, open_store, register_backend


def _open_duckdb(url: str) -> Store:
    from store.duckdb_store import DuckDBStore  # imported on use: duckdb loads in ~0.2 s

    return DuckDBStore.from_url(url)


def _open_influxdb(url: str) -> Store:
    from store.influx import InfluxStore

    store = InfluxStore.from_url(url)
    try:
        store.ensure_database()  # on first use: a missing database would refuse every write
    except StoreError:
        store.close()
        raise
    return store


register_backend("duckdb", _open_duckdb)
register_backend("influxdb", _open_influxdb)
register_backend("influxdbs", _open_influxdb)

__all__ = ["Store", "StoreError", "open_store", "register_backend"]
