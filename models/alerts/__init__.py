"""Alert rules: their configuration, the vectorised checks and the messages they raise."""
