"""Compliance rates (达标率) and the indicators and scorecard built on them.

compliance (the rates), indicators (the indicator system and the scorecard), scoring (points and
deduction schemes, basic conditions), fixes (what to fix, in points), ranking (a city's counties).
"""
