"""Indicators: bands, points and the scorecard totals; configuration errors name the place."""

from pathlib import Path

import pytest

from models.errors import ConfigError
from models.rates.indicators import Indicator, ManualValue, indicators_from_mapping, scorecard
from service.compliance_views import load_indicators


def indicator(**fields: object) -> Indicator:
    base: dict[str, object] = {
        "id": "x",
        "name_zh": "测试",
        "source": "functional_zones",
        "target": 100,
        "basic": 90,
        "points": 6,
    }
    return Indicator.model_validate({**base, **fields})


@pytest.mark.parametrize(
    ("value", "status", "points"),
    [(100.0, "达标", 6), (95.0, "基本达标", 3), (89.99, "不达标", 0), (None, "无数据", 0)],
)
def test_bands_and_points(value: float | None, status: str, points: float) -> None:
    item = indicator()
    assert item.status_of(value) == status
    assert item.points_for(item.status_of(value)) == points


def test_lower_is_better_indicators_reverse_the_bands() -> None:
    noise = indicator(source="manual", direction="lower", target=56, basic=58, unit="dB(A)", basic_points=2.5)
    assert [noise.status_of(v) for v in (55, 57, 59)] == ["达标", "基本达标", "不达标"]
    assert noise.points_for("基本达标") == 2.5


def test_scorecard_totals() -> None:
    items = [
        indicator(id="zones", source="functional_zones", points=10),
        indicator(id="sources", source="drinking_water_sources", target=100, basic=96, points=10),
        indicator(id="plants", source="plant_outflow", target=100, basic=95, points=6),
        indicator(id="green", source="manual", target=35, basic=32, points=4),
        indicator(id="satisfaction", source="manual", target=85, basic=80, points=4, basic_points=1.5),
    ]
    rates = {
        "functional_zones": {"rate": 100.0, "numerator": 2, "denominator": 2, "failing": []},
        "drinking_water_sources": {"rate": 97.5, "numerator": 3900000, "denominator": 4000000, "failing": []},
        "plant_outflow": {"rate": 90.0, "numerator": 9, "denominator": 10, "failing": [{"site": "p-city"}]},
    }
    manual = {"satisfaction": ManualValue(82.0, "2026年公众满意度调查报告", "张三", "2026-11-01T02:00:00+00:00")}
    card = scorecard(items, rates, manual, period="2026")
    assert [r["status"] for r in card["indicators"]] == ["达标", "基本达标", "不达标", "无数据", "基本达标"]
    assert card["points"] == 16.5 and card["max_points"] == 34
    assert card["summary"] == "1 达标, 2 基本达标, 1 不达标, 1 无数据, 16.5 分"
    assert card["indicators"][2]["failing"] == [{"site": "p-city"}]
    assert card["indicators"][4]["entered"]["entered_by"] == "张三"


def test_shipped_indicators_load_and_are_marked_unconfirmed() -> None:
    """The shipped system scores functional-zone compliance once (one form, inside the stage-6 water
    indicator) and plant outflow only as evidence of sewage treatment."""
    items = load_indicators(Path("/nonexistent"))
    assert {i.source for i in items} >= {"compound", "drinking_water_sources", "manual", "status"}
    water = next(i for i in items if i.source == "compound")
    assert [p.rate_id for p in water.parts] == ["functional_zones", "outgoing_sections"]
    scored = [i.rate_id for i in items] + [p.rate_id for i in items for p in i.parts]
    assert "plant_outflow" not in scored and "functional_zone_frequency" not in scored
    assert next(i for i in items if i.id == "sewage-treatment").evidence_rates == ("plant_outflow",)
    assert not any(i.confirmed for i in items)


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"source": "air_quality"}, "indicator 'x': field source"),
        ({"basic": 101}, "basic 101.0 is above target"),
        ({"points": -1}, "field points"),
        ({"colour": "red"}, "field colour"),
    ],
)
def test_bad_indicators_are_reported_with_file_indicator_and_field(entry: dict[str, object], message: str) -> None:
    base = {"id": "x", "name_zh": "测试", "source": "functional_zones", "target": 100, "basic": 90, "points": 6}
    with pytest.raises(ConfigError, match=message) as error:
        indicators_from_mapping({"indicators": [{**base, **entry}]}, origin="config/indicators.yaml")
    assert str(error.value).startswith("config/indicators.yaml: indicator 'x'")
