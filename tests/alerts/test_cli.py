"""`wqmon alerts`: check-config, list, ack and resolve against a real state file."""

import json
from pathlib import Path

from click.testing import Result
from typer.testing import CliRunner

from models.configuration import Configuration
from service.alerting import AlertEngine
from service.cli import app
from store.base import Store
from store.state import StateDB
from tests.alerts.conftest import ingest, readings


def wqmon(*args: str) -> Result:
    return CliRunner().invoke(app, ["alerts", *args])


def test_check_config_names_the_bad_field(tmp_path: Path) -> None:
    assert wqmon("check-config").exit_code == 0
    (tmp_path / "alerts.yaml").write_text("early_warning:\n  share: 1.5\n", encoding="utf-8")
    result = wqmon("check-config", "--config-dir", str(tmp_path))
    assert result.exit_code == 2
    assert "alerts.yaml: early_warning.share: Input should be less than 1" in result.stderr


def test_list_ack_resolve(county: Configuration, store: Store, tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    state = StateDB(path)
    ingest(AlertEngine(county, store, state), readings([62.0]))
    state.close()
    listed = [json.loads(line) for line in wqmon("list", "--state", str(path), "--status", "open").stdout.splitlines()]
    (alert,) = [a for a in listed if a["rule"] == "exceedance"]
    acked = wqmon("ack", str(alert["id"]), "--by", "王工", "--note", "已通知厂方", "--state", str(path))
    assert acked.exit_code == 0, acked.stderr
    assert json.loads(acked.stdout)["acknowledged_by"] == "王工"
    again = wqmon("ack", str(alert["id"]), "--by", "李工", "--state", str(path))
    assert again.exit_code == 2 and "only an open alert can be acknowledged" in again.stderr
    closed = wqmon("resolve", str(alert["id"]), "--by", "王工", "--state", str(path))
    assert json.loads(closed.stdout)["status"] == "resolved"
    missing = wqmon("list", "--state", str(tmp_path / "nothing.sqlite"))
    assert missing.exit_code == 2 and "does not exist" in missing.stderr
