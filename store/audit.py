"""Who wrote what: one row per write made through the service, with the API key's name."""

import datetime as dt
import json
from typing import Any

from store.state import StateDB

_SCHEMA = """
CREATE TABLE IF NOT EXISTS audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL
);
"""


class AuditLog:
    """The write log in the state database."""

    def __init__(self, state: StateDB) -> None:
        self._state = state
        state.ensure_schema(_SCHEMA)

    def record(self, *, actor: str, action: str, **detail: Any) -> None:
        """Note that `actor` (an API key's name) did `action`."""
        now = dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")
        self._state.execute(
            "INSERT INTO audit_log (at, actor, action, detail) VALUES (?, ?, ?, ?)",
            (now, actor, action, json.dumps(detail, ensure_ascii=False, default=str)),
        )

    def entries(self, *, limit: int = 100, offset: int = 0) -> tuple[int, list[dict[str, Any]]]:
        """(total, newest entries first)."""
        total = int(self._state.execute("SELECT count(*) AS n FROM audit_log")[0]["n"])
        rows = self._state.execute("SELECT * FROM audit_log ORDER BY id DESC LIMIT ? OFFSET ?", (limit, offset))
        items = [{**dict(row), "detail": json.loads(row["detail"])} for row in rows]
        return total, items
