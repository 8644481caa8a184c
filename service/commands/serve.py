"""`wqmon serve`: the HTTP API, the HJ 212 listener and the pull scheduler in one process."""

from pathlib import Path
from typing import Annotated

import typer

from service.commands.failure import fail


def serve(
    config_dir: Annotated[Path | None, typer.Option(help="configuration folder [WQMON_CONFIG_DIR]")] = None,
    store: Annotated[str | None, typer.Option(help="store URL, e.g. duckdb:///data/wqmon.duckdb [WQMON_STORE]")] = None,
    state_path: Annotated[Path | None, typer.Option("--state", help="state SQLite file [WQMON_STATE_PATH]")] = None,
    host: Annotated[str | None, typer.Option(help="HTTP address [WQMON_HTTP_HOST]")] = None,
    port: Annotated[int | None, typer.Option(help="HTTP port, default 8000 [WQMON_HTTP_PORT]")] = None,
    hj212_port: Annotated[int | None, typer.Option(help="HJ 212 TCP port, default 8212 [WQMON_HJ212_PORT]")] = None,
) -> None:
    """Serve the API, receive HJ 212 packets and pull sources until SIGTERM or Ctrl-C."""
    from service.runtime import Service, StartupError, load_settings

    try:
        settings = load_settings(
            config_dir=config_dir,
            store=store,
            state_path=state_path,
            http_host=host,
            http_port=port,
            hj212_port=hj212_port,
        )
        service = Service.open(settings)
        sock = service.bind()
    except StartupError as error:
        raise fail(str(error)) from None

    def ready(url: str) -> None:
        hj212 = f"; HJ 212 on port {service.hj212.port}" if service.hj212 is not None else ""
        pull = f"; pulling {len(service.pull.sources)} source(s)" if service.pull is not None else ""
        typer.echo(f"wqmon: serving {url}/api/v1 (docs: {url}/api/v1/docs){hj212}{pull}", err=False)

    try:
        service.run(sock=sock, on_ready=ready)
    except StartupError as error:
        raise fail(str(error)) from None
    typer.echo("wqmon: stopped; every accepted reading is stored")
