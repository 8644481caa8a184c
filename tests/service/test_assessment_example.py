"""The shipped worked example (config/examples/model-city): the demo county's 2025 assessment
reproduces the county's published figures — 17 indicators, 6 达标, 8 基本达标, 3 不达标, 96.5 points —
through `wqmon indicators --period 2025 --json`, water indicators computed from the demo data.

The scheme is an illustration (the county's weights are not public): deduction from 100,
基本达标 0.25 off, 不达标 0.5 off, so 100 - 8 x 0.25 - 3 x 0.5 = 100 - 2 - 1.5 = 96.5.
"""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


def wqmon(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "service", *args]
    return subprocess.run(
        command, cwd=ROOT, env={**os.environ, **(env or {})}, capture_output=True, text=True, timeout=300
    )


@pytest.fixture(scope="module")
def card(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("assessment") / "county"
    # The worked example is calendar 2025: the demo's generated year ends at the start of 2026.
    made = wqmon("demo", str(folder), "--no-serve", "--until", "2026-01-01")
    assert made.returncode == 0, made.stderr
    env = {
        "WQMON_CONFIG_DIR": str(folder / "config"),
        "WQMON_STORE": f"duckdb:///{folder / 'wqmon.duckdb'}",
        "WQMON_STATE_PATH": str(folder / "state.sqlite"),
    }
    result = wqmon("indicators", "--period", "2025", "--json", env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_the_worked_example_reproduces_17_6_8_3_and_96_5(card: dict[str, Any]) -> None:
    assert len(card["indicators"]) == 17
    assert card["counts"] == {"达标": 6, "基本达标": 8, "不达标": 3, "无数据": 0}
    assert (card["points"], card["max_points"]) == (96.5, 100)
    assert card["summary"] == "6 达标, 8 基本达标, 3 不达标, 96.5 分"
    assert card["scheme"]["kind"] == "deduction" and "未公开" in card["scheme"]["note"]
    deductions = sorted(-r["points"] for r in card["indicators"])
    assert deductions == [0] * 6 + [0.25] * 8 + [0.5] * 3


def test_the_water_indicators_come_from_data_and_the_others_by_hand(card: dict[str, Any]) -> None:
    rows = {r["id"]: r for r in card["indicators"]}
    # drinking-water sources: volume-weighted rate well below the basic band of 96 %
    assert rows["drinking-water-sources"]["rate_id"] == "drinking_water_sources"
    assert rows["drinking-water-sources"]["value"] < 96 and rows["drinking-water-sources"]["status"] == "不达标"
    # the stage-6 water indicator: the outgoing section misses its target in some months, and the
    # outgoing part has no 基本达标 band ("达到要求" is met or not) -> the part and so the indicator
    # are 不达标, whatever the functional zones show; both parts' rates beneath it
    water = rows["water-environment"]
    zones, outgoing = water["parts"]
    assert (zones["rate_id"], outgoing["rate_id"]) == ("functional_zone_frequency", "outgoing_sections")
    assert outgoing["value"] < 100 and outgoing["basic"] is None and outgoing["status"] == "不达标"
    assert zones["value"] < 100 and zones["status"] != "达标" and water["status"] == "不达标"
    # sewage treatment entered by hand, plant outflow beneath it as evidence only
    assert rows["sewage-treatment"]["source"] == "manual" and rows["sewage-treatment"]["status"] == "达标"
    assert rows["sewage-treatment"]["evidence"][0]["rate_id"] == "plant_outflow"
    # monitoring capacity: a status with evidence and date, not a number
    capacity = rows["monitoring-capacity"]
    assert capacity["value"] is None and capacity["status"] == "不达标" and capacity["entered"]["dated"] == "2025-11-30"
    assert card["title"]["vetoed"] is False and [c["met"] for c in card["basic_conditions"]] == [True, True]


def test_what_to_fix_lists_the_three_failures_first_with_the_sites_pulling_them_down(card: dict[str, Any]) -> None:
    fixes = card["fixes"]
    assert [f["points_at_stake"] for f in fixes] == [0.5] * 3 + [0.25] * 8
    assert [f["id"] for f in fixes[:3]] == ["drinking-water-sources", "water-environment", "monitoring-capacity"]
    zones = fixes[1]["measures"][0]
    numerator, denominator = (
        card["indicators"][3]["parts"][0]["numerator"],
        card["indicators"][3]["parts"][0]["denominator"],
    )
    assert zones["one_more_rate"] == round(100 * (numerator + 1) / denominator, 1)
    assert zones["needed_to_meet"] == denominator - numerator  # target 100 %: every monthly value must meet
    assert "qx-rujing" in {s["site"] for s in zones["sites"]}  # 清溪入境断面 pulls the zones down
