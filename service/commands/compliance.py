"""`wqmon evaluate | compliance | ratings | indicators | enter-indicator | export`: a period's judgement.

Each command reads the store named by --store / WQMON_STORE and the configuration in
--config-dir / WQMON_CONFIG_DIR, and prints a table or (--json) the JSON of
service.compliance_views, the same the HTTP API serves. A store that does not exist is refused.

The models, the store and pandas are imported inside each command, so `--help` and a bad argument
answer at once.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from service.commands.failure import fail
from service.commands.store_access import check_store_exists, held_by_service, is_lock_error

if TYPE_CHECKING:
    from models.configuration import Configuration
    from service.distributed import SharedStore
    from service.settings import Settings
    from store import Store

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
DaskOption = Annotated[
    str | None,
    typer.Option(
        "--dask",
        envvar="WQMON_DASK_ADDRESS",
        help="Dask scheduler (tcp://host:8786): spread the evaluation by site over its workers",
    ),
]


def register(app: typer.Typer) -> None:
    """Add the compliance commands to the `wqmon` app."""
    app.command("evaluate")(evaluate)
    app.command("compliance")(compliance)
    app.command("ratings")(ratings)
    app.command("seasons")(seasons)
    app.command("indicators")(indicators)
    app.command("enter-indicator")(enter_indicator)
    app.command("enter-indicators")(enter_indicators)
    app.command("export")(export)


@contextmanager
def _opened(store_url: str | None, config_dir: Path | None) -> Iterator[tuple[Settings, Configuration, Store]]:
    from models.configuration import Configuration
    from models.errors import ConfigError, UnknownSiteError
    from models.period.periods import PeriodError
    from store import StoreError, open_store

    settings = _settings(store_url, config_dir)
    check_store_exists(settings.store)
    try:
        config = Configuration.load(settings.config_dir)
        store = open_store(settings.store)
    except (ConfigError, StoreError) as error:
        if isinstance(error, StoreError) and is_lock_error(error):
            raise fail(held_by_service(settings.store, error)) from None
        raise fail(str(error)) from None
    try:
        yield settings, config, store
    except (PeriodError, UnknownSiteError, ConfigError, StoreError) as error:
        raise fail(str(error)) from None
    finally:
        store.close()


@contextmanager
def _evaluated_over(
    store_url: str | None, config_dir: Path | None, dask: str | None
) -> Iterator[tuple[Settings, Configuration, Store | SharedStore]]:
    """The store opened here, or with `dask` the store its cluster's workers read (service/distributed.py):
    then this process does not open it (a DuckDB file is read by several processes only when none writes)."""
    if dask is None:
        with _opened(store_url, config_dir) as opened:
            yield opened
        return
    from models.configuration import Configuration
    from models.errors import ConfigError, UnknownSiteError
    from models.period.periods import PeriodError
    from service.distributed import ClusterError, SharedStore
    from store import StoreError

    settings = _settings(store_url, config_dir)
    try:
        yield settings, Configuration.load(settings.config_dir), SharedStore(dask, settings.store)
    except (PeriodError, UnknownSiteError, ConfigError, StoreError, ClusterError) as error:
        raise fail(str(error)) from None


def _settings(store_url: str | None, config_dir: Path | None) -> Settings:
    from service.settings import Settings

    overrides: dict[str, Any] = {}
    if store_url is not None:
        overrides["store"] = store_url
    if config_dir is not None:
        overrides["config_dir"] = config_dir
    return Settings(**overrides)


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
    dask: DaskOption = None,
) -> None:
    """Each site's class, items over target and main pollutants; each plant's compliant days."""
    from service.compliance_views import evaluate_period

    with _evaluated_over(store, config_dir, dask) as (settings, config, opened):
        body = evaluate_period(
            config, opened, period, site, timezone=settings.timezone, min_valid_hours=settings.min_valid_hours_per_day
        )
    _print(body, as_json, _evaluation_lines)


def compliance(
    period: PeriodOption,
    as_json: JsonOption = False,
    store: StoreOption = None,
    config_dir: ConfigOption = None,
    dask: DaskOption = None,
) -> None:
    """Every compliance rate with numerator, denominator and the sites that pull it down."""
    from service.compliance_views import compliance_for

    with _evaluated_over(store, config_dir, dask) as (settings, config, opened):
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
    dask: DaskOption = None,
) -> None:
    """Ratings of each river, basin and the county: class shares, main pollutants, 无劣Ⅴ, CWQI, ΔCWQI."""
    from models.period.periods import PeriodError
    from service.ratings_view import ratings_for

    with _evaluated_over(store, config_dir, dask) as (settings, config, opened):
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


def seasons(
    year: Annotated[str, typer.Option("--year", help="a calendar year, e.g. 2026")],
    as_json: JsonOption = False,
    store: StoreOption = None,
    config_dir: ConfigOption = None,
) -> None:
    """Each site's class in the year and in its wet, normal and dry seasons side by side (GB 3838 §4)."""
    from service.seasons_view import seasons_for

    with _opened(store, config_dir) as (settings, config, opened):
        body = seasons_for(
            config, opened, year, timezone=settings.timezone, min_valid_hours=settings.min_valid_hours_per_day
        )
    _print(body, as_json, _season_lines)


