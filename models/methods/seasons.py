"""Hydrological seasons: the months of each site's 丰水期 (wet), 平水期 (normal) and 枯水期 (dry).

GB 3838-2002 §4 (evaluation): where a water body's wet, normal and dry seasons are distinct, it
is evaluated per season; the 2011 method (环办〔2011〕22号) reports the seasons side by side in
annual evaluations. Neither text fixes the months: they depend on the basin, so they are data
(config/seasons.yaml): a default, overridden per functional zone, overridden per site. Each
set of months must give every month of the year to exactly one season.
"""

from collections.abc import Mapping
from typing import Any, Final, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from models.errors import ConfigError
from models.sites import Site

Season = Literal["wet", "normal", "dry"]
SEASONS: Final[tuple[Season, ...]] = ("wet", "normal", "dry")
SEASON_ZH: Final[dict[str, str]] = {"wet": "丰水期", "normal": "平水期", "dry": "枯水期"}


class SeasonMonths(BaseModel):
    """The months (1-12) of each season; together they cover the year once."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    wet: tuple[int, ...]
    normal: tuple[int, ...]
    dry: tuple[int, ...]

    @model_validator(mode="after")
    def _whole_year(self) -> "SeasonMonths":
        months = [*self.wet, *self.normal, *self.dry]
        bad = [m for m in months if not 1 <= m <= 12]
        if bad:
            raise ValueError(f"month {bad[0]} is not 1-12")
        twice = sorted({m for m in months if months.count(m) > 1})
        if twice:
            raise ValueError(f"month {twice[0]} is in more than one season")
        missing = sorted(set(range(1, 13)) - set(months))
        if missing:
            raise ValueError(f"month {missing[0]} is in no season; each month belongs to one season")
        return self

    def of(self, season: str) -> tuple[int, ...]:
        """The months of `season` (wet, normal or dry)."""
        return tuple(getattr(self, season))


class Seasons(BaseModel):
    """Season months: a default, per zone and per site (the most specific wins)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    default: SeasonMonths | None = None
    zones: dict[str, SeasonMonths] = {}
    sites: dict[str, SeasonMonths] = {}

    def months_of(self, site: Site) -> SeasonMonths | None:
        """The season months that apply to `site` (None when none is configured)."""
        if site.id in self.sites:
            return self.sites[site.id]
        if site.zone is not None and site.zone in self.zones:
            return self.zones[site.zone]
        return self.default


def seasons_from_mapping(data: Mapping[str, Any], *, origin: str) -> Seasons:
    """Validate the content of a seasons file; ConfigError naming the file, entry and problem."""
    try:
        return Seasons.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"] if part not in ("wet", "normal", "dry")) or "entry"
        raise ConfigError(f"{origin}: {where}: {first['msg']}") from None


def season_of_months(
    sites: pd.Series, months: np.ndarray, seasons: Seasons, config_sites: Mapping[str, Site]
) -> np.ndarray:
    """The season (wet/normal/dry, None when not configured) of each (site, month number 1-12)."""
    out = np.full(len(months), None, dtype=object)
    months = np.asarray(months, dtype=int)
    site_values = sites.to_numpy(dtype=object)
    for site_id in pd.unique(site_values):
        site = config_sites.get(str(site_id))
        chosen = seasons.months_of(site) if site is not None else None
        if chosen is None:
            continue
        rows = site_values == site_id
        for season in SEASONS:
            out[rows & np.isin(months, chosen.of(season))] = season
    return out


def keep_season(
    monthly: pd.DataFrame, season: str, seasons: Seasons, config_sites: Mapping[str, Site], *, timezone: str
) -> pd.DataFrame:
    """The rows of `monthly` (site, month as UTC month start, …) whose local month is in `season`
    for their site; sites without configured season months drop out."""
    if monthly.empty:
        return monthly
    months = pd.DatetimeIndex(monthly["month"]).tz_convert(timezone).month.to_numpy()
    found = season_of_months(monthly["site"], months, seasons, config_sites)
    return monthly.loc[found == season]
