"""`wqmon evaluate | compliance | ratings | indicators | enter-indicator | export`: a period's judgement.

Each command reads the store named by --store / WQMON_STORE and the configuration in
--config-dir / WQMON_CONFIG_DIR, and prints a table or (--json) the JSON of
service.compliance_views, the same the HTTP API serves.
"""

import datetime as dt
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from models.configuration import Configuration
from models.errors import ConfigError, UnknownSiteError
from models.period.cube import period_cube
from models.period.periods import PeriodError, parse_period
from service.commands.classify import fail
from service.compliance_views import compliance_for, evaluate_period, load_indicators, run_period, scorecard_for
from service.ratings_view import ratings_for
from service.settings import Settings
from store import Store, StoreError, open_store
from store.indicator_entries import IndicatorEntries
from store.state import StateDB

PeriodOption = Annotated[
    str,
    typer.Option("--period", help="2026-10 (month), 2026-Q3, 2026, 2026-03-01..2026-03-31 or 2026-wet/normal/dry"),
]
StoreOption = Annotated[str | None, typer.Option("--store", envvar="WQMON_STORE", help="store URL")]
ConfigOption = Annotated[
    Path | None, typer.Option("--config-dir", envvar="WQMON_CONFIG_DIR", help="configuration folder")
]
StateOption = Annotated[Path | None, typer.Option("--state", envvar="WQMON_STATE_PATH", help="state SQLite file")]
JsonOption = Annotated[bool, typer.Option("--json", help="print JSON instead of a table")]


def register(app: typer.Typer) -> None:
    """Add the compliance commands to the `wqmon` app."""
    app.command("evaluate")(evaluate)
    app.command("compliance")(compliance)
    app.command("ratings")(ratings)
    app.command("indicators")(indicators)
    app.command("enter-indicator")(enter_indicator)
    app.command("export")(export)


@contextmanager
def _opened(store_url: str | None, config_dir: Path | None) -> Iterator[tuple[Settings, Configuration, Store]]:
    overrides: dict[str, Any] = {}
    if store_url is not None:
        overrides["store"] = store_url
    if config_dir is not None:
        overrides["config_dir"] = config_dir
    settings = Settings(**overrides)
    try:
        config = Configuration.load(settings.config_dir)
        store = open_store(settings.store)
    except (ConfigError, StoreError) as error:
        raise fail(str(error)) from None
    try:
        yield settings, config, store
    except (PeriodError, UnknownSiteError, ConfigError, StoreError) as error:
        raise fail(str(error)) from None
    finally:
        store.close()


def _print(body: dict[str, Any], as_json: bool, table: Callable[[dict[str, Any]], list[str]]) -> None:
    if as_json:
        typer.echo(json.dumps(body, ensure_ascii=False, indent=2))
    else:
        typer.echo("\n".join(table(body)))


def evaluate(
    period: PeriodOption,
    site: Annotated[str | None, typer.Option("--site", help="one site id or name")] = None,
    as_json: JsonOption = False,
    store: StoreOption = None,
    config_dir: ConfigOption = None,
) -> None:
    """Each site's class, items over target and main pollutants; each plant's compliant days."""
    with _opened(store, config_dir) as (settings, config, opened):
        body = evaluate_period(
            config, opened, period, site, timezone=settings.timezone, min_valid_hours=settings.min_valid_hours_per_day
        )
    _print(body, as_json, _evaluation_lines)


def compliance(
    period: PeriodOption, as_json: JsonOption = False, store: StoreOption = None, config_dir: ConfigOption = None
) -> None:
    """Every compliance rate with numerator, denominator and the sites that pull it down."""
    with _opened(store, config_dir) as (settings, config, opened):
        body = compliance_for(
            config, opened, period, timezone=settings.timezone, min_valid_hours=settings.min_valid_hours_per_day
        )
    _print(body, as_json, _rate_lines)


def ratings(
    period: PeriodOption,
    river: Annotated[str | None, typer.Option("--river", help="one river's rating (and its basin's)")] = None,
    base: Annotated[str | None, typer.Option("--base", help="base period of ΔCWQI (default: a year earlier)")] = None,
    as_json: JsonOption = False,
    store: StoreOption = None,
    config_dir: ConfigOption = None,
) -> None:
    """Ratings of each river, basin and the county: class shares, main pollutants, 无劣Ⅴ, CWQI, ΔCWQI."""
    with _opened(store, config_dir) as (settings, config, opened):
        try:
            body = ratings_for(
                config, opened, period, river=river, base=base,
                timezone=settings.timezone, min_valid_hours=settings.min_valid_hours_per_day,
            )  # fmt: skip
        except PeriodError:
            raise
        except ValueError as error:
            raise fail(str(error)) from None
    _print(body, as_json, _rating_lines)


def indicators(
    period: PeriodOption,
    as_json: JsonOption = False,
    store: StoreOption = None,
    config_dir: ConfigOption = None,
    state: StateOption = None,
) -> None:
    """The indicator scorecard: each indicator's value, status and points, and the totals."""
    with _opened(store, config_dir) as (settings, config, opened):
        state_db = StateDB(state or settings.state_path)
        try:
            body = scorecard_for(
                config,
                opened,
                state_db,
                period,
                timezone=settings.timezone,
                min_valid_hours=settings.min_valid_hours_per_day,
            )
        finally:
            state_db.close()
    _print(body, as_json, _scorecard_lines)


