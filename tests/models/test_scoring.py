"""Scoring schemes (models/rates/scoring.py): points per status, deduction per status or per unit
short of target with a cap, basic conditions that veto the title; compound indicators and forms.

Every expected total is worked out by hand in the test from the scheme's rule.
"""

from typing import Any

import pytest

from models.errors import ConfigError
from models.rates.indicators import ManualStatus, ManualValue, scorecard, system_from_mapping

RATES: dict[str, dict[str, Any]] = {
    "functional_zones": {"rate": 100.0, "numerator": 4, "denominator": 4, "failing": []},
    "functional_zone_sections": {"rate": 80.0, "numerator": 4, "denominator": 5, "failing": []},
    "functional_zone_frequency": {
        "rate": 85.42, "numerator": 41, "denominator": 48,
        "failing": [{"site": "qx-rujing", "name": "清溪入境断面",
                     "items": [{"code": "w01018", "name": "化学需氧量", "times": 4, "exceedance_multiple": 0.147}]}],
    },
    "outgoing_sections": {
        "rate": 91.67, "numerator": 11, "denominator": 12,
        "failing": [{"site": "qx-chujing", "name": "清溪出境断面",
                     "items": [{"code": "w01018", "name": "化学需氧量", "times": 1, "exceedance_multiple": 0.04}]}],
    },
    "drinking_water_sources": {"rate": 97.0, "numerator": 970, "denominator": 1000, "failing": []},
    "plant_outflow": {"rate": 99.45, "numerator": 360, "denominator": 362, "failing": []},
}  # fmt: skip


def entered(value: float) -> ManualValue:
    return ManualValue(value, "年报", "张三", "2026-01-05T02:00:00+00:00")


def status(word: str) -> ManualStatus:
    return ManualStatus(word, "验收意见", "2025-11-30", "张三", "2026-01-05T02:00:00+00:00")  # type: ignore[arg-type]


def manual(id_: str, target: float, basic: float, **more: Any) -> dict[str, Any]:
    return {"id": id_, "name_zh": id_, "source": "manual", "target": target, "basic": basic, **more}


def test_points_scheme_with_partial_credit_for_failing() -> None:
    """Points: 达标 all, 基本达标 basic_share 0.4, 不达标 fail_share 0.1, unless the indicator says.

    a: 10 pts, 达标            -> 10
    b: 10 pts, 基本达标        -> 10 x 0.4 = 4
    c: 10 pts, 不达标          -> 10 x 0.1 = 1
    d:  8 pts, 不达标, fail_points 3 -> 3
    e:  6 pts, no value (无数据)     -> 0
    total 18 of 44
    """
    system = system_from_mapping(
        {
            "scheme": {"kind": "points", "basic_share": 0.4, "fail_share": 0.1},
            "indicators": [
                manual("a", 85, 80, points=10),
                manual("b", 85, 80, points=10),
                manual("c", 85, 80, points=10),
                manual("d", 85, 80, points=8, fail_points=3),
                manual("e", 85, 80, points=6),
            ],
        },
        origin="test",
    )
    card = scorecard(
        system, RATES, {"a": entered(90), "b": entered(82), "c": entered(70), "d": entered(10)}, period="2025"
    )
    assert [r["points"] for r in card["indicators"]] == [10, 4, 1, 3, 0]
    assert (card["points"], card["max_points"]) == (18, 44)
    assert [r["points_at_stake"] for r in card["indicators"]] == [0, 6, 9, 5, 6]
    assert card["scheme"]["kind"] == "points" and all(r["scheme"] == "points" for r in card["indicators"])
    assert card["indicators"][1]["score_rule"] == "得分制: 基本达标 得 4 / 10 分"
    # what to fix: largest stake first (c 9, then b and e 6 in file order, then d 5)
    assert [f["id"] for f in card["fixes"]] == ["c", "b", "e", "d"]


