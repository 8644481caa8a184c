"""Records to readings by a source's mapping (no HTTP needed: the mapping is a pure step)."""

import pandas as pd
import pytest

from ingest.pull.mapping import map_records
from ingest.pull.sources import MappingConfig
from models.configuration import Configuration

NOW = pd.Timestamp("2024-05-06 12:00", tz="Asia/Shanghai").tz_convert("UTC")


def local(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="Asia/Shanghai").tz_convert("UTC")


def test_yearless_times_take_the_most_recent_year(site_config: Configuration) -> None:
    records = pd.DataFrame(
        {
            "断面名称": ["河西断面", "河西断面", "河西断面"],
            "监测时间": ["05-06 08:00", "12-31 20:00", "13-01 00:00"],
            "氨氮": [0.1, 0.2, 0.3],
        },
        dtype=object,
    )
    mapping = MappingConfig(site="断面名称", time="监测时间", columns=["氨氮"])
    readings, problems = map_records(records, mapping, site_config, source="pull:x", statistic="rtd", now=NOW)
    assert readings["time"].tolist() == [local("2024-05-06 08:00"), local("2023-12-31 20:00")]
    assert [(p.row, p.column) for p in problems] == [(3, "监测时间")]


def test_epoch_times_long_records_flags_and_site_aliases(site_config: Configuration) -> None:
    epoch_ms = int(local("2024-05-06 08:00").timestamp() * 1000)
    records = pd.DataFrame(
        {
            "station": ["HX", "HX", "HX", "HX"],
            "ts": [epoch_ms] * 4,
            "code": ["w21003", "w01009", "w21011", "w21001"],
            "v": ["0.4", "7.9", "0.02L", "1.1"],
            "f": ["N", "M", "N", "X"],
        },
        dtype=object,
    )
    mapping = MappingConfig(site="station", time="ts", parameter="code", value="v", flag="f", sites={"HX": "hx-01"})
    readings, problems = map_records(records, mapping, site_config, source="pull:x", statistic="hour_avg", now=NOW)
    got = readings.set_index("parameter")
    assert set(got["time"]) == {local("2024-05-06 08:00")} and set(got["statistic"]) == {"hour_avg"}
    assert got.loc["w01009", "flag"] == "M"
    assert got.loc["w21011", "non_detect"] and got.loc["w21011", "value"] == pytest.approx(0.02)
    assert [(p.row, p.column) for p in problems] == [(4, "f")]
    assert "unknown flag 'X'" in problems[0].reason


def test_missing_fields_are_one_clear_problem(site_config: Configuration) -> None:
    records = pd.DataFrame({"a": [1]}, dtype=object)
    mapping = MappingConfig(site="断面名称", time="监测时间", columns=["氨氮"])
    readings, problems = map_records(records, mapping, site_config, source="pull:x", statistic="rtd", now=NOW)
    assert readings.empty
    assert len(problems) == 1 and "['断面名称', '监测时间']" in problems[0].reason