def enter_indicator(
    indicator: Annotated[str, typer.Argument(help="indicator id from indicators.yaml (source: manual)")],
    value: Annotated[float, typer.Argument(help="the value, in the indicator's unit")],
    period: PeriodOption,
    evidence: Annotated[str, typer.Option(help="document or source the value comes from")],
    by: Annotated[str, typer.Option("--by", help="who enters the value")],
    config_dir: ConfigOption = None,
    state: StateOption = None,
) -> None:
    """Record a hand-entered indicator value with its evidence, who and when."""
    settings = Settings() if config_dir is None else Settings(config_dir=config_dir)
    try:
        label = parse_period(period, timezone=settings.timezone).label
        known = {i.id: i for i in load_indicators(Configuration.load(settings.config_dir).folder)}
    except (PeriodError, ConfigError) as error:
        raise fail(str(error)) from None
    if indicator not in known:
        raise fail(f"unknown indicator {indicator!r}; indicators: {', '.join(known)}")
    if not known[indicator].is_manual:
        raise fail(f"indicator {indicator!r} is computed from '{known[indicator].source}', not entered by hand")
    state_db = StateDB(state or settings.state_path)
    try:
        entry = IndicatorEntries(state_db).enter(
            indicator, label, value, evidence=evidence, entered_by=by, entered_at=dt.datetime.now(dt.UTC)
        )
    except ValueError as error:
        raise fail(str(error)) from None
    finally:
        state_db.close()
    typer.echo(json.dumps({"indicator": indicator, "period": label, **vars(entry)}, ensure_ascii=False))


def export(
    period: PeriodOption,
    netcdf: Annotated[Path, typer.Option("--netcdf", help="netCDF file to write")],
    store: StoreOption = None,
    config_dir: ConfigOption = None,
) -> None:
    """Write the period's monthly values of surface sites as a CF netCDF cube (site x parameter x time)."""
    with _opened(store, config_dir) as (settings, config, opened):
        result = run_period(
            config, opened, period, timezone=settings.timezone, min_valid_hours=settings.min_valid_hours_per_day
        )
    cube = period_cube(
        result.data.monthly, config.catalogue, config.sites, title=f"wqmon monthly values {result.data.period.label}"
    )
    netcdf.parent.mkdir(parents=True, exist_ok=True)
    cube.to_netcdf(netcdf)
    sizes = cube.sizes
    typer.echo(f"wrote {netcdf}: {sizes['site']} sites x {sizes['parameter']} parameters x {sizes['time']} months")


def _evaluation_lines(body: dict[str, Any]) -> list[str]:
    lines = [f"{body['period']} ({body['from']} – {body['to']})"]
    for site in body["sites"]:
        verdict = {True: "达标", False: "未达标", None: "无法判定"}[site["meets_target"]]
        over = "、".join(f"{i['name']}({i['exceedance_multiple']})" for i in site["items_over_target"])
        lines.append(
            f"  {site['site']} {site['name']}: {site['class']} (目标 {site['target']}) {verdict}"
            f" [{site['n_values']} 个数据]" + (f" 超标: {over}" if over else "")
        )
    for plant in body["plants"]:
        lines.append(
            f"  {plant['site']} {plant['name']}: {plant['compliant_days']}/{plant['valid_days']} 天达标"
            f" ({plant['rate']}%), {plant['days_with_data'] - plant['valid_days']} 天数据无效"
        )
    return lines


def _rate_lines(body: dict[str, Any]) -> list[str]:
    lines = [body["period"]]
    for rate in body["rates"].values():
        value = "—" if rate["rate"] is None else f"{rate['rate']:.2f}%"
        lines.append(f"  {rate['name']}: {value} ({rate['numerator']}/{rate['denominator']} {rate['unit']})")
        for site in rate["failing"]:
            items = "、".join(i["name"] for i in site["items"])
            lines.append(f"      {site['site']} {site['name']}: {items}")
    return lines


def _scorecard_lines(body: dict[str, Any]) -> list[str]:
    lines = [body["period"]]
    for row in body["indicators"]:
        value = "—" if row["value"] is None else f"{row['value']}{row['unit']}"
        lines.append(f"  {row['name']}: {value} {row['status']} {row['points']}/{row['max_points']} 分")
    lines.append(body["summary"])
    return lines


def _rating_lines(body: dict[str, Any]) -> list[str]:
    lines = [f"{body['period']} (ΔCWQI 基准 {body['base_period'] or '—'})"]
    for group in [*body["rivers"], *body["basins"], body["county"]]:
        rating = group["rating_zh"] or "无数据"
        pollutants = "、".join(f"{p['name']}({p['exceedance_rate']}%)" for p in group["main_pollutants"])
        worse = group["no_worse_than_v"]
        breaking = "、".join(s["name"] for s in worse["sites"])
        lines.append(
            f"  {group['name']}: {rating} [{group['n_sections']} 个断面, Ⅰ-Ⅲ类 {group['good_percent']}%,"
            f" 劣Ⅴ类 {group['worse_than_v_percent']}%] CWQI {group['cwqi']} ΔCWQI {group['cwqi_change_percent']}%"
            + (f" 主要污染物: {pollutants}" if pollutants else "")
            + (" 无劣Ⅴ类: 是" if worse["answer"] == "yes" else f" 无劣Ⅴ类: 否 ({breaking})")
        )
    return lines