def indicators(
    period: PeriodOption,
    as_json: JsonOption = False,
    store: StoreOption = None,
    config_dir: ConfigOption = None,
    dask: DaskOption = None,
    state: StateOption = None,
) -> None:
    """The indicator scorecard: each indicator's value, status and points, and the totals."""
    from service.compliance_views import scorecard_for
    from store.state import StateDB

    with _evaluated_over(store, config_dir, dask) as (settings, config, opened):
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
    indicator: Annotated[str, typer.Argument(help="indicator or basic-condition id from indicators.yaml")],
    value: Annotated[
        str,
        typer.Argument(help="the value in the indicator's unit; a status or basic condition: 达标, 基本达标, 不达标"),
    ],
    period: PeriodOption,
    evidence: Annotated[str, typer.Option(help="document or source the value comes from")],
    by: Annotated[str, typer.Option("--by", help="who enters the value")],
    dated: Annotated[
        str | None, typer.Option("--dated", help="date of the evidence, YYYY-MM-DD (statuses need it)")
    ] = None,
    config_dir: ConfigOption = None,
    state: StateOption = None,
) -> None:
    """Record a hand-entered indicator value, or a status with the date of its evidence, with who and when."""
    from models.configuration import Configuration
    from models.errors import ConfigError
    from models.period.periods import PeriodError, parse_period
    from models.rates.indicators import Indicator
    from service.compliance_views import load_indicator_system
    from service.settings import Settings
    from store.indicator_entries import IndicatorEntries
    from store.state import StateDB

    settings = Settings() if config_dir is None else Settings(config_dir=config_dir)
    try:
        label = parse_period(period, timezone=settings.timezone).label
        system = load_indicator_system(Configuration.load(settings.config_dir).folder)
    except (PeriodError, ConfigError) as error:
        raise fail(str(error)) from None
    known = system.entered(indicator)
    if known is None:
        ids = ", ".join([*(i.id for i in system.indicators), *(c.id for c in system.basic_conditions)])
        raise fail(f"unknown indicator {indicator!r}; indicators and basic conditions: {ids}")
    if isinstance(known, Indicator) and not known.is_manual:
        raise fail(f"indicator {indicator!r} is computed from '{known.source}', not entered by hand")
    now = dt.datetime.now(dt.UTC)
    state_db = StateDB(state or settings.state_path)
    try:
        entries = IndicatorEntries(state_db)
        if isinstance(known, Indicator) and not known.is_qualitative:
            try:
                number = float(value)
            except ValueError:
                raise fail(f"indicator {indicator!r}: value {value!r} is not a number (unit {known.unit})") from None
            entered: Any = entries.enter(indicator, label, number, evidence=evidence, entered_by=by, entered_at=now)
        else:
            if dated is None:
                raise fail(
                    f"{indicator!r} is entered as a status: give the date of its evidence with --dated YYYY-MM-DD"
                )
            try:
                day = dt.date.fromisoformat(dated)
            except ValueError:
                raise fail(f"--dated {dated!r} is not a date YYYY-MM-DD") from None
            entered = entries.enter_status(
                indicator, label, value, evidence=evidence, dated=day, entered_by=by, entered_at=now
            )
    except ValueError as error:
        raise fail(str(error)) from None
    finally:
        state_db.close()
    typer.echo(json.dumps({"indicator": indicator, "period": label, **vars(entered)}, ensure_ascii=False))


def enter_indicators(
    file: Annotated[Path, typer.Argument(help="YAML file: period, entered_by, values, statuses", exists=True)],
    config_dir: ConfigOption = None,
    state: StateOption = None,
) -> None:
    """Enter a file of hand-entered values and statuses at once (all or none; see config/examples/model-city)."""
    from models.configuration import Configuration
    from models.errors import ConfigError
    from service.assessment_entries import enter_entries_file
    from service.compliance_views import load_indicator_system
    from service.settings import Settings
    from store.state import StateDB

    settings = Settings() if config_dir is None else Settings(config_dir=config_dir)
    state_db = StateDB(state or settings.state_path)
    try:
        system = load_indicator_system(Configuration.load(settings.config_dir).folder)
        count = enter_entries_file(file, system, state_db, now=dt.datetime.now(dt.UTC))
    except ConfigError as error:
        raise fail(str(error)) from None
    finally:
        state_db.close()
    typer.echo(f"entered {count} values and statuses from {file}")


