"""Compliance rates computed from reading frames with the pure models, no store in between."""

import pandas as pd

from models.configuration import Configuration
from models.period.evaluation import Evaluations, evaluate_all
from models.period.statistics import (
    daily_means,
    monthly_values,
    period_values,
    plant_daily_values,
    sampling_events,
    with_validity,
)
from models.rates.compliance import compliance_rates


def evaluations_of(config: Configuration, readings: pd.DataFrame, decimals: dict[str, int]) -> Evaluations:
    """Every evaluation of the readings' year(s), as the service builds them from a store."""
    plants = [s.id for s in config.sites.values() if s.kind == "plant"]
    is_plant = readings["site"].isin(plants).to_numpy()
    samples = readings.loc[readings["statistic"] == "sample"]
    plant_samples = samples.loc[samples["site"].isin(plants)]
    surface_samples = samples.loc[~samples["site"].isin(plants)]
    plant_daily = plant_daily_values(daily_means(readings.loc[is_plant]), plant_samples)
    auto_daily = with_validity(daily_means(readings.loc[~is_plant], min_valid_hours=1), 1)
    monthly = monthly_values(auto_daily, surface_samples, decimals=decimals)
    return evaluate_all(
        config,
        values=period_values(monthly, decimals=decimals),
        monthly=monthly,
        events=sampling_events(auto_daily, surface_samples, decimals=decimals),
        plant_daily=plant_daily,
    )


def rates_from_frames(config: Configuration, readings: pd.DataFrame, decimals: dict[str, int]) -> dict[str, dict]:
    """The JSON form of every rate of the readings."""
    rates = compliance_rates(config, evaluations_of(config, readings, decimals))
    return {rate_id: rate.as_dict() for rate_id, rate in rates.items()}
