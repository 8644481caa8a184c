"""API keys: who may call the service, with which role. Only a SHA-256 of each key is kept."""

import datetime as dt
import hashlib
import hmac
import secrets
import sqlite3
from dataclasses import dataclass
from typing import Final, Literal, get_args

from store.state import StateDB

Role = Literal["viewer", "operator", "ingest", "admin", "scoring"]
ROLES: Final[tuple[str, ...]] = get_args(Role)
ROLE_MEANINGS: Final[dict[str, str]] = {
    "viewer": "read everything except keys",
    "operator": "read; acknowledge alerts; enter lab data, readings and indicator values",
    "ingest": "write readings only (a data logger or upstream platform)",
    "admin": "everything, including keys and configuration",
    "scoring": "read-only: sites, compliance, indicators and scorecard (the indicator scoring system)",
}
KEY_PREFIX: Final[str] = "wqm_"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS api_keys (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    sha256 TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    created_by TEXT,
    revoked_at TEXT
);
"""


@dataclass(frozen=True)
class ApiKey:
    """A stored key, without its secret."""

    id: int
    name: str
    role: str
    created_at: str
    created_by: str | None
    revoked_at: str | None

    @property
    def is_active(self) -> bool:
        """Whether the key has not been revoked."""
        return self.revoked_at is None


class UnknownKeyError(KeyError):
    """No key has this id."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class KeyStore:
    """API keys in the state database."""

    def __init__(self, state: StateDB) -> None:
        self._state = state
        state.ensure_schema(_SCHEMA)

    def create(self, *, role: str, name: str, created_by: str | None = None) -> tuple[str, ApiKey]:
        """A new key for `role`: (the key itself, shown once; its record)."""
        if role not in ROLES:
            raise ValueError(f"role {role!r} is not one of {', '.join(ROLES)}")
        if not name.strip():
            raise ValueError("a key needs a name saying who uses it")
        token = KEY_PREFIX + secrets.token_urlsafe(32)
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        rows = self._state.execute(
            "INSERT INTO api_keys (name, role, sha256, created_at, created_by) VALUES (?, ?, ?, ?, ?) RETURNING id",
            (name.strip(), role, _digest(token), now, created_by),
        )
        return token, self.get(int(rows[0]["id"]))

    def verify(self, token: str) -> ApiKey | None:
        """The active key for `token`, or None."""
        digest = _digest(token)
        rows = self._state.read("SELECT * FROM api_keys WHERE sha256 = ? AND revoked_at IS NULL", (digest,))
        # The lookup is by digest; compare again in constant time so timing says nothing of the stored value.
        if not rows or not hmac.compare_digest(rows[0]["sha256"], digest):
            return None
        return _key(rows[0])

    def get(self, key_id: int) -> ApiKey:
        """The key with this id; UnknownKeyError if there is none."""
        rows = self._state.execute("SELECT * FROM api_keys WHERE id = ?", (key_id,))
        if not rows:
            raise UnknownKeyError(f"no API key has id {key_id}; `wqmon keys list` shows the ids")
        return _key(rows[0])

    def list(self, *, include_revoked: bool = True) -> list[ApiKey]:
        """All keys, oldest first."""
        where = "" if include_revoked else " WHERE revoked_at IS NULL"
        return [_key(row) for row in self._state.execute(f"SELECT * FROM api_keys{where} ORDER BY id")]

    def revoke(self, key_id: int) -> ApiKey:
        """Revoke a key (idempotent); UnknownKeyError if there is none."""
        self.get(key_id)
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        self._state.execute("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", (now, key_id))
        return self.get(key_id)


def _key(row: sqlite3.Row) -> ApiKey:
    return ApiKey(
        id=int(row["id"]),
        name=row["name"],
        role=row["role"],
        created_at=row["created_at"],
        created_by=row["created_by"],
        revoked_at=row["revoked_at"],
    )