def test_deduction_scheme_per_status_and_per_unit_with_a_cap() -> None:
    """Deduction from 100: 基本达标 -1, 不达标 -2 (无数据 as 不达标); one indicator -3 when 不达标;
    one -0.5 per unit short of target, at most -2.

    a 达标 0; b 基本达标 -1; c 不达标 -2; d no value -2 (as 不达标);
    e 不达标 with its own deduction -3;
    f 82 against 85: 3 units short x 0.5 = -1.5 (基本达标, under the cap);
    g 70 against 85: 15 x 0.5 = 7.5, capped -2.
    100 - (0 + 1 + 2 + 2 + 3 + 1.5 + 2) = 100 - 11.5 = 88.5
    """
    system = system_from_mapping(
        {
            "scheme": {"kind": "deduction", "full_score": 100, "deduct": {"基本达标": 1, "不达标": 2}},
            "indicators": [
                manual("a", 85, 80),
                manual("b", 85, 80),
                manual("c", 85, 80),
                manual("d", 85, 80),
                manual("e", 85, 80, deduct={"不达标": 3}),
                manual("f", 85, 80, deduct_per_unit=0.5, deduct_cap=2),
                manual("g", 85, 80, deduct_per_unit=0.5, deduct_cap=2),
            ],
        },
        origin="test",
    )
    values = {"a": 90, "b": 81, "c": 50, "e": 10, "f": 82, "g": 70}
    card = scorecard(system, RATES, {k: entered(v) for k, v in values.items()}, period="2025")
    assert [r["points"] for r in card["indicators"]] == [0, -1, -2, -2, -3, -1.5, -2]
    assert (card["points"], card["max_points"]) == (88.5, 100)
    assert card["scheme"]["base_points"] == 100
    assert card["summary"] == "1 达标, 2 基本达标, 3 不达标, 1 无数据, 88.5 分"
    assert card["indicators"][5]["score_rule"] == "扣分制: 每差 1% 扣 0.5 分, 最多扣 2 分 → 扣 1.5 分"
    assert [f["points_at_stake"] for f in card["fixes"]] == [3, 2, 2, 2, 1.5, 1]


def test_a_compound_indicator_is_met_only_when_every_part_is() -> None:
    """Stage-6 water indicator: functional zones (by zone: 4/4 = 100 %) and outgoing sections
    (11/12 = 91.67 %, basic 80): one part 基本达标, so the indicator is 基本达标, each part's rate
    beneath it; with the frequency form (85.42 % < basic 90) it is 不达标."""

    def water(form: str) -> dict[str, Any]:
        return {
            "scheme": {"kind": "points"},
            "indicators": [
                {"id": "water", "name_zh": "水环境质量", "points": 10, "parts": [
                    {"id": "zones", "name_zh": "功能区", "source": "functional_zone_compliance", "form": form,
                     "target": 100, "basic": 90},
                    {"id": "out", "name_zh": "出境", "source": "outgoing_sections", "target": 100, "basic": 80},
                ]},
            ],
        }  # fmt: skip

    row = scorecard(system_from_mapping(water("by_zone"), origin="t"), RATES, {}, period="2025")["indicators"][0]
    assert row["source"] == "compound" and row["status"] == "基本达标" and row["points"] == 5
    assert [(p["id"], p["rate_id"], p["value"], p["status"]) for p in row["parts"]] == [
        ("zones", "functional_zones", 100.0, "达标"),
        ("out", "outgoing_sections", 91.67, "基本达标"),
    ]
    card = scorecard(system_from_mapping(water("by_frequency"), origin="t"), RATES, {}, period="2025")
    row = card["indicators"][0]
    assert row["status"] == "不达标" and row["parts"][0]["rate_id"] == "functional_zone_frequency"
    assert {s["site"] for s in row["failing"]} == {"qx-rujing", "qx-chujing"}
    fix = card["fixes"][0]
    # 41/48: 100 % needs 48 - 41 = 7 more compliant monthly values; one more gives 42/48 = 87.5 %
    zones = fix["measures"][0]
    assert (zones["needed_to_meet"], zones["one_more_rate"]) == (7, 87.5)
    # 化学需氧量 0.147 times over: the value must fall by 0.147 / 1.147 = 12.8 %
    assert zones["sites"][0]["items"][0]["cut_needed_percent"] == 12.8
    assert "再多 1 次(月)监测达标, 达标率升至 87.5%" in fix["advice"][0]


