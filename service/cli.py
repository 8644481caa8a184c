"""The `wqmon` command line. Each group of commands lives in its own module under service/commands/.

The command modules import pandas, DuckDB, FastAPI and the models; loading all of them took
seconds before `--help` or a mistyped command could answer. So the root group knows each command
by name and one line of help (COMMANDS), and imports a command's module only when that command
runs or its own help is asked for.
"""

import importlib
import os
from typing import Any, Final, NamedTuple

import typer
from typer.core import TyperGroup


class Entry(NamedTuple):
    """Where a command lives: module, attribute, and whether it is a function, a group or a register()."""

    module: str
    attribute: str
    kind: str  # "command" | "group" | "register"
    help: str


def _c(module: str, attribute: str, help: str, kind: str = "command") -> Entry:
    return Entry(f"service.commands.{module}", attribute, kind, help)


COMMANDS: Final[dict[str, Entry]] = {
    "classify": _c("classify", "classify", "Judge one sample by single-factor evaluation and print one JSON object."),
    "ingest": _c("ingest", "ingest", "Import lab results; print what is stored, what was skipped and every problem "
                 "with its place."),
    "pull": _c("pull", "pull", "Pull sources once (a watermark-incremental pull, as the service does on its "
               "interval)."),
    "evaluate": _c("compliance", "register", "Each site's class, items over target and main pollutants; each "
                   "plant's compliant days.", "register"),
    "compliance": _c("compliance", "register", "Every compliance rate with numerator, denominator and the sites "
                     "that pull it down.", "register"),
    "ratings": _c("compliance", "register", "Ratings of each river, basin and the county: class shares, main "
                  "pollutants, 无劣Ⅴ, CWQI, ΔCWQI.", "register"),
    "seasons": _c("compliance", "register", "Each site's class in the year and in its wet, normal and dry "
                  "seasons side by side (GB 3838 §4).", "register"),
    "indicators": _c("compliance", "register", "The indicator scorecard: each indicator's value, status and "
                     "points, and the totals.", "register"),
    "enter-indicator": _c("compliance", "register", "Record a hand-entered indicator value, or a status with the "
                          "date of its evidence, with who and when.", "register"),
    "enter-indicators": _c("compliance", "register", "Enter a file of hand-entered values and statuses at once "
                           "(all or none; see config/examples/model-city).", "register"),
    "export": _c("compliance", "register", "Write the period's monthly values of surface sites as a CF netCDF "
                 "cube (site x parameter x time).", "register"),
    "serve": _c("serve", "serve", "Serve the API, receive HJ 212 packets and pull sources until SIGTERM or Ctrl-C."),
    "demo": _c("demo", "demo", "Create a demo county with the year up to now in FOLDER (if it is not there yet) "
               "and serve it."),
    "report": _c("report", "report", "Write the monthly (--month) or annual (--year) report: rates, indicators, "
                 "sections, sources, plants, charts."),
    "rank": _c("rank", "rank", "Rank the counties of counties.yaml by their scorecards' points for the period "
               "(and by CWQI where published)."),
    "hj212": _c("hj212", "app", "HJ 212 data-logger protocol.", "group"),
    "alerts": _c("alerts", "app", "Alert rules and alerts in the state database.", "group"),
    "keys": _c("keys", "app", "API keys: create (prints the key once), list, revoke.", "group"),
}  # fmt: skip


def load_command(name: str) -> Any:
    """The click command `name`, importing its module now."""
    entry = COMMANDS[name]
    target: Any = getattr(importlib.import_module(entry.module), entry.attribute)
    if entry.kind == "group":
        return typer.main.get_group(target)
    holder = typer.Typer(add_completion=False)
    if entry.kind == "command":
        holder.command(name)(target)
        return typer.main.get_command(holder)  # one command and no callback: the command itself
    target(holder)  # register(app) adds several commands
    return typer.main.get_group(holder).commands[name]


class LazyGroup(TyperGroup):
    """The root group: lists COMMANDS without importing them; loads one when it is called."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.rich_markup_mode = None  # plain help: rich's help panel asks every command for its help

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in COMMANDS:
            return None
        return load_command(cmd_name)

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, entry.help) for name, entry in COMMANDS.items()])


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            typer.echo(f"wqmon {version('wqmon')}")
        except PackageNotFoundError:
            typer.echo("wqmon (not installed: no version metadata; pip install -e .)")
        raise typer.Exit()


app = typer.Typer(name="wqmon", cls=LazyGroup, no_args_is_help=True, add_completion=False)


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Water-quality compliance data service: collect, judge and report surface and waste water."""


def main() -> None:
    """Entry point of the `wqmon` console script.

    Files the service creates (state, store, configuration, spool, reports) are its owner's alone:
    they hold key hashes, quarantined packets and the county's data.
    """
    os.umask(0o077)
    app()
