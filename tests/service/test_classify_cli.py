"""`wqmon classify` prints one JSON object, and exits 2 with a clear message on bad input."""

import json
import subprocess
import sys

import pytest


def wqmon(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "service", *args], capture_output=True, text=True, timeout=60)


def test_surface_water_sample_as_json() -> None:
    result = wqmon(
        "classify", "--standard", "GB3838-2002", "--target", "III", "COD=25", "氨氮=2.5", "DO=4", "Hg=0.0002L"
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["class"] == "劣V"
    assert out["main_pollutants"] == ["w21003", "w01018", "w01009"]
    items = {item["code"]: item for item in out["items"]}
    assert items["w01018"] == {
        "code": "w01018",
        "value": 25.0,
        "non_detect": False,
        "limit": 20.0,
        "exceedance_multiple": 0.25,
        "source": "GB3838-2002 表1 第5项",
        "class": "IV",
        "meets_target": False,
        "evaluated": True,
    }
    # Hg 0.0002L: the detection limit is above the class III limit 0.0001 and within class IV (0.001):
    # the best class it can show is IV, which fails III; a non-detect has no multiple and, with no
    # known exceedance, is not put first as a heavy metal.
    assert (items["w20111"]["class"], items["w20111"]["meets_target"]) == ("IV", False)
    assert items["w20111"]["exceedance_multiple"] is None
    assert items["w01009"]["exceedance_multiple"] is None


def test_table_2_items_are_reported_but_not_judged_at_a_river_section() -> None:
    """GB 3838-2002 §3/§5: Table 2 (iron 0.3) applies at drinking-water sources only."""
    out = json.loads(wqmon("classify", "--water-body", "river", "--target", "II", "NH3-N=0.3", "铁=0.5").stdout)
    assert (out["class"], out["meets_target"]) == ("II", True)  # NH3-N 0.3 <= 0.5 (class II)
    iron = next(item for item in out["items"] if item["code"] == "w20125")
    assert iron["evaluated"] is False and iron["meets_target"] is None and iron["limit"] is None


def test_table_2_items_are_judged_at_a_drinking_water_source() -> None:
    out = json.loads(wqmon("classify", "--source", "--target", "II", "NH3-N=0.3", "铁=0.5").stdout)
    iron = next(item for item in out["items"] if item["code"] == "w20125")
    assert (iron["limit"], iron["meets_target"], out["meets_target"]) == (0.3, False, False)


@pytest.mark.parametrize(
    ("plant_class", "items", "meets"),
    [
        # GB 18918-2002 表1: class 2 has no TN limit ("—"); TN 35 is not judged, the sample meets.
        ("2", ["TN=35"], True),
        # Class 3 has none for NH3-N, TN or fecal coliform; COD 100 <= 120 meets.
        ("3", ["NH3-N=40", "TN=60", "粪大肠菌群=50000", "COD=100"], True),
        # Class 1B: TN 35 > 20 fails.
        ("1B", ["TN=35"], False),
    ],
)
def test_a_dash_in_gb18918_is_no_limit(plant_class: str, items: list[str], meets: bool) -> None:
    args = ["classify", "--standard", "GB18918-2002", "--class", plant_class, "--built", "2010-01-01", *items]
    out = json.loads(wqmon(*args).stdout)
    assert out["meets"] is meets


def test_lake_and_target_options() -> None:
    out = json.loads(wqmon("classify", "--water-body", "lake", "--target", "II", "TP=0.04").stdout)
    assert out["class"] == "III" and out["target"] == "II" and out["meets_target"] is False


def test_plant_outflow_sample_with_temperature_and_build_date() -> None:
    result = wqmon(
        "classify", "--standard", "GB18918-2002", "--class", "1A", "--water-temp", "10", "--built", "2004-05-01",
        "COD=45", "NH3-N=7", "TP=0.8",
    )  # fmt: skip
    out = json.loads(result.stdout)
    assert out["class"] == "1A" and out["meets"] is True
    assert [item["limit"] for item in out["items"]] == [50.0, 8.0, 1.0]
    assert all(item["meets"] for item in out["items"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["XYZ=1"], "unknown parameter 'XYZ'"),
        (["--target", "IIII", "COD=1"], "class 'IIII' is not one of I, II, III, IV, V"),
        (["--standard", "GB0000", "COD=1"], "unknown standard 'GB0000'"),
        (["--standard", "GB18918-2002", "COD=1"], "needs --class, one of 1A, 1B, 2, 3"),
        (["COD=abc"], "'abc' is not a number"),
        (["COD"], "'COD' is not CODE=VALUE"),
    ],
)
def test_bad_input_exits_2_saying_what_is_wrong(args: list[str], message: str) -> None:
    result = wqmon("classify", *args)
    assert result.returncode == 2
    assert message in result.stderr