def test_the_form_named_is_scored_and_the_others_shown_beside_it() -> None:
    system = system_from_mapping(
        {"indicators": [{"id": "zones", "name_zh": "功能区", "source": "functional_zone_compliance",
                         "form": "by_site", "target": 100, "basic": 75, "points": 4}]},
        origin="t",
    )  # fmt: skip
    row = scorecard(system, RATES, {}, period="2025")["indicators"][0]
    assert (row["rate_id"], row["value"], row["status"], row["points"]) == (
        "functional_zone_sections",
        80.0,
        "基本达标",
        2,
    )
    assert row["other_forms"] == {"by_zone": 100.0, "by_frequency": 85.42}


def test_evidence_rates_are_shown_not_scored_and_statuses_are_entered_with_evidence_and_date() -> None:
    """Sewage treatment 88 % >= 85 达标 (6 points) with plant outflow beneath; monitoring capacity
    entered as 不达标 (0 of 4): total 6 of 10, plant outflow adds nothing."""
    system = system_from_mapping(
        {"indicators": [
            manual("sewage", 85, 80, points=6, evidence_rates=["plant_outflow"]),
            {"id": "monitoring", "name_zh": "环境监测能力建设达标", "source": "status", "points": 4},
        ]},
        origin="t",
    )  # fmt: skip
    card = scorecard(system, RATES, {"sewage": entered(88)}, period="2025", statuses={"monitoring": status("不达标")})
    sewage, monitoring = card["indicators"]
    assert sewage["evidence"][0]["rate_id"] == "plant_outflow" and sewage["evidence"][0]["value"] == 99.45
    assert monitoring["status"] == "不达标" and monitoring["entered"]["dated"] == "2025-11-30"
    assert card["points"] == 6 and card["max_points"] == 10


def test_a_basic_condition_not_met_vetoes_the_title_whatever_the_points() -> None:
    system = system_from_mapping(
        {
            "indicators": [manual("a", 85, 80, points=10)],
            "basic_conditions": [
                {"id": "reduction", "name_zh": "完成减排任务"},
                {"id": "incident", "name_zh": "无重大事件"},
            ],
        },
        origin="t",
    )
    full = scorecard(system, RATES, {"a": entered(99)}, period="2025", statuses={"reduction": status("不达标")})
    assert full["points"] == full["max_points"] == 10
    assert full["title"] == {
        "vetoed": True,
        "unmet": ["reduction"],
        "pending": ["incident"],
        "verdict": "基本条件未满足, 一票否决 (不论得分)",
    }
    met = {"reduction": status("达标"), "incident": status("达标")}
    assert scorecard(system, RATES, {}, period="2025", statuses=met)["title"]["vetoed"] is False


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"indicators": [{"id": "x", "name_zh": "x", "source": "functional_zone_compliance", "target": 1, "basic": 1}]},
         "indicator 'x': source 'functional_zone_compliance' needs form: one of by_zone, by_site, by_frequency"),
        ({"indicators": [{"id": "x", "name_zh": "x", "parts": [{"id": "p", "name_zh": "p", "source": "nowhere",
                                                                 "target": 1}]}]},
         "indicator 'x': field parts.0: 'nowhere' is not one of"),
        ({"indicators": [manual("x", 85, 80, deduct={"不达标": 1})]},
         "indicator 'x': deductions need scheme kind 'deduction'"),
        ({"scheme": {"kind": "deduction"}, "indicators": [manual("x", 85, 80, deduct_per_unit=1)]},
         "indicator 'x': deduct_per_unit and deduct_cap go together"),
        ({"scheme": {"kind": "points", "deduct": {"不达标": 1}}}, "scheme 'scheme': deduct applies to scheme kind"),
        ({"indicators": [manual("x", 85, 80)], "basic_conditions": [{"id": "x", "name_zh": "x"}]},
         "basic condition 'x' is listed twice"),
    ],
)  # fmt: skip
def test_bad_systems_name_the_file_entry_and_what_is_allowed(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")) as error:
        system_from_mapping(data, origin="config/indicators.yaml")
    assert str(error.value).startswith("config/indicators.yaml: ")
