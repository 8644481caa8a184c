"""A year of the example county's readings with hand-worked outcomes (tests/fixtures/county).

* s-town: NH3-N 0.5 every month, 1.6 in July (fails its zone target III once in twelve).
* s-upstream: NH3-N 0.3 every month. s-outgoing: TP 0.1, 0.3 in March (fails once).
* src-east (3 000 000 m3/a): TP 0.03 every month; src-west (1 000 000 m3/a): TP 0.1, 0.25 in March.
* p-city (1A): NH3-N hourly on 1-4 July: 4.0 (meets), 6.0 (fails), 17 valid hours (invalid), 6.0 with
  water at 11 °C (meets the cold-water limit 8).
"""

import pandas as pd

from tests.reading_builders import hourly, monthly_days, samples


def county_year() -> pd.DataFrame:
    """The readings; see the module docstring for what they should give."""
    town = [0.5] * 12
    town[6] = 1.6
    outgoing = [0.1] * 12
    outgoing[2] = 0.3
    west = [0.1] * 12
    west[2] = 0.25
    days = monthly_days(2026)
    return pd.concat(
        [
            samples("s-town", "w21003", days, town),
            samples("s-upstream", "w21003", days, [0.3] * 12),
            samples("s-outgoing", "w21011", days, outgoing),
            samples("src-east", "w21011", days, [0.03] * 12),
            samples("src-west", "w21011", days, west),
            hourly("p-city", "w21003", "2026-07-01", [4.0] * 24),
            hourly("p-city", "w21003", "2026-07-02", [6.0] * 24),
            hourly("p-city", "w21003", "2026-07-03", [9.0] * 17),
            hourly("p-city", "w21003", "2026-07-04", [6.0] * 24),
            hourly("p-city", "w01010", "2026-07-04", [11.0] * 24),
            hourly("p-city", "w01001", "2026-07-01", [6.0] * 12 + [8.0] * 12),
        ],
        ignore_index=True,
    )
