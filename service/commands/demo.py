"""`wqmon demo [FOLDER]`: create a demo county (if missing) and serve it."""

import time
from pathlib import Path
from typing import Annotated

import typer

from service.commands.failure import fail
from service.demo import DemoFolder, create_demo
from service.runtime import Service, StartupError, load_settings
from service.wiring import open_reading_store
from store.base import StoreError
from store.keys import KeyStore
from store.state import StateDB

DEMO_ADMIN = "demo admin"


def demo(
    folder: Annotated[Path, typer.Argument(help="where the demo county lives")] = Path("wqmon-demo"),
    serve: Annotated[bool, typer.Option("--serve/--no-serve", help="serve it after creating it")] = True,
    port: Annotated[int, typer.Option(help="HTTP port")] = 8000,
    hj212_port: Annotated[int, typer.Option(help="HJ 212 TCP port")] = 8212,
) -> None:
    """Create a demo county with a year of data in FOLDER (if it is not there yet) and serve it."""
    where = DemoFolder(folder)
    try:
        store = open_reading_store(where.store_url)
    except StoreError as error:
        raise fail(str(error)) from None
    existing = where.exists()
    state = StateDB(where.state_path)
    if not existing:
        started = time.perf_counter()
        made = create_demo(where, store=store, state=state)
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
            http_port=port,
            hj212_port=hj212_port,
        )
        service = Service.open(settings, store=store, state=state)
        sock = service.bind()
    except StartupError as error:
        raise fail(str(error)) from None

    def ready(url: str) -> None:
        typer.echo(f"wqmon: demo county serving pages at {url}/ and the API at {url}/api/v1 (docs: {url}/api/v1/docs)")
        typer.echo(f"admin key: {token}")
        typer.echo(f'try: curl -H "Authorization: Bearer {token}" {url}/api/v1/sites')

    try:
        service.run(sock=sock, on_ready=ready)
    except StartupError as error:
        raise fail(str(error)) from None
