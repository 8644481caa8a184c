"""Standards as data and judging values against them.

* ``catalogue`` — the parameter catalogue: HJ 212 codes, names, units, aliases, plausible ranges.
* ``units`` — unit names and conversions to the catalogue unit.
* ``limits`` — a standard file (GB 3838-2002, GB 18918-2002, local standards) resolved into
  limit arrays for one situation.
* ``classification`` — single-factor evaluation (单因子评价) of readings and samples.
"""
