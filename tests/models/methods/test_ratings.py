"""River ratings by the 2011 method (环办〔2011〕22号 river/basin evaluation; digest §3.4-3.5)."""

import numpy as np
import pandas as pd
import pytest

from models.methods.ratings import class_shares, exceedance_rates, rate_group, rating_by_proportion, rating_of_class


@pytest.mark.parametrize(
    ("good", "worst", "rating"),
    [
        (90.0, 0.0, "excellent"),  # P(I-III) ≥ 90 %
        (89.99, 0.0, "good"),  # 75 % ≤ P(I-III) < 90 %
        (75.0, 25.0, "good"),  # 良好 does not look at 劣V
        (74.99, 19.99, "slightly polluted"),  # P(劣V) < 20 %
        (74.99, 20.0, "moderately polluted"),  # 20 % ≤ P(劣V) < 40 %
        (60.0, 39.99, "moderately polluted"),
        (60.0, 40.0, "heavily polluted"),  # P(劣V) ≥ 40 %
    ],
)
def test_class_proportion_bands_at_their_edges(good: float, worst: float, rating: str) -> None:
    assert rating_by_proportion(good, worst) == rating


def test_section_rating_follows_its_class() -> None:
    """I-II 优, III 良好, IV 轻度污染, V 中度污染, 劣V 重度污染."""
    assert [rating_of_class(i) for i in range(6)] == [
        "excellent", "excellent", "good", "slightly polluted", "moderately polluted", "heavily polluted",
    ]  # fmt: skip
    assert rating_of_class(-1) is None


def _items(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "site": [r[0] for r in rows],
            "parameter": [r[1] for r in rows],
            "multiple_iii": [r[2] for r in rows],
            "evaluated": True,
        }
    )


def test_five_sections_use_the_class_proportion_method() -> None:
    """Classes I, II, III, IV, 劣V: P(I-III) = 3/5 = 60 %, P(劣V) = 1/5 = 20 % -> 中度污染.
    NH3-N exceeds III at 2 of 5 sections (40 %), TP at 1 (20 %), CODMn at none: main pollutants
    NH3-N then TP."""
    sections = pd.DataFrame({"site": ["a", "b", "c", "d", "e"], "class_index": [0, 1, 2, 3, 5]})
    items = _items(
        [(s, "w21003", m) for s, m in zip("abcde", [np.nan, np.nan, np.nan, 0.2, 1.5], strict=True)]
        + [(s, "w21011", m) for s, m in zip("abcde", [np.nan, np.nan, np.nan, np.nan, 0.4], strict=True)]
        + [(s, "w01019", np.nan) for s in "abcde"]
    )
    rating = rate_group("river", "清河", sections, items)
    assert rating.method == "class proportion"
    assert (rating.good_percent, rating.worse_than_v_percent) == (60.0, 20.0)
    assert rating.rating == "moderately polluted"
    assert rating.main_pollutants == ["w21003", "w21011"]
    assert rating.exceedance.set_index("parameter")["rate"].to_dict() == {"w21003": 40.0, "w21011": 20.0, "w01019": 0.0}
    assert not rating.no_worse_than_v and rating.worse_than_v_sites == ["e"]


def test_four_sections_take_the_averaged_section() -> None:
    sections = pd.DataFrame({"site": ["a", "b", "c", "d"], "class_index": [1, 1, 2, 3]})
    rating = rate_group("river", "清河", sections, _items([]), averaged_class=2, averaged_pollutants=[])
    assert rating.method == "mean of sections" and rating.rating == "good" and rating.no_worse_than_v


def test_class_shares_count_judged_sections_only() -> None:
    shares = class_shares(np.array([0, 2, 2, 5, -1]))
    assert [s["sections"] for s in shares] == [1, 0, 2, 0, 0, 1]
    assert [s["percent"] for s in shares] == [25.0, 0.0, 50.0, 0.0, 0.0, 25.0]
    assert shares[5]["colour"]["name"] == "red" and shares[2]["colour"]["name"] == "green"


def test_exceedance_rates_ignore_items_not_evaluated() -> None:
    items = _items([("a", "w21003", 0.5), ("b", "w21003", np.nan)])
    items.loc[1, "evaluated"] = False
    assert exceedance_rates(items)["rate"].tolist() == [100.0]
