"""The `wqmon` command line. Each group of commands lives in its own module under service/commands/."""

import os

import typer

from service.commands import alerts, classify, compliance, demo, hj212, ingest, keys, pull, rank, report, serve

app = typer.Typer(
    name="wqmon",
    no_args_is_help=True,
    add_completion=False,
)
app.command("classify")(classify.classify)
app.add_typer(hj212.app, name="hj212")
app.command("ingest")(ingest.ingest)
app.command("pull")(pull.pull)
compliance.register(app)
app.add_typer(alerts.app)
app.command("serve")(serve.serve)
app.command("demo")(demo.demo)
app.add_typer(keys.app, name="keys")
app.command("report")(report.report)
app.command("rank")(rank.rank)


@app.callback()
def _root() -> None:
    """Water-quality compliance data service: collect, judge and report surface and waste water."""


def main() -> None:
    """Entry point of the `wqmon` console script.

    Files the service creates (state, store, configuration, spool, reports) are its owner's alone:
    they hold key hashes, quarantined packets and the county's data.
    """
    os.umask(0o077)
    app()
