"""`wqmon hj212 decode` and `wqmon hj212 quarantine`, run as a user runs them."""

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from service.cli import app
from store.quarantine import Quarantine, QuarantinedPacket
from store.state import StateDB

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = (
    b"##0101QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;CP=&&RtdInterval=30&&1C80"
)
VECTOR_2005 = (
    b"##0136ST=32;CN=2011;PW=000000;MN=LD130133000015;CP=&&DataTime=20160824003817;"
    b"011-Rtd=231.0,011-Flag=N;B01-Rtd=36.91;060-Rtd=1.803,060-Flag=N&&1DC0"
)


def wqmon(*args: str, stdin: bytes = b"", env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "service", *args],
        input=stdin,
        capture_output=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        check=False,
    )


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """The CLI in this process (CliRunner): exit code, stdout, stderr."""
    result = CliRunner().invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def test_decode_prints_the_contract_of_issue_4_from_stdin() -> None:
    result = wqmon("hj212", "decode", stdin=EXAMPLE + b"\n" + VECTOR_2005 + b"\nnot a packet\n")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert lines[0] == {
        "ok": True,
        "edition": "2017",
        "qn": "20160801085857223",
        "st": "32",
        "cn": "1062",
        "pw": "100000",
        "mn": "010000A8900016F000169DC0",
        "flag": 5,
        "data_time": None,
        "values": [],
    }
    assert lines[1] == {
        "ok": True,
        "edition": "2005",
        "qn": None,
        "st": "32",
        "cn": "2011",
        "pw": "000000",
        "mn": "LD130133000015",
        "flag": None,
        "data_time": "2016-08-24T00:38:17+08:00",
        "values": [
            {"code": "w01018", "field": "Rtd", "value": 231.0, "flag": "N"},
            {"code": "w00000", "field": "Rtd", "value": 36.91, "flag": "N"},
            {"code": "w21003", "field": "Rtd", "value": 1.803, "flag": "N"},
        ],
    }
    assert lines[2]["ok"] is False and lines[2]["line"] == 3 and lines[2]["error"].startswith("garbage")
    assert len(lines) == 3


def test_decode_a_capture_file_reports_bad_packets_by_line(capture_paths: list[Path]) -> None:
    code, out, err = run("hj212", "decode", str(capture_paths[0]))
    assert code == 0, err
    records = [json.loads(line) for line in out.splitlines()]
    good = [r for r in records if r["ok"]]
    bad = {r["line"]: r["error"].split(":")[0] for r in records if not r["ok"]}
    assert len(good) == 9447
    assert bad == {
        2108: "bad_length",
        3336: "bad_length",
        3496: "bad_length",
        3669: "bad_crc",
        3670: "garbage",
        6303: "bad_length",
        7151: "bad_length",
        9197: "bad_length",
    }
    times = {r["data_time"] for r in good if r["data_time"]}
    assert "2000-02-02T00:00:00+08:00" in times  # the logger whose clock says 2000, decoded all the same
    assert any(v["value"] < 0 for r in good for v in r["values"])  # negative readings pass through
    flags = {v["flag"] for r in good for v in r["values"]}
    assert {"N", "D", "M", "F", "T", "C"} <= flags


def test_decode_names_a_missing_file(tmp_path: Path) -> None:
    code, _, err = run("hj212", "decode", str(tmp_path / "none.h212"))
    assert code == 2
    assert "none.h212" in err


def test_quarantine_lists_the_newest_entries(tmp_path: Path) -> None:
    state = StateDB(tmp_path / "state.sqlite")
    quarantine = Quarantine(state)
    at = dt.datetime(2016, 8, 24, 6, tzinfo=dt.UTC)
    quarantine.add_many(
        [
            QuarantinedPacket(at, "10.0.0.1:5000", "MN1", "bad_crc", "CRC 47C0 does not match", b"##0001x47C0\r\n"),
            QuarantinedPacket(at, "10.0.0.1:5000", None, "garbage", "3 bytes", b"\x00\xff!"),
        ]
    )
    state.close()
    env = {"WQMON_STATE_PATH": str(tmp_path / "state.sqlite")}
    code, out, err = run("hj212", "quarantine", "--limit", "1", env=env)
    assert code == 0, err
    entries = [json.loads(line) for line in out.splitlines()]
    assert entries == [
        {
            "id": 2,
            "received_at": "2016-08-24T06:00:00+00:00",
            "peer": "10.0.0.1:5000",
            "mn": None,
            "reason": "garbage",
            "message": "3 bytes",
            "raw": "\x00\\xff!",  # UTF-8 where it is, escapes where not
        }
    ]
    code, out, _ = run("hj212", "quarantine", "--reason", "bad_crc", env=env)
    assert [json.loads(line)["mn"] for line in out.splitlines()] == ["MN1"]
    code, _, err = run("hj212", "quarantine", "--reason", "nonsense", env=env)
    assert code == 2 and "not one of" in err
