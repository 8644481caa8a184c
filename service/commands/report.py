"""`wqmon report --month 2026-10 | --year 2025 --out FILE`: the monthly or annual report as FILE.xlsx,
FILE.html (and FILE.pdf)."""

import datetime as dt
import re
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer

from service.commands.compliance import ConfigOption, StateOption, StoreOption, _opened
from service.commands.failure import fail


def report(
    out: Annotated[Path, typer.Option("--out", help="FILE: writes FILE.xlsx and FILE.html")],
    month: Annotated[str | None, typer.Option("--month", help="the month, e.g. 2026-10")] = None,
    year: Annotated[
        str | None, typer.Option("--year", help="a calendar year, e.g. 2025: the annual report, seasons side by side")
    ] = None,
    pdf: Annotated[bool, typer.Option("--pdf/--no-pdf", help="also FILE.pdf, printed by headless Chromium")] = False,
    store: StoreOption = None,
    config_dir: ConfigOption = None,
    state: StateOption = None,
) -> None:
    """Write the monthly (--month) or annual (--year) report: rates, indicators, sections, sources, plants, charts.

    The issuing unit, county and 编制/审核/签发 come from report.yaml in the configuration folder.
    """
    if (month is None) == (year is None):
        raise fail("give either --month YYYY-MM (the monthly report) or --year YYYY (the annual report)")
    if month is not None and re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month) is None:
        raise fail(f"--month {month!r}: give one month as YYYY-MM (01 to 12), e.g. 2026-10")
    if year is not None and re.fullmatch(r"(19|20|21)\d{2}", year) is None:
        raise fail(f"--year {year!r}: give one calendar year as YYYY, e.g. 2025")
    period = month or year
    assert period is not None
    from service.report.content import gather_report
    from service.report.heading import load_heading
    from service.report.html import render_html
    from service.report.pdf import PdfError, print_pdf
    from service.report.xlsx import write_xlsx
    from store.state import StateDB

    with _opened(store, config_dir) as (settings, config, opened):
        state_db = StateDB(state or settings.state_path)
        try:
            content = gather_report(
                config, opened, state_db, period, heading=load_heading(config.folder),
                today=dt.datetime.now(ZoneInfo(settings.timezone)).date(), timezone=settings.timezone,
                min_valid_hours=settings.min_valid_hours_per_day,
            )  # fmt: skip
        finally:
            state_db.close()
    base = out.with_suffix("") if out.suffix.lower() in (".xlsx", ".html", ".pdf") else out
    base.parent.mkdir(parents=True, exist_ok=True)
    written = [write_xlsx(content, base.with_name(base.name + ".xlsx"))]
    html = base.with_name(base.name + ".html")
    html.write_text(render_html(content), encoding="utf-8")
    written.append(html)
    if pdf:
        try:
            written.append(print_pdf(html, base.with_name(base.name + ".pdf")))
        except PdfError as error:
            typer.echo(f"wqmon: {error}", err=True)
            for path in written:
                typer.echo(f"wrote {path}")
            raise typer.Exit(code=1) from None
    for path in written:
        typer.echo(f"wrote {path}")
