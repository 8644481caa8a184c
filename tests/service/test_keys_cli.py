"""`wqmon keys create|list|revoke`: a key is printed once and kept only as a hash."""

import hashlib
import sqlite3
from pathlib import Path

from typer.testing import CliRunner

from service.cli import app
from store.keys import KeyStore
from store.state import StateDB

runner = CliRunner()


def test_create_prints_the_key_once_and_stores_its_hash(tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite"
    result = runner.invoke(app, ["keys", "create", "--role", "viewer", "--name", "评分系统", "--state", str(state)])
    assert result.exit_code == 0, result.output
    token = result.stdout.strip().splitlines()[0]
    assert token.startswith("wqm_") and len(token) > 40
    with sqlite3.connect(state) as db:
        stored = db.execute("SELECT name, role, sha256 FROM api_keys").fetchall()
    assert stored == [("评分系统", "viewer", hashlib.sha256(token.encode()).hexdigest())]
    assert token not in state.read_bytes().decode("latin-1")
    key = KeyStore(StateDB(state)).verify(token)
    assert key is not None and key.role == "viewer"


def test_list_and_revoke(tmp_path: Path) -> None:
    state = str(tmp_path / "state.sqlite")
    runner.invoke(app, ["keys", "create", "--role", "ingest", "--name", "城东厂数采仪", "--state", state])
    listed = runner.invoke(app, ["keys", "list", "--state", state])
    assert "1\tingest\t城东厂数采仪" in listed.stdout and "active" in listed.stdout
    revoked = runner.invoke(app, ["keys", "revoke", "1", "--state", state])
    assert revoked.exit_code == 0 and "revoked key 1" in revoked.stdout
    assert "revoked 20" in runner.invoke(app, ["keys", "list", "--state", state]).stdout


def test_bad_role_and_unknown_id_exit_2_saying_why(tmp_path: Path) -> None:
    state = str(tmp_path / "state.sqlite")
    bad_role = runner.invoke(app, ["keys", "create", "--role", "boss", "--name", "x", "--state", state])
    assert bad_role.exit_code == 2 and "not one of viewer, operator, ingest, admin, scoring" in bad_role.stderr
    unknown = runner.invoke(app, ["keys", "revoke", "42", "--state", state])
    assert unknown.exit_code == 2 and "no API key has id 42" in unknown.stderr
