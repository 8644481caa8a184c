"""Sources of readings: HJ 212 loggers, lab files and upstream platforms, decoded to readings."""
