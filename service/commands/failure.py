"""How a command gives up: one message on stderr and exit status 2."""

import typer


def fail(message: str) -> typer.Exit:
    """Print `message` to stderr and return the exit (status 2) to raise."""
    typer.echo(f"wqmon: {message}", err=True)
    return typer.Exit(code=2)
