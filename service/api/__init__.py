"""The HTTP API (FastAPI) under /api/v1: one router per noun, one error shape, API-key access."""
