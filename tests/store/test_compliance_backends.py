"""The same evaluation on every store backend (DuckDB and InfluxDB) as on the frames themselves."""

import json

import pandas as pd

from models.configuration import Configuration
from models.period.evaluation import evaluate_plants, evaluate_surface
from models.period.statistics import daily_means, monthly_values, period_values
from models.rates.compliance import compliance_rates
from models.reading import empty_readings
from service.compliance_views import compliance_for, evaluate_period
from service.period_data import decimals_of
from store.base import Store
from tests.county_data import county_year


def rates_from_frames(county: Configuration, readings: pd.DataFrame) -> dict[str, dict]:
    """The rates computed from the readings directly, with no store in between."""
    plants = readings.loc[readings["site"].str.startswith("p-")]
    surface = readings.loc[~readings["site"].str.startswith("p-")]
    decimals = decimals_of(county)
    monthly = monthly_values(daily_means(empty_readings()), surface, decimals=decimals)
    period = evaluate_surface(period_values(monthly, decimals=decimals), county)
    months = evaluate_surface(monthly, county, by=("month",))
    rates = compliance_rates(county, period, months, evaluate_plants(daily_means(plants), county))
    return {k: v.as_dict() for k, v in rates.items()}


def test_compliance_is_the_same_on_each_backend_as_on_the_frames(store: Store, county: Configuration) -> None:
    readings = county_year()
    store.write(readings)
    from_store = compliance_for(county, store, "2026")["rates"]
    assert json.dumps(from_store, sort_keys=True) == json.dumps(rates_from_frames(county, readings), sort_keys=True)
    assert from_store["drinking_water_sources"]["rate"] == 97.92
    assert from_store["plant_outflow"]["numerator"] == 2 and from_store["plant_outflow"]["denominator"] == 3


def test_evaluation_of_a_month_on_each_backend(store: Store, county: Configuration) -> None:
    store.write(county_year())
    body = evaluate_period(county, store, "2026-07")
    sites = {s["site"]: (s["class"], s["meets_target"], s["n_values"]) for s in body["sites"]}
    assert sites == {
        "s-outgoing": ("II", True, 1),
        "s-town": ("V", False, 1),
        "s-upstream": ("II", True, 1),
        "src-east": ("III", True, 1),  # lake TP limits: 0.03 is class III
        "src-west": ("II", True, 1),
    }
    plant = body["plants"][0]
    assert (plant["valid_days"], plant["compliant_days"]) == (3, 2)
