"""The same evaluation on every store backend (DuckDB and InfluxDB) as on the frames themselves."""

import json

from models.configuration import Configuration
from service.compliance_views import compliance_for, evaluate_period
from service.period_data import decimals_of
from store.base import Store
from tests.county_data import county_year
from tests.rates_from_frames import rates_from_frames


def test_compliance_is_the_same_on_each_backend_as_on_the_frames(store: Store, county: Configuration) -> None:
    readings = county_year()
    store.write(readings)
    from_store = compliance_for(county, store, "2026")["rates"]
    assert json.dumps(from_store, sort_keys=True) == json.dumps(
        rates_from_frames(county, readings, decimals_of(county)), sort_keys=True
    )
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
