"""Page sessions kept by the server: a random id in the browser's cookie, its hash, key and expiry here.

The cookie never holds the API key. A session ends at its expiry, at logout (revoked here, so a
copied cookie is worthless after) and when its key is revoked (checked on every use).
"""

import datetime as dt
import hashlib
import secrets

from store.state import StateDB

_SCHEMA = """
CREATE TABLE IF NOT EXISTS page_sessions (
    sha256 TEXT PRIMARY KEY,
    key_id INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    ended_at TEXT
);
"""


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


class PageSessions:
    """Sessions of the pages in the state database."""

    def __init__(self, state: StateDB) -> None:
        self._state = state
        state.ensure_schema(_SCHEMA)

    def start(self, key_id: int, *, lifetime: dt.timedelta, now: dt.datetime | None = None) -> str:
        """A new session of key `key_id`; returns its id (for the cookie only: only its hash is kept)."""
        now = now or dt.datetime.now(dt.UTC)
        session_id = secrets.token_urlsafe(32)
        self._state.execute(
            "INSERT INTO page_sessions (sha256, key_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
            (_digest(session_id), key_id, now.isoformat(), (now + lifetime).isoformat()),
        )
        return session_id

    def key_id(self, session_id: str, *, now: dt.datetime | None = None) -> int | None:
        """The key of a live session (not ended, not expired), or None."""
        now = now or dt.datetime.now(dt.UTC)
        rows = self._state.read(
            "SELECT key_id FROM page_sessions WHERE sha256 = ? AND ended_at IS NULL AND expires_at > ?",
            (_digest(session_id), now.isoformat()),
        )
        return int(rows[0]["key_id"]) if rows else None

    def end(self, session_id: str) -> None:
        """End a session (logout); idempotent, and old sessions are swept meanwhile."""
        now = dt.datetime.now(dt.UTC).isoformat()
        self._state.execute(
            "UPDATE page_sessions SET ended_at = ? WHERE sha256 = ? AND ended_at IS NULL", (now, _digest(session_id))
        )
        self._state.execute("DELETE FROM page_sessions WHERE expires_at < ?", (now,))
