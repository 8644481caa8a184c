"""Opening the store for a command that reads it: refuse a store that does not exist, and say how to
read a store the running service holds, instead of creating an empty file and printing "无数据"."""

from pathlib import Path

from service.commands.failure import fail

STORE_SETTING = "--store or WQMON_STORE"


def duckdb_file(url: str) -> Path | None:
    """The file a DuckDB store URL names (as store.duckdb_store reads it); None for other stores and :memory:."""
    scheme, separator, _ = url.partition("://")
    if separator and scheme != "duckdb":
        return None
    path = url.removeprefix("duckdb://")
    if path != url:
        path = path.removeprefix("/")
    return None if path in ("", ":memory:") else Path(path)


def check_store_exists(url: str) -> None:
    """Exit 1 naming the setting when `url` is a DuckDB file that does not exist."""
    path = duckdb_file(url)
    if path is not None and not path.exists():
        raise fail(
            f"store {url!r}: {path.resolve()} does not exist; set {STORE_SETTING} to the store the service "
            "writes (e.g. duckdb:////srv/wqmon/wqmon.duckdb), or create one with `wqmon demo` or `wqmon ingest`"
        )


def held_by_service(url: str, error: Exception) -> str:
    """The message for a DuckDB file another process (`wqmon serve`) holds: how to read it all the same."""
    return (
        f"store {url!r} is held by another process, most likely the running `wqmon serve` (DuckDB lets one "
        "process own a file). Ask the running service instead: the same answers are at "
        "http://HOST:PORT/api/v1/evaluations|compliance|ratings|scorecard?period=YYYY-MM (header "
        "'Authorization: Bearer KEY'; `wqmon keys create --role viewer --name cli` makes a key) and the "
        f"monthly report at http://HOST:PORT/report?month=YYYY-MM&format=xlsx|pdf; or stop the service. ({error})"
    )


def is_lock_error(error: Exception) -> bool:
    """Whether opening failed because another process holds the DuckDB file's lock."""
    return "lock" in str(error).lower()
