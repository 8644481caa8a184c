"""Time-series stores of readings: an embedded DuckDB file by default, InfluxDB when configured."""
