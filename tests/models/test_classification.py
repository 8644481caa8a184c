"""Single-factor evaluation: boundaries, bounds of each kind, non-detects, main pollutants, vectorisation."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from models.configuration import Configuration
from models.standards.classification import NOT_JUDGEABLE, NOT_JUDGED, judge_readings, judge_sample
from models.standards.limits import LimitTable, Situation

III = 2


@pytest.fixture(scope="module")
def river(config: Configuration) -> LimitTable:
    return config.standards["GB3838-2002"].limit_table(Situation("river"))


@pytest.fixture(scope="module")
def lake(config: Configuration) -> LimitTable:
    return config.standards["GB3838-2002"].limit_table(Situation("lake"))


def class_of(table: LimitTable, code: str, value: float, *, non_detect: bool = False) -> str | None:
    judged = judge_readings(np.array([code]), np.array([value]), np.array([non_detect]), table, target=III)
    return table.standard.class_name(int(judged["class_index"].iloc[0]))


@pytest.mark.parametrize(
    ("code", "value", "expected"),
    [
        ("w21003", 0.15, "I"),  # equal to the class I limit meets it
        ("w21003", 0.151, "II"),
        ("w21003", 1.0, "III"),
        ("w21003", 2.0, "V"),
        ("w21003", 2.01, "劣V"),
        ("w01018", 15, "I"),  # I and II share 15: the better class is taken
        ("w01018", 40.5, "劣V"),
        ("w01009", 7.5, "I"),  # DO is a lower limit
        ("w01009", 7.49, "II"),
        ("w01009", 5, "III"),
        ("w01009", 1.99, "劣V"),
        ("w01001", 6.0, "I"),  # pH 6-9 for every class
        ("w01001", 9.0, "I"),
        ("w01001", 9.01, "劣V"),
        ("w01001", 5.99, "劣V"),
        ("w20111", 0.00005, "I"),
        ("w20111", 0.0001, "III"),
    ],
)
def test_each_value_gets_the_best_class_whose_limit_it_meets(
    river: LimitTable, code: str, value: float, expected: str
) -> None:
    assert class_of(river, code, value) == expected


def test_lake_total_phosphorus_uses_the_lake_column(river: LimitTable, lake: LimitTable) -> None:
    assert class_of(river, "w21011", 0.05) == "II"
    assert class_of(lake, "w21011", 0.05) == "III"
    assert class_of(lake, "w21011", 0.051) == "IV"


def test_water_temperature_is_never_classified(river: LimitTable) -> None:
    assert class_of(river, "w01010", 35.0) is None


def test_a_non_detect_meets_limits_at_or_above_its_detection_limit(river: LimitTable) -> None:
    judged = judge_readings(
        np.array(["w21003", "w20111", "w20111"]),
        np.array([0.025, 0.0001, 0.0002]),
        np.array([True, True, True]),
        river,
        target=III,
    )
    # NH3-N <0.025: below the class I limit, so class I and meeting III.
    assert judged["class_index"].tolist()[0] == 0
    assert judged["meets_target"].tolist()[0] is True
    # Hg <0.0001: meets III (limit 0.0001) but its class is unknown (could be I or III).
    assert judged["class_index"].tolist()[1] == NOT_JUDGEABLE
    assert judged["meets_target"].tolist()[1] is True
    # Hg <0.0002: detection limit above the III limit: cannot be judged, never "meets".
    assert judged["class_index"].tolist()[2] == NOT_JUDGEABLE
    assert pd.isna(judged["meets_target"].iloc[2])
    assert judged["exceedance_multiple"].isna().all()


def test_exceedance_multiple_is_against_the_target_and_undefined_for_do_and_ph(river: LimitTable) -> None:
    codes = np.array(["w01018", "w01018", "w01009", "w01001", "w21003"])
    values = np.array([30.0, 30.0, 2.0, 10.0, 1.0])
    judged = judge_readings(codes, values, np.zeros(5, bool), river, target=III)
    assert judged["exceedance_multiple"].iloc[0] == pytest.approx(0.5)  # (30-20)/20
    assert judged["exceedance_multiple"].iloc[2:4].isna().all()
    assert np.isnan(judged["exceedance_multiple"].iloc[4])  # equal to the limit: no exceedance
    against_ii = judge_readings(codes[:1], values[:1], np.zeros(1, bool), river, target=1)
    assert against_ii["exceedance_multiple"].iloc[0] == pytest.approx(1.0)  # (30-15)/15
    assert against_ii["limit"].iloc[0] == 15


def test_sample_class_is_the_worst_evaluated_item_and_reference_items_do_not_count(river: LimitTable) -> None:
    judgement = judge_sample({"w01018": 18.0, "w21003": 0.4, "w21001": 5.0, "w02003": 90000}, river, target=III)
    assert river.standard.class_name(judgement.class_index) == "III"  # TN and fecal coliform are reference only
    assert judgement.meets_target is True
    assert judgement.main_pollutants == []
    tn = judgement.items.set_index("code").loc["w21001"]
    assert not tn["evaluated"] and tn["class_index"] == 5


def test_main_pollutants_rank_class_then_multiple_with_cyanide_and_metals_first(river: LimitTable) -> None:
    judgement = judge_sample(
        {
            "w01018": 45.0,  # 劣V, multiple 1.25
            "w21003": 2.5,  # 劣V, multiple 1.5
            "w01019": 12.0,  # V, multiple 1.0
            "w20120": 0.06,  # Pb IV (> III limit 0.05), multiple 0.2: metal, listed first
            "w01009": 1.0,  # DO 劣V but carries no multiple
        },
        river,
        target=III,
    )
    assert river.standard.class_name(judgement.class_index) == "劣V"
    assert judgement.main_pollutants == ["w20120", "w21003", "w01018"]


def test_no_main_pollutants_when_the_sample_is_class_iii_or_better(river: LimitTable) -> None:
    assert judge_sample({"w01018": 20.0, "w21003": 1.0}, river, target=1).main_pollutants == []


def test_gb18918_judges_pass_fail_against_the_plant_class(config: Configuration) -> None:
    standard = config.standards["GB18918-2002"]
    cold = standard.limit_table(Situation(water_temp_c=10.0, built=dt.date(2004, 5, 1)))
    judgement = judge_sample({"w01018": 50.0, "w21003": 7.0, "w21011": 1.2, "w01001": 9.2}, cold, target=0)
    items = judgement.items.set_index("code")
    assert items.loc["w01018", "meets_target"]  # equal to the 1A limit
    assert items.loc["w21003", "meets_target"]  # 8 applies at ≤ 12 °C
    assert not items.loc["w21011", "meets_target"]  # 1.0 for plants built before 2006
    assert items.loc["w21011", "exceedance_multiple"] == pytest.approx(0.2)
    assert not items.loc["w01001", "meets_target"]
    assert judgement.meets_target is False
    assert judgement.main_pollutants == []


def test_alkyl_mercury_must_not_be_detected(config: Configuration) -> None:
    table = config.standards["GB18918-2002"].limit_table()
    judged = judge_readings(
        np.array(["w20113", "w20113"]), np.array([1e-5, 1e-5]), np.array([True, False]), table, target=0
    )
    assert judged["meets_target"].tolist() == [True, False]


def test_a_code_the_standard_does_not_list_is_not_judged(river: LimitTable) -> None:
    judged = judge_readings(np.array(["w00000"]), np.array([12.0]), np.array([False]), river, target=III)
    assert judged["class_index"].iloc[0] == NOT_JUDGED
    assert pd.isna(judged["meets_target"].iloc[0])
    assert not judged["evaluated"].iloc[0]


def test_vectorised_judgement_equals_one_reading_at_a_time(river: LimitTable) -> None:
    rng = np.random.default_rng(7)
    codes = rng.choice(np.array(river.codes), size=500)
    values = rng.lognormal(mean=-2, sigma=2.5, size=500)
    non_detect = rng.random(500) < 0.1
    together = judge_readings(codes, values, non_detect, river, target=III)
    one_by_one = pd.concat(
        [
            judge_readings(codes[i : i + 1], values[i : i + 1], non_detect[i : i + 1], river, target=III)
            for i in range(500)
        ],
        ignore_index=True,
    )
    pd.testing.assert_frame_equal(together, one_by_one)
