"""Evaluating period values: each site by its own standard, target and water body; plants by day."""

import numpy as np
import pandas as pd

from models.configuration import Configuration
from models.period.evaluation import JUDGED_COLUMNS, evaluate_plants, evaluate_surface
from models.standards.classification import main_pollutants


def values(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "site": [r[0] for r in rows],
            "parameter": [r[1] for r in rows],
            "value": [r[2] for r in rows],
            "n_values": 12,
            "non_detect": False,
        }
    )


def test_site_class_is_the_worst_item_and_main_pollutants_rank_by_class_then_multiple(county: Configuration) -> None:
    frame = values(
        [
            ("s-town", "w21003", 1.8),  # class V, 0.8 over III
            ("s-town", "w21011", 0.35),  # class V, 0.75 over III
            ("s-town", "w01019", 8.0),  # class IV
            ("s-town", "w01009", 7.0),  # DO class II
            ("s-upstream", "w21003", 0.4),
        ]
    )
    result = evaluate_surface(frame, county)
    sites = result.sites.set_index("site")
    assert sites.loc["s-town", "class"] == "V" and not sites.loc["s-town", "meets_target"]
    assert sites.loc["s-town", "main_pollutants"] == ["w21003", "w21011", "w01019"]
    assert sites.loc["s-upstream", "class"] == "II" and sites.loc["s-upstream", "main_pollutants"] == []
    assert sites.loc["s-town", "n_values"] == 12


def test_lake_points_use_lake_tp_limits_and_their_zone_target(county: Configuration) -> None:
    # TP 0.04: river class II, lake class III; l-east's zone wants class II.
    result = evaluate_surface(values([("l-east", "w21011", 0.04), ("s-town", "w21011", 0.04)]), county)
    sites = result.sites.set_index("site")
    assert sites.loc["l-east", "class"] == "III" and not sites.loc["l-east", "meets_target"]
    assert sites.loc["s-town", "class"] == "II" and sites.loc["s-town", "meets_target"]
    lake = result.items.set_index("site").loc["l-east"]
    assert lake["limit"] == 0.025 and round(lake["exceedance_multiple"], 2) == 0.6


def test_plants_compliant_days_per_item(county: Configuration) -> None:
    days = pd.date_range("2026-06-30 16:00", periods=3, freq="D", tz="UTC")
    daily = pd.DataFrame(
        {
            "site": "p-city",
            "parameter": ["w01018"] * 3 + ["w21003"] * 3,
            "day": list(days) * 2,
            "value": [40.0, 55.0, 45.0, 4.0, 4.5, 7.0],
            "n_values": [24, 24, 10, 24, 24, 24],
            "non_detect": False,
            "valid": [True, True, False, True, True, True],
        }
    )
    result = evaluate_plants(daily, county)
    per_item = result.per_item.set_index("parameter")
    assert per_item.loc["w01018", ["valid_days", "compliant_days", "invalid_days"]].tolist() == [2, 1, 1]
    assert per_item.loc["w21003", ["valid_days", "compliant_days", "invalid_days"]].tolist() == [3, 2, 0]
    assert result.days["meets"].tolist() == [True, False, False]


def test_vectorised_main_pollutants_match_classification_main_pollutants(county: Configuration) -> None:
    rng = np.random.default_rng(3)
    codes = ["w21003", "w21011", "w01019", "w01009", "w01001", "w20120", "w21016", "w01018"]
    sites = ["s-town", "s-upstream", "l-east", "src-west"]
    months = pd.date_range("2025-12-31 16:00", periods=12, freq="MS", tz="UTC")
    frame = pd.DataFrame(
        [(s, m, c) for s in sites for m in months for c in codes], columns=["site", "month", "parameter"]
    )
    levels = {"w21003": 1.2, "w21011": 0.25, "w01019": 7.0, "w01009": 4.0, "w01001": 7.5, "w20120": 0.04,
              "w21016": 0.15, "w01018": 22.0}  # fmt: skip
    frame["value"] = frame["parameter"].map(levels) * rng.lognormal(0, 0.5, len(frame))
    frame["n_values"] = 1
    frame["non_detect"] = False
    result = evaluate_surface(frame, county, by=("month",))
    assert sum(len(p) > 0 for p in result.sites["main_pollutants"]) > 20
    for row in result.sites.itertuples(index=False):
        items = result.items.loc[(result.items["site"] == row.site) & (result.items["month"] == row.month)]
        site = county.sites[row.site]
        table = county.standards[site.standard].limit_table(county.situation_of(site))
        expected = main_pollutants(items["parameter"].to_numpy(), items[JUDGED_COLUMNS].reset_index(drop=True), table)
        assert row.main_pollutants == expected


def test_main_pollutants_of_string_typed_frames_as_stores_give_them(county: Configuration) -> None:
    """Stores give Arrow/NA-aware strings: the first sample's list must not be lost to an NA comparison."""
    values = pd.DataFrame(
        {
            "site": pd.array(["s-town", "s-town", "s-upstream"], dtype="string"),
            "parameter": pd.array(["w21003", "w01018", "w21003"], dtype="string"),
            "value": [1.6, 10.0, 2.5],  # s-town NH3-N class V; s-upstream NH3-N 劣V
            "n_values": [1, 1, 1],
            "non_detect": [False, False, False],
        }
    )
    sites = evaluate_surface(values, county).sites.set_index("site")
    assert sites.loc["s-town", "main_pollutants"] == ["w21003"]
    assert sites.loc["s-upstream", "main_pollutants"] == ["w21003"]
