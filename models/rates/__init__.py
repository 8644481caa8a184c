"""Compliance rates (达标率) and the indicators and scorecard built on them."""
