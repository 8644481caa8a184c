"""Multi-period trend by Spearman rank correlation (地表水环境质量评价办法（试行）, 环办〔2011〕22号).

rs between period order and the period values (scipy.stats.spearmanr) is compared with the
critical value Wp for N periods: |rs| >= Wp is a significant trend, rising when rs > 0. For
dissolved oxygen (and shares of good water) a rise is an improvement; for every other item a
rise is a deterioration. N must be at least 5.
"""

from dataclasses import dataclass
from typing import Final, Literal

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
