"""`wqmon demo [FOLDER]`: create a demo county (if missing) and serve it."""

import asyncio
import os
import time
from functools import partial
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from service.commands.failure import fail
from service.demo import DemoFolder, create_demo
from service.demo_loggers import run_demo_loggers
from service.runtime import Service, StartupError, load_settings
from service.wiring import open_reading_store
from store.base import StoreError
from store.keys import KeyStore
from store.state import StateDB

DEMO_ADMIN = "demo admin"


def demo(
    folder: Annotated[Path, typer.Argument(help="where the demo county lives")] = Path("wqmon-demo"),
    serve: Annotated[bool, typer.Option("--serve/--no-serve", help="serve it after creating it")] = True,
    host: Annotated[str | None, typer.Option(help="HTTP address [WQMON_HTTP_HOST]")] = None,
    port: Annotated[int | None, typer.Option(help="HTTP port, default 8000 [WQMON_HTTP_PORT]")] = None,
    hj212_host: Annotated[
        str | None,
        typer.Option(help="HJ 212 address, default 127.0.0.1 (the demo password is public) [WQMON_HJ212_HOST]"),
    ] = None,
    hj212_port: Annotated[int | None, typer.Option(help="HJ 212 TCP port, default 8212 [WQMON_HJ212_PORT]")] = None,
    loggers: Annotated[
        bool,
        typer.Option("--loggers/--no-loggers", help="run the simulated loggers of the plant and the outgoing section"),
    ] = True,
    logger_seconds: Annotated[
        float, typer.Option(help="seconds between the simulated loggers' real-time packets", min=0.1)
    ] = 30.0,
    until: Annotated[
        str | None,
        typer.Option(
            help="the local time the generated year ends at, e.g. 2026-01-01 for calendar 2025 (default: now)"
        ),
    ] = None,
) -> None:
    """Create a demo county with the year up to now in FOLDER (if it is not there yet) and serve it."""
    where = DemoFolder(folder)
    try:
        end = None if until is None else pd.Timestamp(until, tz="Asia/Shanghai").to_pydatetime()
    except ValueError:
        raise fail(f"--until {until!r} is not a date or time such as 2026-01-01 or 2026-01-01T08:00") from None
    try:
        store = open_reading_store(where.store_url)
    except StoreError as error:
        raise fail(str(error)) from None
    existing = where.exists()
    state = StateDB(where.state_path)
    if not existing:
        started = time.perf_counter()
        made = create_demo(where, store=store, state=state, now=end)
        typer.echo(f"wqmon: demo county in {folder}: {made} ({time.perf_counter() - started:.1f} s)")
    keys = KeyStore(state)
    for old in keys.list(include_revoked=False):
        if old.name == DEMO_ADMIN:
            keys.revoke(old.id)
    token, _ = keys.create(role="admin", name=DEMO_ADMIN, created_by="wqmon demo")
    if not serve:
        store.close()
        state.close()
        typer.echo(f"admin key: {token}")
        return
    try:
        settings = load_settings(
            config_dir=where.config_dir,
            store=where.store_url,
            state_path=where.state_path,
            http_host=host,
            http_port=port,
            hj212_host=hj212_host or os.environ.get("WQMON_HJ212_HOST") or "127.0.0.1",
            hj212_port=hj212_port,
        )
        service = Service.open(settings, store=store, state=state)
        sock = service.bind()
    except StartupError as error:
        raise fail(str(error)) from None
    if loggers and settings.hj212_enabled:
        service.also_run(partial(_loggers, seconds=logger_seconds))

    def ready(url: str) -> None:
        typer.echo(f"wqmon: demo county serving pages at {url}/ and the API at {url}/api/v1 (docs: {url}/api/v1/docs)")
        if service.hj212 is not None:
            running = "; simulated loggers of the plant and the outgoing section sending" if loggers else ""
            typer.echo(f"wqmon: HJ 212 on {settings.hj212_host}:{service.hj212.port}{running}")
        typer.echo(f"admin key: {token}")
        typer.echo(f'try: curl -H "Authorization: Bearer {token}" {url}/api/v1/sites')

    try:
        service.run(sock=sock, on_ready=ready)
    except StartupError as error:
        raise fail(str(error)) from None


async def _loggers(service: Service, *, seconds: float) -> None:
    """The demo's simulated loggers, connecting to the service's own HJ 212 port."""
    assert service.hj212 is not None
    host = service.settings.hj212_host
    host = "127.0.0.1" if host in ("0.0.0.0", "") else "::1" if host == "::" else host
    await run_demo_loggers(host, service.hj212.port, realtime_seconds=seconds, stop=asyncio.Event())
