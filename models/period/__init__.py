"""Periods and the values of a period: aggregation, evaluation, trend.

* ``periods`` — the periods a user asks for (month, quarter, year, range) in local time.
* ``statistics`` — hourly → daily → monthly → period values (环办监测函〔2020〕82号).
* ``evaluation`` — judging period values of many sites at once (环办〔2011〕22号, GB 18918 §4.1.4).
* ``cube`` — period values as an xarray cube.
* ``trend`` — trend over periods (Spearman rank correlation, 环办〔2011〕22号).
"""
