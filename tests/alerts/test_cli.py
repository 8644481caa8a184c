"""`wqmon alerts`: check-config, list, ack and resolve against a real state file."""

import json
import subprocess
import sys
from pathlib import Path

from models.configuration import Configuration
from service.alerting import AlertEngine
from store.base import Store
from store.state import StateDB
from tests.alerts.conftest import ingest, readings


def wqmon(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "service", "alerts", *args], capture_output=True, text=True,
                          timeout=60)  # fmt: skip


def test_check_config_names_the_bad_field(tmp_path: Path) -> None:
    assert wqmon("check-config").returncode == 0
    (tmp_path / "alerts.yaml").write_text("early_warning:\n  share: 1.5\n", encoding="utf-8")
    result = wqmon("check-config", "--config-dir", str(tmp_path))
    assert result.returncode == 2
    assert "alerts.yaml: early_warning.share: Input should be less than 1" in result.stderr


def test_list_ack_resolve(county: Configuration, store: Store, tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    state = StateDB(path)
    ingest(AlertEngine(county, store, state), readings([62.0]))
    state.close()
    listed = [json.loads(line) for line in wqmon("list", "--state", str(path), "--status", "open").stdout.splitlines()]
    (alert,) = [a for a in listed if a["rule"] == "exceedance"]
    acked = wqmon("ack", str(alert["id"]), "--by", "王工", "--note", "已通知厂方", "--state", str(path))
    assert acked.returncode == 0, acked.stderr
    assert json.loads(acked.stdout)["acknowledged_by"] == "王工"
    again = wqmon("ack", str(alert["id"]), "--by", "李工", "--state", str(path))
    assert again.returncode == 2 and "only an open alert can be acknowledged" in again.stderr
    closed = wqmon("resolve", str(alert["id"]), "--by", "王工", "--state", str(path))
    assert json.loads(closed.stdout)["status"] == "resolved"
    missing = wqmon("list", "--state", str(tmp_path / "nothing.sqlite"))
    assert missing.returncode == 2 and "does not exist" in missing.stderr
