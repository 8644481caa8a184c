"""`wqmon keys create|list|revoke`: API keys in the state database.

The state file is the one the service reads: --state, else WQMON_STATE_PATH, else
data/wqmon-state.sqlite under the current folder (`wqmon demo FOLDER` keeps it at
FOLDER/state.sqlite). Each command says which file it used, and warns when it had to create it.
"""

from pathlib import Path
from typing import Annotated

import typer

from service.commands.failure import fail
from store.keys import ROLE_MEANINGS, ROLES, KeyStore, UnknownKeyError
from store.state import StateDB

app = typer.Typer(help="API keys: create (prints the key once), list, revoke.", no_args_is_help=True)

StatePath = Annotated[Path | None, typer.Option("--state", help="state SQLite file [WQMON_STATE_PATH]")]


def _keys(state_path: Path | None) -> KeyStore:
    from service.runtime import StartupError, load_settings

    try:
        settings = load_settings(state_path=state_path)
    except StartupError as error:
        raise fail(str(error)) from None
    path = settings.state_path.resolve()
    if not path.exists():
        typer.echo(
            f"wqmon: note: {path} did not exist and is created now; a running service reads the file named by "
            "its --state / WQMON_STATE_PATH (`wqmon demo FOLDER`: FOLDER/state.sqlite) - give that one with --state",
            err=True,
        )
    else:
        typer.echo(f"wqmon: state file {path}", err=True)
    return KeyStore(StateDB(path))


@app.command("create")
def create(
    role: Annotated[str, typer.Option(help=f"one of {', '.join(ROLES)}")],
    name: Annotated[str, typer.Option(help="who uses the key, e.g. 评分系统")],
    state_path: StatePath = None,
) -> None:
    """Create a key and print it; it is stored hashed and cannot be shown again."""
    try:
        token, key = _keys(state_path).create(role=role, name=name, created_by="cli")
    except ValueError as error:
        raise fail(str(error)) from None
    typer.echo(token)
    typer.echo(f"key {key.id} '{key.name}', role {key.role}: {ROLE_MEANINGS[key.role]}", err=True)
    typer.echo("store it now: it is kept hashed and cannot be shown again", err=True)


@app.command("list")
def list_keys(state_path: StatePath = None) -> None:
    """List keys (never their secret)."""
    for key in _keys(state_path).list():
        status = f"revoked {key.revoked_at}" if key.revoked_at else "active"
        typer.echo(f"{key.id}\t{key.role}\t{key.name}\tcreated {key.created_at}\t{status}")


@app.command("revoke")
def revoke(
    key_id: Annotated[int, typer.Argument(help="the id shown by `wqmon keys list`")], state_path: StatePath = None
) -> None:
    """Revoke a key; requests with it are refused from now on."""
    try:
        key = _keys(state_path).revoke(key_id)
    except UnknownKeyError as error:
        raise fail(str(error)) from None
    typer.echo(f"revoked key {key.id} '{key.name}' ({key.role})")
