"""A period's values as an xarray Dataset: site x parameter x time, with CF attributes."""

import numpy as np
import pandas as pd
import xarray as xr

from models.sites import Site
from models.standards.catalogue import Catalogue

# Catalogue units that UDUNITS (CF) spells differently.
_CF_UNITS = {"°C": "degC", "1": "1", "个/L": "count/L"}


def period_cube(
    values: pd.DataFrame,
    catalogue: Catalogue,
    sites: dict[str, Site],
    *,
    time: str = "month",
    title: str = "wqmon period values",
) -> xr.Dataset:
    """A Dataset with ``value`` and ``n_values`` over (site, parameter, time).

    `values` has columns site, parameter, `time` (UTC instants), value, n_values, non_detect
    (the monthly or daily frames of models.period.statistics). Units cannot vary along a dimension in
    CF, so units and zh/en names are per-parameter coordinates (``unit``, ``long_name_zh``,
    ``long_name_en``).
    """
    frame = values.rename(columns={time: "time"}).copy()
    frame["time"] = pd.DatetimeIndex(frame["time"]).tz_convert("UTC").tz_localize(None)
    indexed = frame.set_index(["site", "parameter", "time"])[["value", "n_values", "non_detect"]]
    dataset = xr.Dataset.from_dataframe(indexed)
    codes = [str(c) for c in dataset["parameter"].values]
    site_ids = [str(s) for s in dataset["site"].values]
    dataset = dataset.assign_coords(
        site=np.array(site_ids, dtype=object),
        parameter=np.array(codes, dtype=object),
        unit=("parameter", [_CF_UNITS.get(catalogue[c].unit, catalogue[c].unit) for c in codes]),
        long_name_zh=("parameter", [catalogue[c].zh for c in codes]),
        long_name_en=("parameter", [catalogue[c].en for c in codes]),
        site_name=("site", [sites[s].name if s in sites else s for s in site_ids]),
        site_kind=("site", [sites[s].kind if s in sites else "" for s in site_ids]),
    )
    dataset["n_values"] = dataset["n_values"].fillna(0).astype("int32")
    dataset["non_detect"] = dataset["non_detect"].fillna(False).astype("int8")
    dataset["value"].attrs = {
        "long_name": "period mean in the catalogue unit of each parameter (see coordinate 'unit')",
        "long_name_zh": "时段均值（单位见坐标 unit）",
        "comment": "non-detects enter means at half the detection limit (环办监测函〔2020〕82号)",
    }
    dataset["n_values"].attrs = {"long_name": "number of values the mean rests on", "long_name_zh": "有效数据个数"}
    dataset["non_detect"].attrs = {
        "long_name": "1 when every value was below its detection limit",
        "flag_values": np.array([0, 1], dtype="int8"),
        "flag_meanings": "detected not_detected",
    }
    dataset["time"].attrs = {"standard_name": "time", "long_name": f"start of the {time} (UTC)"}
    dataset["site"].attrs = {"cf_role": "timeseries_id", "long_name": "site id"}
    dataset["parameter"].attrs = {"long_name": "HJ 212 parameter code"}
    dataset.attrs = {"Conventions": "CF-1.8", "title": title, "institution": "wqmon", "source": "wqmon store"}
    return dataset
