"""Reading one period's data from a Store into the frames the compliance models take.

The store does the heavy aggregation (hourly values -> daily mean and count of flag-N values);
pH is read as hourly values because its mean goes through [H+] (models.period.statistics), and manual
samples are read as they are (a few per site and month).
"""

from dataclasses import dataclass
from typing import Any

import pandas as pd

from models.configuration import Configuration
from models.methods.seasons import Seasons, keep_season
from models.period.evaluation import Evaluations, PlantEvaluation, SurfaceEvaluation, evaluate_all
from models.period.periods import Period
from models.period.statistics import (
    HOURLY,
    MIN_VALID_HOURS_PER_DAY,
    PH,
    VALID_FLAGS,
    daily_from_aggregate,
    daily_means,
    local_floor,
    monthly_values,
    period_values,
    plant_daily_values,
    sampling_events,
    with_validity,
)
from models.reading import empty_readings
from store.base import Store

MIN_AUTO_VALUES_PER_DAY = 1  # surface automatic stations: minimum unknown (digest §7, [C])
# The statistics a period's evaluation reads: writes of any other (real-time, minute, daily values)
# leave every answer as it was, which the compliance cache relies on.
SAMPLE = "sample"
STATISTICS_READ: tuple[str, ...] = (*HOURLY, SAMPLE)


@dataclass(frozen=True)
class PeriodData:
    """A period's values at each step of aggregation."""

    period: Period
    plant_daily: pd.DataFrame  # models.period.statistics.plant_daily_values shape (online and lab)
    monthly: pd.DataFrame  # surface sites: site, parameter, month, value, n_values, non_detect, basis
    values: pd.DataFrame  # surface sites: period means, with n_months and n_values
    events: pd.DataFrame  # surface sites: each sampling event (models.period.statistics.sampling_events)


@dataclass(frozen=True)
class PeriodEvaluation:
    """The evaluations every view is built from, with the data they rest on."""

    data: PeriodData
    evaluations: Evaluations

    @property
    def period(self) -> SurfaceEvaluation:
        return self.evaluations.period

    @property
    def monthly(self) -> SurfaceEvaluation:
        return self.evaluations.monthly

    @property
    def events(self) -> SurfaceEvaluation:
        return self.evaluations.events

    @property
    def plants(self) -> PlantEvaluation:
        return self.evaluations.plants


def decimals_of(config: Configuration) -> dict[str, int]:
    """Digits kept per parameter (catalogue ``decimals``)."""
    return {p.code: p.decimals for p in config.catalogue if p.decimals is not None}


def load_period(
    store: Store,
    config: Configuration,
    period: Period,
    *,
    sites: list[str] | None = None,
    min_valid_hours: int = MIN_VALID_HOURS_PER_DAY,
    seasons: Seasons | None = None,
) -> PeriodData:
    """Daily plant means, monthly and period values of surface sites, for `period`.

    For a season of a year (period.season), surface sites keep the months of that season by
    their `seasons` months (models.methods.seasons); plants keep the whole year."""
    chosen = [s for s in config.sites.values() if sites is None or s.id in sites]
    plants = [s.id for s in chosen if s.kind == "plant"]
    surface = [s.id for s in chosen if s.kind != "plant"]
    # One pass over the store for every site: a long "site IN (…)" filter costs more than it saves.
    wanted = None if sites is None else [s.id for s in chosen]
    daily = _daily(store, wanted, period)
    in_plants = daily["site"].isin(plants).to_numpy()
    auto_daily = with_validity(daily.loc[daily["site"].isin(surface).to_numpy()], MIN_AUTO_VALUES_PER_DAY)
    wanted_samples = [*plants, *surface]
    samples = (
        store.read(sites=wanted_samples, statistics=[SAMPLE], start=period.start_utc, end=period.end_utc)
        if wanted_samples
        else _no_readings()
    )
    is_plant = samples["site"].isin(plants).to_numpy()
    plant_daily = plant_daily_values(
        with_validity(daily.loc[in_plants], min_valid_hours), samples.loc[is_plant], timezone=period.timezone
    )
    surface_samples = samples.loc[~is_plant]
    decimals = decimals_of(config)
    monthly = monthly_values(auto_daily, surface_samples, decimals=decimals, timezone=period.timezone)
    events = sampling_events(auto_daily, surface_samples, decimals=decimals)
    if period.season is not None:
        chosen_seasons = seasons or Seasons()
        monthly = keep_season(monthly, period.season, chosen_seasons, config.sites, timezone=period.timezone)
        events_month = events.assign(month=local_floor(events["event"], "M", period.timezone))
        events = keep_season(events_month, period.season, chosen_seasons, config.sites, timezone=period.timezone)
        events = events.drop(columns="month")
    values = period_values(monthly, decimals=decimals)
    return PeriodData(period=period, plant_daily=plant_daily, monthly=monthly, values=values, events=events)


def evaluate_data(data: PeriodData, config: Configuration) -> PeriodEvaluation:
    """Judge period means, monthly values, sampling events and plant days."""
    evaluations = evaluate_all(
        config,
        values=data.values,
        monthly=data.monthly,
        events=data.events,
        plant_daily=data.plant_daily,
        timezone=data.period.timezone,
    )
    return PeriodEvaluation(data=data, evaluations=evaluations)


def _daily(store: Store, sites: list[str] | None, period: Period) -> pd.DataFrame:
    """Daily means (flag N hourly values) of `sites` (None: all), pH through [H+]; validity not yet set."""
    if sites is not None and not sites:
        return daily_means(_no_readings(), timezone=period.timezone, min_valid_hours=1)
    window: dict[str, Any] = {"sites": sites, "start": period.start_utc, "end": period.end_utc}
    aggregate = store.aggregate("day", statistics=list(HOURLY), flags=VALID_FLAGS, timezone=period.timezone, **window)
    aggregate = aggregate.loc[aggregate["parameter"] != PH]
    ph = store.read(parameters=[PH], statistics=list(HOURLY), flags=list(VALID_FLAGS), **window)
    return pd.concat(
        [
            daily_from_aggregate(aggregate, min_valid_hours=1),
            daily_means(ph, timezone=period.timezone, min_valid_hours=1),
        ],
        ignore_index=True,
    )


def _no_readings() -> pd.DataFrame:
    return empty_readings()
