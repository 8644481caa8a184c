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


def test_a_non_detect_takes_the_best_class_its_detection_limit_can_show(river: LimitTable) -> None:
    """As published bulletins judge a single sample: a non-detect is in the first class whose limit
    its detection limit meets (GB 3838-2002 表1; a provincial automatic-station weekly report gives
    a section with Cd 0.002L, every other item class I, as class II)."""
    judged = judge_readings(
        np.array(["w21003", "w20111", "w20111", "w20115", "w20115"]),
        np.array([0.025, 0.0001, 0.0002, 0.002, 0.02]),
        np.array([True, True, True, True, True]),
        river,
        target=III,
    )
    classes = judged["class_index"].tolist()
    meets = judged["meets_target"].tolist()
    # NH3-N 0.025L: 0.025 <= 0.15 (class I limit): class I, meets III.
    assert (classes[0], meets[0]) == (0, True)
    # Hg 0.0001L: above the class I/II limit 0.00005, at the class III limit 0.0001: class III, meets III.
    assert (classes[1], meets[1]) == (2, True)
    # Hg 0.0002L: above the III limit 0.0001, within the IV limit 0.001: class IV, fails a III target.
    assert (classes[2], meets[2]) == (3, False)
    # Cd 0.002L: above class I (0.001), within class II (0.005): class II, the bulletin's case.
    assert (classes[3], meets[3]) == (1, True)
    # Cd 0.02L: above even the class V limit 0.01: its limit shows no class, so it is not judgeable.
    assert classes[4] == NOT_JUDGEABLE
    assert pd.isna(judged["meets_target"].iloc[4])
    # The true value is below the detection limit: no exceedance multiple is known.
    assert judged["exceedance_multiple"].isna().all()


def test_a_bulletin_section_with_cd_below_a_detection_limit_above_class_i_is_class_ii(river: LimitTable) -> None:
    """The weekly report's section: Cd 0.002L (class I 0.001, class II 0.005), the rest class I."""
    sample = judge_sample(
        {"w21003": 0.1, "w01019": 1.5, "w21011": 0.01, "w20115": 0.002},
        river,
        target=0,
        non_detect={"w20115": True},
    )
    assert sample.class_index == 1
    assert sample.meets_target is False  # a class I target is not shown to be met


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
    # River total nitrogen is not evaluated at all (环办〔2011〕22号: "河流总氮除外"): no class, no multiple.
    tn = judgement.items.set_index("code").loc["w21001"]
    assert not tn["evaluated"] and tn["class_index"] == NOT_JUDGED and np.isnan(tn["exceedance_multiple"])


def test_lake_total_nitrogen_is_classed_on_its_own_beside_the_class(lake: LimitTable) -> None:
    """Lakes and reservoirs: TN is judged on its own (单独评价, 环办〔2011〕22号) and does not set the class."""
    judgement = judge_sample({"w21003": 0.4, "w21001": 1.2}, lake, target=III)
    assert lake.standard.class_name(judgement.class_index) == "II"  # NH3-N 0.4 <= 0.5
    tn = judgement.items.set_index("code").loc["w21001"]
    # TN 1.2: above III (1.0), within IV (1.5); multiple over III (1.2 - 1.0) / 1.0 = 0.2.
    assert not tn["evaluated"] and lake.standard.class_name(int(tn["class_index"])) == "IV"
    assert tn["exceedance_multiple"] == pytest.approx(0.2)


def test_main_pollutants_never_give_the_worst_class_places_to_metals(river: LimitTable) -> None:
    """环办〔2011〕22号: worst class first, then the multiple; three 劣V items keep all three places."""
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
    # 劣V items: NH3-N (1.5 times over III), COD (1.25), DO (no multiple, ranked last among them).
    assert judgement.main_pollutants == ["w21003", "w01018", "w01009"]


def test_main_pollutants_keep_the_worst_item_and_let_metals_take_the_weaker_places(river: LimitTable) -> None:
    """环办〔2011〕22号: the item that sets the class is always listed; cyanide and heavy metals over
    class III take the remaining places before weaker items and are listed first.

    NH3-N 3: above the V limit 2.0, 劣V. Pb 0.08: above IV 0.05, within V 0.1: class V, multiple over
    III (0.08 - 0.05) / 0.05 = 0.6. Cd 0.008: above IV 0.005, within V 0.01: class V, (0.008 - 0.005)
    / 0.005 = 0.6. Hg 0.0008: above III 0.0001, within IV 0.001: class IV. COD 35: above V? no,
    above IV 30 within V 40: class V, (35 - 20) / 20 = 0.75. The worst item NH3-N keeps its place;
    the two other places go to the metals of the worst remaining class, Pb and Cd (class V), before
    COD (class V but not a metal) and Hg (class IV).
    """
    judgement = judge_sample(
        {"w21003": 3.0, "w20120": 0.08, "w20115": 0.008, "w20111": 0.0008, "w01018": 35.0}, river, target=III
    )
    assert river.standard.class_name(judgement.class_index) == "劣V"
    assert judgement.main_pollutants == ["w20120", "w20115", "w21003"]


def test_a_metal_of_the_worst_class_is_listed_first(river: LimitTable) -> None:
    """Cyanide 0.25 (above the V limit 0.2: 劣V) and NH3-N 2.5 (劣V) both set the class; cyanide first."""
    judgement = judge_sample({"w21003": 2.5, "w21016": 0.25, "w01018": 35.0}, river, target=III)
    assert judgement.main_pollutants == ["w21016", "w21003", "w01018"]


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
