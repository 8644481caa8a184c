"""JSON bodies encoded once, as the API sends them: UTF-8, compact, Chinese kept as it is."""

import json
import math
from typing import Any

from fastapi.encoders import jsonable_encoder


def json_bytes(body: dict[str, Any]) -> bytes:
    """`body` as compact UTF-8 JSON; numpy scalars and other non-JSON types through FastAPI's encoder."""
    try:
        text = json.dumps(body, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError):  # numpy scalars, NaN…: the slower encoder that knows them
        text = json.dumps(_finite(jsonable_encoder(body)), ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return text.encode("utf-8")


def _finite(value: Any) -> Any:
    """`value` with every NaN or infinity replaced by null: no JSON parser accepts `Infinity`.

    A non-finite result comes from stored values whose sum overflows (readings stored before the
    plausibility check at ingest); null says "no number can be given" as for an empty period.
    """
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value
