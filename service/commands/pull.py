"""`wqmon pull`: pull the configured upstream sources once and print what each gave."""

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from ingest.pull.scheduler import PullScheduler
from models.configuration import Configuration
from models.errors import ConfigError
from service.commands.failure import fail
from service.settings import Settings
from store import StoreError, open_store
from store.state import StateDB
from store.watermarks import Watermarks


def pull(
    sources: Annotated[list[str] | None, typer.Argument(help="source names (default: every enabled source)")] = None,
    sources_file: Annotated[
        Path | None, typer.Option(help="sources file (default: sources.yaml in --config-dir)")
    ] = None,
    config_dir: Annotated[Path | None, typer.Option(help="configuration folder (sites.yaml …)")] = None,
    store: Annotated[str | None, typer.Option("--store", help="store URL, e.g. duckdb:///data/wqmon.duckdb")] = None,
    state: Annotated[Path | None, typer.Option(help="state database (default: WQMON_STATE_PATH)")] = None,
) -> None:
    """Pull sources once (a watermark-incremental pull, as the service does on its interval).

    Exit status 1 when a source failed or sent records that were rejected.
    """
    settings = Settings()
    try:
        config = Configuration.load(config_dir or settings.config_dir)
    except ConfigError as error:
        raise fail(str(error)) from None
    path = sources_file or settings.sources_file or config.folder / "sources.yaml"
    try:
        target = open_store(store or settings.store)
    except (StoreError, ValueError, OSError) as error:
        raise fail(f"cannot open the store: {error}") from None
    state_db = StateDB(state or settings.state_path)
    try:
        scheduler = PullScheduler.from_file(path, store=target, watermarks=Watermarks(state_db), config=config)
        known = {s.name for s in scheduler.sources}
        unknown = sorted(set(sources or []) - known)
        if unknown:
            raise fail(f"unknown source(s) {unknown}; {path} has {sorted(known) or 'none'}")
        if sources:
            scheduler.sources = [s for s in scheduler.sources if s.name in sources]
            for source in scheduler.sources:  # named on the command line: pulled even when disabled
                source.config = source.config.model_copy(update={"enabled": True})
        results = asyncio.run(scheduler.run_all_once())
    except ConfigError as error:
        raise fail(str(error)) from None
    finally:
        state_db.close()
        target.close()
    failed = False
    for result in results:
        if result.error:
            typer.echo(f"{result.source}: failed: {result.error}")
        else:
            typer.echo(
                f"{result.source}: {result.records} record(s) since {result.since:%Y-%m-%d %H:%M} UTC; stored "
                f"{result.written}: {result.new} new, {result.changed} corrected; {result.unchanged} already stored"
            )
        for problem in result.problems:
            typer.echo(f"  problem: {problem}")
        failed |= bool(result.error or result.problems)
    if not results:
        typer.echo(f"no enabled sources in {path}")
    if failed:
        raise typer.Exit(1)
