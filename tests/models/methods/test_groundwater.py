"""A groundwater drinking-water source judged against class III of GB/T 14848-2017 (digest §6.3)."""

from pathlib import Path

import pandas as pd
import pytest

from models.configuration import Configuration
from models.period.evaluation import evaluate_surface
from models.period.statistics import daily_means, monthly_values
from models.rates.compliance import compliance_rates
from models.reading import empty_readings
from tests.rates_from_frames import evaluations_of
from tests.reading_builders import monthly_days, samples

DECIMALS = {"w21003": 2, "x-total-hardness": 0}
SITES = """
sites:
  - {id: well-north, name: 北郊水源井, kind: source, standard: GB14848-2017, target: III,
     withdrawal_m3_per_year: 1200000}
"""


@pytest.fixture(scope="module")
def wells(tmp_path_factory: pytest.TempPathFactory) -> Configuration:
    folder: Path = tmp_path_factory.mktemp("wells")
    (folder / "sites.yaml").write_text(SITES, encoding="utf-8")
    return Configuration.load(folder)


def test_the_groundwater_standard_ships_table_1(wells: Configuration) -> None:
    standard = wells.standards["GB14848-2017"]
    assert standard.kind == "groundwater"
    assert standard.class_name(2) == "III" and standard.class_name(4) == "V"  # V: worse than IV
    assert len(standard.codes) == 37  # 39 routine items less 嗅和味 and 肉眼可见物 (descriptive)
    assert all(row.source.startswith("表1 第") for row in standard.limits)


def test_a_well_is_judged_against_gb14848_class_iii(wells: Configuration) -> None:
    """NH3-N class III of GB/T 14848 表1 第18项 is 0.50 mg/L (GB 3838's is 1.0): in June the well's
    0.60 is class IV and fails, although it would meet class III of surface water.
    The year: 11 of 12 months meet, each month 1/12 of 1 200 000 m³: 1 100 000 / 1 200 000 = 91.67 %.
    Total hardness 400 mg/L (≤ 450, 表1 第6项) is class III and meets."""
    nh3n = [0.3] * 12
    nh3n[5] = 0.6
    readings = pd.concat(
        [
            samples("well-north", "w21003", monthly_days(2026), nh3n),
            samples("well-north", "x-total-hardness", monthly_days(2026), [400.0] * 12),
        ]
    )
    monthly = monthly_values(daily_means(empty_readings()), readings, decimals=DECIMALS)
    months = evaluate_surface(monthly, wells, by=("month",))
    local_month = months.sites["month"].dt.tz_convert("Asia/Shanghai").dt.month  # month starts are UTC
    june = months.sites.loc[local_month == 6].iloc[0]
    june_items = months.items.loc[(months.items["month"] == june["month"])].set_index("parameter")
    assert june_items.loc["w21003", "class_index"] == 3 and june_items.loc["w21003", "limit"] == 0.5
    assert june_items.loc["x-total-hardness", "class_index"] == 2
    rate = compliance_rates(wells, evaluations_of(wells, readings, DECIMALS))
    sources = rate["drinking_water_sources"].as_dict()
    assert (sources["numerator"], sources["denominator"], sources["rate"]) == (1_100_000, 1_200_000, 91.67)
    assert sources["failing"][0]["site"] == "well-north"
