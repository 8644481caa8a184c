"""`wqmon alerts`: check the alert configuration, list alerts, acknowledge and resolve them."""

import json
from pathlib import Path
from typing import Annotated

import typer

from models.alerts.config import AlertConfig, RuleId
from models.configuration import Configuration
from models.errors import ConfigError
from service.commands.failure import fail
from service.webhooks import utc_now
from store.alerts import AlertStateError, AlertStore, UnknownAlertError
from store.state import StateDB

app = typer.Typer(name="alerts", no_args_is_help=True, help="Alert rules and alerts in the state database.")

StateOption = Annotated[
    Path, typer.Option("--state", envvar="WQMON_STATE_PATH", help="SQLite file of the service state")
]
ConfigOption = Annotated[Path | None, typer.Option(envvar="WQMON_CONFIG_DIR", help="configuration folder")]


def _alerts(state: Path) -> AlertStore:
    if not state.exists():
        raise fail(f"state database {state} does not exist; give --state or set WQMON_STATE_PATH")
    return AlertStore(StateDB(state))


@app.command("check-config")
def check_config(config_dir: ConfigOption = None) -> None:
    """Validate alerts.yaml (and the sites it applies to); print the rules that are on."""
    try:
        Configuration.load(config_dir)
        rules = AlertConfig.load(config_dir)
    except ConfigError as error:
        raise fail(str(error)) from None
    names: tuple[RuleId, ...] = ("exceedance", "early_warning", "gap", "constant", "implausible", "spike",
                                 "fault_flag", "source_error")  # fmt: skip
    on = [name for name in names if rules.enabled(name)]
    typer.echo(f"alert rules on: {', '.join(on)}; webhooks: {', '.join(w.name for w in rules.webhooks) or 'none'}")


@app.command("list")
def list_alerts(
    state: StateOption = Path("data/wqmon-state.sqlite"),
    status: Annotated[str | None, typer.Option(help="active, open, acknowledged or resolved")] = None,
    site: Annotated[str | None, typer.Option(help="site id")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 50,
    offset: Annotated[int, typer.Option(min=0)] = 0,
) -> None:
    """Print alerts newest first, one JSON object a line."""
    try:
        alerts = _alerts(state).list(status=status, site=site, limit=limit, offset=offset)  # type: ignore[arg-type]
    except ValueError as error:
        raise fail(str(error)) from None
    for alert in alerts:
        typer.echo(json.dumps(alert.to_dict(), ensure_ascii=False))


@app.command("ack")
def acknowledge(
    alert_id: Annotated[int, typer.Argument(help="alert id")],
    by: Annotated[str, typer.Option(help="who acknowledges")],
    note: Annotated[str | None, typer.Option(help="what is being done")] = None,
    state: StateOption = Path("data/wqmon-state.sqlite"),
) -> None:
    """Acknowledge an open alert."""
    try:
        alert = _alerts(state).acknowledge(alert_id, by=by, note=note, at=utc_now())
    except (UnknownAlertError, AlertStateError) as error:
        raise fail(str(error)) from None
    typer.echo(json.dumps(alert.to_dict(), ensure_ascii=False))


@app.command("resolve")
def resolve(
    alert_id: Annotated[int, typer.Argument(help="alert id")],
    by: Annotated[str, typer.Option(help="who closes it")],
    note: Annotated[str | None, typer.Option(help="why")] = None,
    state: StateOption = Path("data/wqmon-state.sqlite"),
) -> None:
    """Resolve an alert by hand."""
    try:
        alert = _alerts(state).resolve(alert_id, by=by, note=note, at=utc_now())
    except (UnknownAlertError, AlertStateError) as error:
        raise fail(str(error)) from None
    typer.echo(json.dumps(alert.to_dict(), ensure_ascii=False))
