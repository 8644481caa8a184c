"""Multi-period trend: Spearman rank correlation (环办〔2011〕22号) and the seasonal Kendall test.

rs between period order and the period values (scipy.stats.spearmanr) is compared with the
critical value Wp for N periods: |rs| >= Wp is a significant trend, rising when rs > 0. For
dissolved oxygen (and shares of good water) a rise is an improvement; for every other item a
rise is a deterioration. N must be at least 5.

Seasonal Kendall (Hirsch, Slack & Smith 1982, Water Resources Research 18(1):107-121), for
monthly series with seasonality: for each season g (calendar month) with values x1…xn over the
years, S_g = Σ_{i<j} sign(xj − xi); S = Σ_g S_g;
Var(S) = Σ_g [n_g(n_g − 1)(2n_g + 5) − Σ_t t(t − 1)(2t + 5)] / 18 (t: sizes of tied groups);
Z = (S − 1)/√Var for S > 0, (S + 1)/√Var for S < 0, 0 for S = 0; two-sided p = 2(1 − Φ(|Z|)).
Seasons are taken as independent (the 1982 form, no covariance term). Sen's slope for seasons
is the median of every within-season slope (xj − xi)/(j − i), per year. p < alpha is a
significant trend, rising when S > 0.
"""

from dataclasses import dataclass
from typing import Any, Final, Literal

import numpy as np
from scipy import stats

TrendVerdict = Literal["significantly better", "significantly worse", "no significant change"]
VERDICT_ZH: Final[dict[str, str]] = {
    "significantly better": "显著好转",
    "significantly worse": "显著变差",
    "no significant change": "无明显变化",
}
RISE_IS_BETTER: Final[frozenset[str]] = frozenset({"w01009"})  # dissolved oxygen
MIN_PERIODS: Final = 5

# One-tailed Spearman critical values Wp by N (standards digest §3.8). N = 5…10 verified against
# standard Spearman tables; rows N >= 12 are the 办法's table as recalled ([C] in the digest).
# N between rows takes the next lower N's row (the larger, stricter critical value).
CRITICAL_VALUES: Final[dict[int, tuple[float, float]]] = {
    5: (0.900, 1.000),
    6: (0.829, 0.943),
    7: (0.714, 0.893),
    8: (0.643, 0.833),
    9: (0.600, 0.783),
    10: (0.564, 0.746),
    12: (0.506, 0.712),
    14: (0.456, 0.645),
    16: (0.425, 0.601),
    18: (0.399, 0.564),
    20: (0.377, 0.534),
    22: (0.359, 0.508),
    24: (0.343, 0.485),
    26: (0.329, 0.465),
    28: (0.317, 0.448),
    30: (0.306, 0.432),
}
CRITICAL_VALUES_SOURCE: Final = "环办〔2011〕22号 trend table via standards digest §3.8 (N>=12 rows [C])"


@dataclass(frozen=True)
class Trend:
    """The trend of one series of period values."""

    n: int
    rs: float
    critical_value: float
    alpha: float
    verdict: TrendVerdict

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "n": self.n,
            "rs": round(self.rs, 3),
            "critical_value": self.critical_value,
            "alpha": self.alpha,
            "verdict": self.verdict,
            "verdict_zh": VERDICT_ZH[self.verdict],
        }


def critical_value(n: int, *, alpha: float = 0.05) -> float:
    """Wp for `n` periods at `alpha` (0.05 or 0.01); ValueError below 5 periods."""
    if n < MIN_PERIODS:
        raise ValueError(f"a trend needs at least {MIN_PERIODS} periods, got {n}")
    if alpha not in (0.05, 0.01):
        raise ValueError(f"alpha {alpha} is not one of 0.05, 0.01")
    row = max(k for k in CRITICAL_VALUES if k <= n)
    return CRITICAL_VALUES[row][0 if alpha == 0.05 else 1]


def spearman_trend(values: np.ndarray, *, parameter: str, alpha: float = 0.05) -> Trend:
    """Trend of `values` (one per period, oldest first; NaN periods are left out)."""
    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    n = len(values)
    wp = critical_value(n, alpha=alpha)
    if np.ptp(values) == 0:
        return Trend(n, 0.0, wp, alpha, "no significant change")
    rs = float(stats.spearmanr(np.arange(n), values).statistic)
    if abs(rs) < wp:
        verdict: TrendVerdict = "no significant change"
    else:
        rising = rs > 0
        better = rising == (parameter in RISE_IS_BETTER)
        verdict = "significantly better" if better else "significantly worse"
    return Trend(n, rs, wp, alpha, verdict)


@dataclass(frozen=True)
class SeasonalKendall:
    """The seasonal Kendall test and Sen's slope of one monthly series."""

    n: int  # values used
    seasons: int  # seasons with at least two years
    s: int
    variance: float
    z: float
    p: float
    slope_per_year: float | None
    alpha: float
    verdict: TrendVerdict

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "n": self.n,
            "seasons": self.seasons,
            "s": self.s,
            "variance": round(self.variance, 3),
            "z": round(self.z, 3),
            "p": round(self.p, 4),
            "sen_slope_per_year": None if self.slope_per_year is None else round(self.slope_per_year, 6),
            "alpha": self.alpha,
            "verdict": self.verdict,
            "verdict_zh": VERDICT_ZH[self.verdict],
        }


def seasonal_kendall(
    years: np.ndarray, seasons: np.ndarray, values: np.ndarray, *, parameter: str, alpha: float = 0.05
) -> SeasonalKendall:
    """Seasonal Kendall test of `values` observed in `years` and `seasons` (e.g. months 1-12).

    One value per year and season (average first if there are more); NaN values are left out.
    ValueError when no season has two years.
    """
    years = np.asarray(years, dtype=float)
    seasons = np.asarray(seasons)
    values = np.asarray(values, dtype=float)
    keep = ~np.isnan(values)
    years, seasons, values = years[keep], seasons[keep], values[keep]
    s_total, variance, slopes, used, n_seasons = 0, 0.0, [], 0, 0
    for season in np.unique(seasons):
        rows = seasons == season
        order = np.argsort(years[rows], kind="stable")
        x, t = values[rows][order], years[rows][order]
        n = len(x)
        if n < 2:
            continue
        n_seasons += 1
        used += n
        i, j = np.triu_indices(n, k=1)
        s_total += int(np.sign(x[j] - x[i]).sum())
        _, ties = np.unique(x, return_counts=True)
        variance += (n * (n - 1) * (2 * n + 5) - float((ties * (ties - 1) * (2 * ties + 5)).sum())) / 18.0
        slopes.append((x[j] - x[i]) / (t[j] - t[i]))
    if n_seasons == 0:
        raise ValueError("a seasonal Kendall test needs at least one season observed in two years")
    if s_total > 0:
        z = (s_total - 1) / np.sqrt(variance)
    elif s_total < 0:
        z = (s_total + 1) / np.sqrt(variance)
    else:
        z = 0.0
    p = float(2.0 * stats.norm.sf(abs(z))) if variance > 0 else 1.0
    slope = float(np.median(np.concatenate(slopes)))
    if p >= alpha or s_total == 0:
        verdict: TrendVerdict = "no significant change"
    else:
        better = (s_total > 0) == (parameter in RISE_IS_BETTER)
        verdict = "significantly better" if better else "significantly worse"
    return SeasonalKendall(used, n_seasons, s_total, variance, float(z), p, slope, alpha, verdict)
