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
    assert items["w20111"]["meets_target"] is None  # detection limit above the class III limit
    assert items["w01009"]["exceedance_multiple"] is None


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
