"""The period cube: site x parameter x time with CF attributes, written to netCDF."""

from pathlib import Path

import pandas as pd
import xarray as xr

from models.configuration import Configuration
from models.period.cube import period_cube


def test_cube_round_trips_through_netcdf(county: Configuration, tmp_path: Path) -> None:
    months = pd.to_datetime(["2026-01-31 16:00", "2026-02-28 16:00"]).tz_localize("UTC")
    monthly = pd.DataFrame(
        {
            "site": ["s-town", "s-town", "l-east"],
            "parameter": ["w21003", "w21003", "w01010"],
            "month": [months[0], months[1], months[0]],
            "value": [0.5, 0.61, 12.5],
            "n_values": [2, 1, 30],
            "non_detect": False,
        }
    )
    cube = period_cube(monthly, county.catalogue, county.sites)
    assert cube["value"].dims == ("site", "parameter", "time")
    assert cube.attrs["Conventions"] == "CF-1.8"
    assert cube["unit"].sel(parameter="w01010").item() == "degC"
    assert cube["long_name_zh"].sel(parameter="w21003").item() == "氨氮"
    path = tmp_path / "2026-Q1.nc"
    cube.to_netcdf(path)
    with xr.open_dataset(path) as back:
        assert float(back["value"].sel(site="s-town", parameter="w21003").isel(time=1)) == 0.61
        assert int(back["n_values"].sel(site="l-east", parameter="w01010").isel(time=0)) == 30
        assert back["site_name"].sel(site="s-town").item() == "清河城区断面"
