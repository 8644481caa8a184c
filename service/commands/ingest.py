"""`wqmon ingest FILE...`: import lab result files (CSV, XLSX) into the store."""

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from ingest.delta import compare
from ingest.lab.importer import LabImport, import_lab_file
from models.configuration import Configuration
from models.errors import ConfigError
from service.commands.failure import fail
from service.settings import Settings
from store import Store, StoreError, open_store


def ingest(
    files: Annotated[list[Path], typer.Argument(help="lab result files: .csv (UTF-8 or GBK) or .xlsx")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="read and check only; store nothing")] = False,
    config_dir: Annotated[Path | None, typer.Option(help="configuration folder (sites.yaml …)")] = None,
    store: Annotated[str | None, typer.Option("--store", help="store URL, e.g. duckdb:///data/wqmon.duckdb")] = None,
) -> None:
    """Import lab results; print what is stored and every problem with its place.

    Exit status 1 when any cell, row or file had a problem (the good rows are stored all the same),
    2 when nothing could be done (bad configuration, store unreachable).
    """
    settings = Settings()
    try:
        config = Configuration.load(config_dir or settings.config_dir)
    except ConfigError as error:
        raise fail(str(error)) from None
    target: Store | None = None
    if not dry_run:
        try:
            target = open_store(store or settings.store)
        except (StoreError, ValueError, OSError) as error:
            raise fail(f"cannot open the store: {error}") from None
    problems = 0
    try:
        for path in files:
            result = import_lab_file(path, config, timezone=settings.timezone)
            problems += len(result.problems)
            _report(result, target)
    finally:
        if target is not None:
            target.close()
    if problems:
        typer.echo(f"{problems} problem(s); the rows above them were {'checked' if dry_run else 'stored'}", err=True)
        raise typer.Exit(1)


def _report(result: LabImport, store: Store | None) -> None:
    readings = result.readings
    if store is None:
        typer.echo(f"{result.file}: {len(readings)} reading(s) would be stored (dry run)")
        _summary(readings)
    else:
        delta = compare(store, readings)
        if not delta.to_write.empty:
            store.write(delta.to_write)
        typer.echo(
            f"{result.file}: stored {len(delta.to_write)} reading(s): {delta.new} new, "
            f"{delta.changed} corrected; {delta.unchanged} already stored"
        )
        _summary(delta.to_write)
    for problem in result.problems:
        typer.echo(f"  problem: {problem}")


def _summary(readings: pd.DataFrame) -> None:
    if readings.empty:
        return
    table = readings.groupby(["site", "parameter"], observed=True)["time"].agg(["count", "min", "max"])
    for site, parameter, count, earliest, latest in table.reset_index().itertuples(index=False):
        first = earliest.tz_convert("Asia/Shanghai").strftime("%Y-%m-%d %H:%M")
        last = latest.tz_convert("Asia/Shanghai").strftime("%Y-%m-%d %H:%M")
        span = first if first == last else f"{first} … {last}"
        typer.echo(f"  {site} {parameter}: {count} ({span})")  # one line per site and item
