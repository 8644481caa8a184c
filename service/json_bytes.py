"""JSON bodies encoded once, as the API sends them: UTF-8, compact, Chinese kept as it is."""

import json
from typing import Any

from fastapi.encoders import jsonable_encoder


def json_bytes(body: dict[str, Any]) -> bytes:
    """`body` as compact UTF-8 JSON; numpy scalars and other non-JSON types through FastAPI's encoder."""
    try:
        text = json.dumps(body, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError):  # numpy scalars, NaN…: the slower encoder that knows them
        text = json.dumps(jsonable_encoder(body), ensure_ascii=False, separators=(",", ":"))
    return text.encode("utf-8")
