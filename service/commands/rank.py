"""`wqmon rank --period P`: a city-level wqmon asks each of its counties for its scorecard and ranks them."""

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from models.errors import ConfigError
from models.period.periods import PeriodError, parse_period
from service.commands.failure import fail
from service.federation.counties import load_counties
from service.federation.pull import rank_counties_now
from service.settings import Settings
from store.state import StateDB


def rank(
    period: Annotated[str, typer.Option("--period", help="2026 (year), 2026-Q3 or 2026-10")],
    as_json: Annotated[bool, typer.Option("--json", help="print JSON instead of a table")] = False,
    config_dir: Annotated[
        Path | None, typer.Option("--config-dir", envvar="WQMON_CONFIG_DIR", help="folder with counties.yaml")
    ] = None,
    state: Annotated[Path | None, typer.Option("--state", envvar="WQMON_STATE_PATH", help="state SQLite file")] = None,
) -> None:
    """Rank the counties of counties.yaml by their scorecards' points for the period (and by CWQI where published)."""
    settings = Settings() if config_dir is None else Settings(config_dir=config_dir)
    try:
        label = parse_period(period, timezone=settings.timezone).label
        counties = load_counties(settings.config_dir, settings.county_keys)
    except (PeriodError, ConfigError) as error:
        raise fail(str(error)) from None
    state_db = StateDB(state or settings.state_path)
    try:
        body = rank_counties_now(counties, label, state_db, timeout_s=settings.federation_timeout_s)
    finally:
        state_db.close()
    if as_json:
        typer.echo(json.dumps(body, ensure_ascii=False, indent=2))
    else:
        typer.echo("\n".join(ranking_lines(body)))


def ranking_lines(body: dict[str, Any]) -> list[str]:
    """The ranking as a table of lines."""
    lines = [f"{body['period']} 各县考核排名 (按总分; {body['tie_breaks']})"]
    for row in body["counties"]:
        place = "—" if row["rank"] is None else str(row["rank"])
        if row["answered"]:
            counts = row["counts"]
            veto = " [基本条件一票否决]" if row["title_vetoed"] else ""
            lines.append(
                f"  {place:>2}. {row['name']} ({row['county']}): {row['points']:g} 分, {counts['达标']} 达标,"
                f" {counts['基本达标']} 基本达标, {counts['不达标']} 不达标{veto}"
            )
        else:
            last = row["last_answered_at"] or "从未"
            kept = f"; 上次本期结果 {row['points']:g} 分 ({row['stale_answered_at']})" if row["stale"] else ""
            lines.append(f"   —. {row['name']} ({row['county']}): 未应答, 最近一次成功应答 {last}{kept}")
            lines.append(f"      {row['error']}")
    cwqi = body["cwqi"]
    if cwqi["counties"]:
        lines.append("按城市水质指数 CWQI (小者在前):")
        lines.extend(f"  {r['rank']:>2}. {r['name']}: {r['cwqi']:g}" for r in cwqi["counties"])
    else:
        lines.append("CWQI: 各县均未发布")
    return lines
