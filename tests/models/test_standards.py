"""Standards are data: complete tables, every limit with its source, loading that says what is wrong."""

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml

from models.configuration import Configuration
from models.errors import ConfigError
from models.standards.limits import Situation


def _items(config: Configuration, standard: str, table: str) -> set[int]:
    numbers = set()
    for row in config.standards[standard].limits:
        match = re.match(rf"{table} 第(\d+)项", row.source)
        if match:
            numbers.add(int(match[1]))
    return numbers


@pytest.mark.parametrize(
    ("standard", "table", "count"),
    [
        ("GB3838-2002", "表1", 24),
        ("GB3838-2002", "表2", 5),
        ("GB3838-2002", "表3", 80),
        ("GB18918-2002", "表1", 12),
        ("GB18918-2002", "表2", 7),
        ("GB18918-2002", "表3", 43),
    ],
)
def test_every_item_of_each_table_is_present(config: Configuration, standard: str, table: str, count: int) -> None:
    assert _items(config, standard, table) == set(range(1, count + 1))


@pytest.mark.parametrize("standard", ["GB3838-2002", "GB18918-2002"])
def test_every_limit_names_its_table_and_item(config: Configuration, standard: str) -> None:
    for row in config.standards[standard].limits:
        assert re.match(r"表\d 第\d+项", row.source), row


@pytest.mark.parametrize(
    ("code", "item", "limit"),
    [
        ("w20121", 1, 0.05),  # 总镍
        ("w25043", 8, 0.00003),  # 苯并(a)芘
        ("x-organophosphorus-pesticides", 15, 0.5),  # 有机磷农药（以P计）
        ("x-acrylonitrile", 42, 2.0),
        ("x-aox", 43, 1.0),  # 可吸附有机卤化物（以Cl计）
    ],
)
def test_gb18918_table_3_items_have_one_limit_for_every_class(
    config: Configuration, code: str, item: int, limit: float
) -> None:
    """GB 18918-2002 Table 3: selected control items, ungraded, as the standard prints them."""
    table = config.standards["GB18918-2002"].limit_table(Situation(built=dt.date(2010, 1, 1)))
    row = table.row_of([code])[0]
    assert table.high[row].tolist() == [limit] * 4
    assert table.sources[row].startswith(f"GB18918-2002 表3 第{item}项")


def test_gb3838_class_limits_are_as_the_standard_prints_them(config: Configuration) -> None:
    river = config.standards["GB3838-2002"].limit_table(Situation("river"))
    lake = config.standards["GB3838-2002"].limit_table(Situation("lake"))
    nh3n = river.row_of(["w21003"])[0]
    assert river.high[nh3n].tolist() == [0.15, 0.5, 1.0, 1.5, 2.0]
    do = river.row_of(["w01009"])[0]
    assert river.low[do].tolist() == [7.5, 6, 5, 3, 2]
    tp_river, tp_lake = river.row_of(["w21011"])[0], lake.row_of(["w21011"])[0]
    assert river.high[tp_river].tolist() == [0.02, 0.1, 0.2, 0.3, 0.4]
    assert lake.high[tp_lake].tolist() == [0.01, 0.025, 0.05, 0.1, 0.2]


@pytest.mark.parametrize(
    ("water_temp_c", "built", "nh3n_1a", "tp_1a"),
    [
        (20.0, dt.date(2010, 1, 1), 5, 0.5),
        (12.0, dt.date(2010, 1, 1), 8, 0.5),  # ≤ 12 °C takes the bracketed value
        (12.1, dt.date(2005, 12, 31), 5, 1.0),  # built before 2006-01-01
        (None, None, 5, 0.5),  # unknown facts select the stricter limits
    ],
)
def test_gb18918_conditions_select_the_row(
    config: Configuration, water_temp_c: float | None, built: dt.date | None, nh3n_1a: float, tp_1a: float
) -> None:
    table = config.standards["GB18918-2002"].limit_table(Situation(water_temp_c=water_temp_c, built=built))
    rows = table.row_of(["w21003", "w21011"])
    assert table.high[rows, 0].tolist() == [nh3n_1a, tp_1a]


def test_a_class_without_a_limit_has_none(config: Configuration) -> None:
    table = config.standards["GB18918-2002"].limit_table()
    tn = table.row_of(["w21001"])[0]
    assert table.high[tn, :2].tolist() == [15, 20]
    assert all(v != v for v in table.high[tn, 2:])  # "—" for classes 2 and 3


def _write_standard(folder: Path, body: dict) -> None:
    (folder / "standards").mkdir(parents=True, exist_ok=True)
    (folder / "standards" / "local.yaml").write_text(yaml.safe_dump(body, allow_unicode=True), encoding="utf-8")


def _local_standard(kind: str, classes: list[str], limit: dict) -> dict:
    """A one-item local standard file's content."""
    return {
        "id": "DB00-2020",
        "title_zh": "某省地方标准",
        "title_en": "a local standard",
        "kind": kind,
        "classes": classes,
        "limits": [{"source": "表1 第1项", "bound": "upper", **limit}],
    }


def test_a_local_standard_is_just_another_file(tmp_path: Path) -> None:
    _write_standard(
        tmp_path,
        _local_standard("discharge", ["A"], {"code": "COD", "values": {"A": 30}}),
    )
    with pytest.raises(ConfigError, match="standard DB00-2020: item 'COD' is not in the parameter catalogue"):
        Configuration.load(tmp_path)
    _write_standard(
        tmp_path,
        _local_standard("discharge", ["A"], {"code": "w01018", "values": {"A": 30}}),
    )
    config = Configuration.load(tmp_path)
    assert config.standards["DB00-2020"].limit_table().high.tolist() == [[30.0]]
    assert "GB3838-2002" in config.standards


def test_a_bad_limit_names_file_item_and_field(tmp_path: Path) -> None:
    _write_standard(
        tmp_path,
        _local_standard("surface", ["I", "II"], {"code": "w01018", "values": {"I": 15, "II": "many"}}),
    )
    with pytest.raises(ConfigError, match=r"local\.yaml: limits\[0\] \(item w01018\), field values\.II"):
        Configuration.load(tmp_path)


def test_a_class_the_standard_does_not_have_is_rejected(tmp_path: Path) -> None:
    _write_standard(
        tmp_path,
        _local_standard("surface", ["I", "II"], {"code": "w01018", "values": {"IIII": 15}}),
    )
    with pytest.raises(ConfigError, match="class 'IIII' is not one of I, II"):
        Configuration.load(tmp_path)
