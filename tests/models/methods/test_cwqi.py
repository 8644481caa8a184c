"""CWQI by hand (城市地表水环境质量排名技术规定（试行）, 环办监测〔2017〕51号)."""

import pandas as pd
import pytest

from models.configuration import Configuration
from models.methods.cwqi import class_iii_limits, county_cwqi, cwqi_change_percent, mean_cwqi, section_cwqi
from models.standards.limits import Situation


@pytest.fixture(scope="module")
def limits() -> dict[str, dict[str, float]]:
    standard = Configuration.load().standards["GB3838-2002"]
    return {body: class_iii_limits(standard.limit_table(Situation(water_body=body))) for body in ("river", "lake")}


def test_class_iii_yardsticks_come_from_gb3838(limits: dict[str, dict[str, float]]) -> None:
    """GB 3838-2002 表1 class III: DO 5 (lower), CODMn 6, NH3-N 1.0, TP 0.2 (river) / 0.05 (lake)."""
    assert limits["river"]["w01009"] == 5 and limits["river"]["w01019"] == 6
    assert limits["river"]["w21011"] == 0.2 and limits["lake"]["w21011"] == 0.05
    assert "w21001" not in limits["river"] and "w01010" not in limits["river"]  # TN, temperature: not items


def test_section_cwqi_by_hand(limits: dict[str, dict[str, float]]) -> None:
    """pH 8: (8 − 7)/(9 − 7) = 0.5; DO 4: 5/4 = 1.25; CODMn 3: 3/6 = 0.5; NH3-N 1.5: 1.5/1 = 1.5;
    TP 0.1 (river): 0.1/0.2 = 0.5; TN is not an item. Σ = 4.25.
    The same values at a lake point: TP 0.1/0.05 = 2, pH 6.5: (7 − 6.5)/(7 − 6) = 0.5 ->
    0.5 + 1.25 + 0.5 + 1.5 + 2 = 5.75. NH3-N "0.1L" at the lake enters as ½ DL: 0.05/1 = 0.05."""
    codes = ["w01001", "w01009", "w01019", "w21003", "w21011", "w21001"]
    river = pd.DataFrame({"site": "r", "parameter": codes, "value": [8, 4, 3, 1.5, 0.1, 3.0], "non_detect": False})
    lake = river.assign(site="l", value=[6.5, 4, 3, 1.5, 0.1, 3.0])
    nd = pd.DataFrame({"site": ["n"], "parameter": ["w21003"], "value": [0.1], "non_detect": [True]})
    values = pd.concat([river.assign(water_body="river"), lake.assign(water_body="lake"), nd.assign(water_body="lake")])
    result = section_cwqi(values, limits).set_index("site")
    assert result.loc["r", "cwqi"] == pytest.approx(4.25)
    assert result.loc["r", "n_items"] == 5
    assert result.loc["l", "cwqi"] == pytest.approx(5.75)
    assert result.loc["n", "cwqi"] == pytest.approx(0.05)


def test_river_county_and_change() -> None:
    """River = mean of sections (4.25, 5.75 -> 5.0); county = rivers and lakes weighted by their
    sections: (5.0 × 2 + 8.0 × 1) / 3 = 6.0; ΔCWQI = (6.0 − 7.5)/7.5 × 100 = −20 % (better)."""
    river = mean_cwqi(pd.Series([4.25, 5.75]))
    assert river == pytest.approx(5.0)
    county = county_cwqi({"rivers": (river, 2), "lakes": (8.0, 1)})
    assert county == pytest.approx(6.0)
    assert cwqi_change_percent(county, 7.5) == pytest.approx(-20.0)
    assert cwqi_change_percent(county, None) is None and cwqi_change_percent(1.0, 0.0) is None
