"""`wqmon ingest FILE...`: import lab result files (CSV, XLSX) into the store."""

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from ingest.delta import write_new
from ingest.lab.importer import LabImport, import_lab_file
from ingest.lab.template import write_template
from ingest.problems import Lang
from models.configuration import Configuration
from models.errors import ConfigError
from service.commands.failure import fail
from service.settings import Settings
from store import Store, StoreError, open_store


def ingest(
    files: Annotated[list[Path] | None, typer.Argument(help="lab result files: .csv (UTF-8 or GBK) or .xlsx")] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="read and check only; show the table found in each sheet; store nothing")
    ] = False,
    template: Annotated[
        Path | None, typer.Option("--template", help="write an XLSX template with the sites and items, then stop")
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="language of the messages: zh or en")] = "zh",
    config_dir: Annotated[Path | None, typer.Option(help="configuration folder (sites.yaml …)")] = None,
    store: Annotated[str | None, typer.Option("--store", help="store URL, e.g. duckdb:///data/wqmon.duckdb")] = None,
) -> None:
    """Import lab results; print what is stored, what was skipped and every problem with its place.

    Exit status 1 when any cell, row or file had a problem (the good rows are stored all the same),
    2 when nothing could be done (bad configuration, store unreachable). Skipped rows and sheets
    (footnotes, signature lines, summary rows, notes sheets) are not problems.
    """
    if lang not in ("zh", "en"):
        raise fail(f"--lang {lang!r} is not one of zh, en")
    language: Lang = "zh" if lang == "zh" else "en"
    settings = Settings()
    try:
        config = Configuration.load(config_dir or settings.config_dir)
    except ConfigError as error:
        raise fail(str(error)) from None
    if template is not None:
        write_template(template, config)
        typer.echo(f"模板已写入 {template}" if language == "zh" else f"template written to {template}")
        return
    if not files:
        raise fail("name one or more lab files, or --template PATH")
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
            _report(result, target, language)
    finally:
        if target is not None:
            target.close()
    if problems:
        done = ("已检查" if dry_run else "已导入") if language == "zh" else ("checked" if dry_run else "stored")
        message = (
            f"共 {problems} 个问题；其余数据{done}"
            if language == "zh"
            else f"{problems} problem(s); the rows above them were {done}"
        )
        typer.echo(message, err=True)
        raise typer.Exit(1)


def _report(result: LabImport, store: Store | None, lang: Lang) -> None:
    readings = result.readings
    zh = lang == "zh"
    if store is None:
        typer.echo(
            f"{result.file}：试导入，将导入 {len(readings)} 条数据（未写入）"
            if zh
            else f"{result.file}: {len(readings)} reading(s) would be stored (dry run)"
        )
        for sheet, layout in result.layouts:
            name = sheet if sheet is not None else ("(CSV)")
            typer.echo(f"  {'工作表' if zh else 'sheet'} {name}:")
            for line in layout.describe(lang):
                typer.echo(f"    {line}")
        _summary(readings)
    else:
        delta = write_new(store, readings)
        typer.echo(
            f"{result.file}：写入 {len(delta.to_write)} 条：新增 {delta.new}，更正 {delta.changed}；"
            f"已存在 {delta.unchanged}"
            if zh
            else f"{result.file}: stored {len(delta.to_write)} reading(s): {delta.new} new, "
            f"{delta.changed} corrected; {delta.unchanged} already stored"
        )
        _summary(delta.to_write)
    for skipped in result.skipped:
        typer.echo(f"  {'跳过' if zh else 'skipped'}: {skipped.message(lang)}")
    for problem in result.problems:
        typer.echo(f"  {'问题' if zh else 'problem'}: {problem.message(lang)}")


def _summary(readings: pd.DataFrame) -> None:
    if readings.empty:
        return
    table = readings.groupby(["site", "parameter"], observed=True)["time"].agg(["count", "min", "max"])
    for site, parameter, count, earliest, latest in table.reset_index().itertuples(index=False):
        first = earliest.tz_convert("Asia/Shanghai").strftime("%Y-%m-%d %H:%M")
        last = latest.tz_convert("Asia/Shanghai").strftime("%Y-%m-%d %H:%M")
        span = first if first == last else f"{first} … {last}"
        typer.echo(f"  {site} {parameter}: {count} ({span})")  # one line per site and item
