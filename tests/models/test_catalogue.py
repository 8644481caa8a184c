"""The parameter catalogue covers the standards' items and resolves every way of naming them."""

import numpy as np
import pytest

from models.configuration import Configuration
from models.errors import ConfigError, UnitError, UnknownParameterError
from models.standards.catalogue import Catalogue, Parameter
from models.standards.units import conversion_factor, normalize_unit

GB3838_TABLE1 = [
    "w01010", "w01001", "w01009", "w01019", "w01018", "w01017", "w21003", "w21011", "w21001", "w20122",
    "w20123", "w21017", "w20128", "w20119", "w20111", "w20115", "w20117", "w20120", "w21016", "w23002",
    "w22001", "w19002", "w21019", "w02003",
]  # fmt: skip
GB3838_TABLE2 = ["w21038", "w21022", "w21007", "w20125", "w20124"]
GB18918_TABLE1 = [
    "w01018", "w01017", "w01012", "x-animal-vegetable-oil", "w22001", "w19002", "w21001", "w21003",
    "w21011", "w01002", "w01001", "w02003",
]  # fmt: skip
GB18918_TABLE2 = ["w20111", "w20113", "w20115", "w20116", "w20117", "w20119", "w20120"]


@pytest.mark.parametrize("code", sorted(set(GB3838_TABLE1 + GB3838_TABLE2 + GB18918_TABLE1 + GB18918_TABLE2)))
def test_every_item_of_the_standards_tables_is_in_the_catalogue(config: Configuration, code: str) -> None:
    parameter = config.catalogue[code]
    assert parameter.code == code
    assert parameter.zh and parameter.en and parameter.unit


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("COD", "w01018"),
        ("CODcr", "w01018"),
        ("化学需氧量", "w01018"),
        ("011", "w01018"),  # HJ/T 212-2005 code
        ("高锰酸盐指数", "w01019"),
        ("CODMn", "w01019"),
        ("NH3-N", "w21003"),
        ("氨氮", "w21003"),
        ("060", "w21003"),
        ("TP", "w21011"),
        ("101", "w21011"),
        ("B01", "w00000"),
        ("w20138", "w20122"),  # plain-element code is an alias of the 总铜 code
        ("dissolved oxygen", "w01009"),
        (" do ", "w01009"),
        ("叶绿素α", "x-chlorophyll-a"),
    ],
)
def test_names_aliases_and_wire_codes_resolve_to_the_canonical_code(
    config: Configuration, name: str, code: str
) -> None:
    assert config.catalogue.resolve(name) == code


def test_unknown_name_is_an_error_that_says_what_is_accepted(config: Configuration) -> None:
    with pytest.raises(UnknownParameterError, match="unknown parameter 'XYZ'.*HJ 212 code"):
        config.catalogue.resolve("XYZ")
    assert config.catalogue.find("XYZ") is None


def test_wire_units_convert_to_the_catalogue_unit(config: Configuration) -> None:
    # HJ 212-2017 Table B.1 carries w20111 (总汞) in µg/L; GB 3838 limits are in mg/L.
    assert config.catalogue.wire_factor("w20111") == ("w20111", pytest.approx(1e-3))
    assert config.catalogue.wire_factor("w20144") == ("w20120", 1.0)  # 铅 in mg/L
    assert config.catalogue.wire_factor("w20113") == ("w20113", pytest.approx(1e-6))  # 烷基汞 ng/L
    assert config.catalogue.wire_factor("w01018") == ("w01018", 1.0)


def test_vectorised_resolution_marks_unknown_names_missing(config: Configuration) -> None:
    import pandas as pd

    resolved = config.catalogue.resolve_many(pd.Series(["COD", "氨氮", "nonsense", None]))
    assert resolved.iloc[:2].tolist() == ["w01018", "w21003"]
    assert resolved.iloc[2:].isna().all()


def test_a_name_that_means_two_parameters_is_rejected() -> None:
    one = Parameter(code="a1", zh="甲", en="a", unit="mg/L", aliases=("X",))
    two = Parameter(code="b1", zh="乙", en="b", unit="mg/L", aliases=("x",))
    with pytest.raises(ValueError, match="name 'x' of parameter 'b1' already means 'a1'"):
        Catalogue([one, two])


def test_a_bad_catalogue_entry_names_the_entry_and_field() -> None:
    with pytest.raises(ConfigError, match="parameter 'w99': field unit: .*unknown unit 'furlongs'"):
        Catalogue.from_mapping({"parameters": [{"code": "w99", "zh": "甲", "en": "a", "unit": "furlongs"}]})


def test_units_fold_spellings_and_convert() -> None:
    assert normalize_unit("ug/L") == normalize_unit("μg/l") == "µg/L"
    assert normalize_unit("℃") == "°C"
    assert conversion_factor("µg/L", "mg/L") == pytest.approx(1e-3)
    values = np.array([50.0, 2.0])
    assert np.allclose(values * conversion_factor("µg/L", "mg/L"), [0.05, 0.002])
    with pytest.raises(UnitError, match="cannot convert mg/L to °C"):
        conversion_factor("mg/L", "°C")
    with pytest.raises(UnitError, match="unknown unit 'furlongs'"):
        normalize_unit("furlongs")
