"""Building reading frames for tests: hourly online series and manual samples."""

import pandas as pd

from models.reading import as_readings


def hourly(
    site: str, parameter: str, local_day: str, values: list[float], *, flags: list[str] | None = None
) -> pd.DataFrame:
    """Hourly means (hour_avg) from local midnight of `local_day` (Asia/Shanghai), one per value."""
    start = pd.Timestamp(local_day, tz="Asia/Shanghai")
    times = pd.date_range(start, periods=len(values), freq="h").tz_convert("UTC")
    return as_readings(
        pd.DataFrame(
            {
                "site": site,
                "parameter": parameter,
                "time": times,
                "statistic": "hour_avg",
                "value": values,
                "flag": flags or ["N"] * len(values),
                "source": "hj212:test",
            }
        )
    )


def samples(
    site: str, parameter: str, local_days: list[str], values: list[float], *, non_detect: list[bool] | None = None
) -> pd.DataFrame:
    """Manual samples taken at 10:00 local time on each day."""
    times = [pd.Timestamp(f"{d} 10:00", tz="Asia/Shanghai").tz_convert("UTC") for d in local_days]
    return as_readings(
        pd.DataFrame(
            {
                "site": site,
                "parameter": parameter,
                "time": times,
                "statistic": "sample",
                "value": values,
                "non_detect": non_detect or [False] * len(values),
                "source": "lab:test.xlsx",
            }
        )
    )


def monthly_days(year: int) -> list[str]:
    """The 10th of each month of `year`."""
    return [f"{year}-{m:02d}-10" for m in range(1, 13)]
