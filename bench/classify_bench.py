"""Classify 10 million synthetic readings against GB 3838-2002 and print readings/s.

Run by hand, pinned to one core: taskset -c 0 python bench/classify_bench.py [N].
Target: >= 5 million readings/s on one core.
"""

import sys
import time

import numpy as np
import pandas as pd

from models.configuration import Configuration
from models.standards.classification import judge_readings
from models.standards.limits import Situation


def main(n: int = 10_000_000) -> None:
    config = Configuration.load()
    table = config.standards["GB3838-2002"].limit_table(Situation("river"))
    rng = np.random.default_rng(1)
    codes = pd.Categorical.from_codes(rng.integers(0, len(table.codes), n), categories=list(table.codes))
    values = rng.lognormal(mean=-1.0, sigma=2.0, size=n)
    non_detect = rng.random(n) < 0.05
    judge_readings(codes[:1000], values[:1000], non_detect[:1000], table, target=2)  # warm up
    best = float("inf")
    chunk = 1_000_000
    for _ in range(3):
        start = time.perf_counter()
        for i in range(0, n, chunk):
            judge_readings(codes[i : i + chunk], values[i : i + chunk], non_detect[i : i + chunk], table, target=2)
        best = min(best, time.perf_counter() - start)
    print(f"classified {n:,} readings in {best:.3f} s (best of 3): {n / best / 1e6:.2f} million readings/s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000)