def export(
    period: PeriodOption,
    netcdf: Annotated[Path, typer.Option("--netcdf", help="netCDF file to write")],
    store: StoreOption = None,
    config_dir: ConfigOption = None,
) -> None:
    """Write the period's monthly values of surface sites as a CF netCDF cube (site x parameter x time)."""
    from models.period.cube import period_cube
    from service.compliance_views import run_period

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
    lines = [body["period"] + (f" {body['system']}" if body.get("system") else "")]
    lines.append(f"  ({body['scheme']['description']})")
    for row in body["indicators"]:
        value = "—" if row["value"] is None else f"{row['value']}{row['unit']}"
        lines.append(f"  {row['name']}: {value} {row['status']} {_points(row)}")
        for part in row.get("parts", []):
            rate = "—" if part["value"] is None else f"{part['value']}%"
            lines.append(f"      {part['name']}: {rate} ({part['numerator']}/{part['denominator']}) {part['status']}")
        for rate in row.get("evidence", []):
            shown = "—" if rate["value"] is None else f"{rate['value']}%"
            lines.append(f"      依据 {rate['name']}: {shown} ({rate['numerator']}/{rate['denominator']})")
        if row.get("entered") and "status" in row["entered"]:
            lines.append(f"      {row['entered']['dated']}: {row['entered']['evidence']}")
    for condition in body.get("basic_conditions", []):
        met = {True: "满足", False: "未满足", None: "待录入"}[condition["met"]]
        lines.append(f"  基本条件 {condition['name']}: {met}")
    lines.append(body["summary"] + (f"; {body['title']['verdict']}" if body.get("basic_conditions") else ""))
    if body.get("fixes"):
        lines.append("整改清单 (按分值排序):")
        for fix in body["fixes"]:
            lines.append(f"  {fix['name']} ({fix['status']}, {fix['points_at_stake']:g} 分)")
            lines.extend(f"    {line}" for line in fix["advice"])
    return lines


def _rating_lines(body: dict[str, Any]) -> list[str]:
    lines = [f"{body['period']} (ΔCWQI 基准 {body['base_period'] or '—'})"]
    for group in [*body["rivers"], *body["lakes"], *body["basins"], body["county"]]:
        rating = group["rating_zh"] or "无数据"
        pollutants = "、".join(f"{p['name']}({p['exceedance_rate']}%)" for p in group["main_pollutants"])
        worse = group["no_worse_than_v"]
        breaking = "、".join(s["name"] for s in worse["sites"])
        lines.append(
            f"  {group['name']}: {rating} [{group['n_sections']} 个断面, Ⅰ-Ⅲ类 {group['good_percent']}%,"
            f" 劣Ⅴ类 {group['worse_than_v_percent']}%] CWQI {group['cwqi']} ΔCWQI {group['cwqi_change_percent']}%"
            + (f" 主要污染物: {pollutants}" if pollutants else "")
            + (" 无劣Ⅴ类: 是" if worse["answer"] == "yes" else f" 无劣Ⅴ类: 否 ({breaking})")
            + (f" 与基准期比: {group['change']['verdict_zh']}" if group.get("change", {}).get("verdict_zh") else "")
            + (f" 营养状态: {group['trophic']['state_zh']}" if group.get("trophic", {}).get("state_zh") else "")
        )
    return lines


def _season_lines(body: dict[str, Any]) -> list[str]:
    from models.methods.seasons import SEASON_ZH

    labels = [column["period"] for column in body["columns"]]
    lines = ["  ".join(["断面/点位", *(column["name"] for column in body["columns"]), "最差水期"])]
    for site in body["sites"]:
        classes = [site["periods"][label]["class"] or "—" for label in labels]
        worst = SEASON_ZH.get(site["worst_season"] or "", "—")
        note = "" if site["seasons_configured"] else " (未配置水期)"
        lines.append("  ".join([site["name"], *classes, worst]) + note)
    county = [body["county"][label]["rating_zh"] or "无数据" for label in labels]
    lines.append("  ".join(["全县", *county]))
    return lines


def _points(row: dict[str, Any]) -> str:
    if row.get("scheme") == "deduction":
        return f"扣 {-row['points']:g} 分"
    return f"{row['points']}/{row['max_points']} 分"
