"""`wqmon classify`: judge one sample against a standard and print JSON."""

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer

from models.configuration import Configuration
from models.errors import ConfigError, UnitError, UnknownParameterError
from models.standards.classification import describe_sample, judge_sample
from models.standards.limits import Situation
from models.values import ValueParseError, parse_value
from service.commands.failure import fail


def classify(
    items: Annotated[
        list[str], typer.Argument(help="CODE=VALUE pairs; CODE is any code or alias, VALUE may be '0.05L'")
    ],
    standard: Annotated[str, typer.Option(help="standard id, e.g. GB3838-2002 or GB18918-2002")] = "GB3838-2002",
    water_body: Annotated[str, typer.Option(help="river or lake (GB 3838 TP limits)")] = "river",
    target: Annotated[str | None, typer.Option(help="class to meet (GB 3838; default III)")] = None,
    plant_class: Annotated[str | None, typer.Option("--class", help="plant class for GB 18918: 1A, 1B, 2 or 3")] = None,
    water_temp: Annotated[float | None, typer.Option(help="water temperature °C (GB 18918 NH3-N)")] = None,
    built: Annotated[str | None, typer.Option(help="plant construction date YYYY-MM-DD (GB 18918 TP)")] = None,
    source: Annotated[
        bool, typer.Option("--source", help="a centralized drinking-water source: GB 3838 Tables 2 and 3 are judged")
    ] = False,
    config_dir: Annotated[Path | None, typer.Option(envvar="WQMON_CONFIG_DIR", help="configuration folder")] = None,
) -> None:
    """Judge one sample by single-factor evaluation and print one JSON object."""
    try:
        config = Configuration.load(config_dir)
    except ConfigError as error:
        raise fail(str(error)) from None
    chosen = config.standards.get(standard)
    if chosen is None:
        raise fail(f"unknown standard {standard!r}; known: {', '.join(sorted(config.standards))}")
    if water_body not in ("river", "lake"):
        raise fail(f"--water-body {water_body!r} is not one of river, lake")
    klass = (plant_class or target) if chosen.kind == "discharge" else (target or plant_class or "III")
    if klass is None:
        raise fail(f"{chosen.id} needs --class, one of {', '.join(chosen.classes)}")
    try:
        target_index = chosen.class_index(klass)
        built_date = dt.date.fromisoformat(built) if built else None
    except ValueError as error:
        raise fail(str(error)) from None

    values: dict[str, float] = {}
    non_detect: dict[str, bool] = {}
    for pair in items:
        name, sep, text = pair.partition("=")
        if not sep:
            raise fail(f"{pair!r} is not CODE=VALUE")
        try:
            code = config.catalogue.resolve(name)
            parsed = parse_value(text)
        except (UnknownParameterError, ValueParseError, UnitError) as error:
            raise fail(f"{pair}: {error}") from None
        if parsed is None:
            raise fail(f"{pair}: no value given")
        values[code], non_detect[code] = parsed

    situation = Situation(
        water_body=water_body,  # type: ignore[arg-type]
        water_temp_c=water_temp,
        built=built_date,
        drinking_water_source=source,
    )
    table = chosen.limit_table(situation)
    judgement = judge_sample(values, table, target=target_index, non_detect=non_detect)
    typer.echo(json.dumps(describe_sample(judgement, table, target=target_index), ensure_ascii=False))
