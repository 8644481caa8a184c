"""The `wqmon` command line answers --help, --version and bad arguments without loading the data
libraries, refuses a store that does not exist, and says how to read a store the service holds."""

import os
import subprocess
import sys
import textwrap
from importlib.metadata import version
from pathlib import Path

import pytest
from typer.testing import CliRunner

from service.cli import COMMANDS, app, load_command

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("pandas", "duckdb", "fastapi", "numpy", "scipy", "xarray")


def loaded_modules(*argv: str) -> tuple[int, set[str], str]:
    """Run `wqmon ARGV` in a fresh interpreter: exit code, which heavy modules it imported, output."""
    script = textwrap.dedent(f"""
        import sys
        sys.argv = ["wqmon", *{list(argv)!r}]
        from service.cli import main
        try:
            main()
        except SystemExit as done:
            code = done.code or 0
        else:
            code = 0
        heavy = [m for m in {HEAVY!r} if m in sys.modules]
        print("LOADED:" + ",".join(heavy), file=sys.stderr)
        sys.exit(code)
    """)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=False)
    line = next(x for x in done.stderr.splitlines() if x.startswith("LOADED:"))
    return done.returncode, {m for m in line.removeprefix("LOADED:").split(",") if m}, done.stdout + done.stderr


@pytest.mark.parametrize(
    ("argv", "code"),
    [
        (("--help",), 0),
        (("--version",), 0),
        (("no-such-command",), 2),
        (("report", "--help"), 0),
        (("report", "--month", "2025-13", "--out", "r"), 2),
        (("compliance", "--no-such-option"), 2),
        (("evaluate", "--help"), 0),
        (("serve", "--help"), 0),
    ],
)
def test_help_version_and_bad_arguments_load_no_data_library(argv: tuple[str, ...], code: int) -> None:
    exit_code, heavy, output = loaded_modules(*argv)
    assert exit_code == code, output
    assert not heavy, f"wqmon {' '.join(argv)} imported {sorted(heavy)}"


def test_version_is_the_installed_distribution() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout.strip() == f"wqmon {version('wqmon')}"


def test_the_root_help_lists_every_command_with_its_own_first_line() -> None:
    """COMMANDS' help lines are the commands' docstrings, so the quick listing cannot drift from them."""
    listing = CliRunner().invoke(app, ["--help"]).stdout
    for name, entry in COMMANDS.items():
        assert name in listing
        command = load_command(name)
        assert command.get_short_help_str(limit=300) == entry.help, name


@pytest.mark.parametrize("command", ["compliance", "evaluate", "ratings", "indicators"])
def test_a_store_that_does_not_exist_is_refused_naming_the_setting(tmp_path: Path, command: str) -> None:
    missing = tmp_path / "nowhere" / "wqmon.duckdb"
    result = CliRunner().invoke(app, [command, "--period", "2025-12", "--store", f"duckdb:///{missing}"])
    assert result.exit_code == 2
    assert str(missing) in result.output and "--store or WQMON_STORE" in result.output
    assert not missing.exists() and not missing.parent.exists()  # nothing created


def test_the_default_store_is_refused_too_when_it_is_not_there(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("WQMON_STORE", raising=False)
    result = CliRunner().invoke(app, ["compliance", "--period", "2025-12"])
    assert result.exit_code == 2 and "duckdb:///data/wqmon.duckdb" in result.output
    assert "无数据" not in result.output and not (tmp_path / "data").exists()


def test_a_store_held_by_another_process_says_how_to_read_it(tmp_path: Path) -> None:
    """As while `wqmon serve` owns the DuckDB file: the command points at the running service's API."""
    path = tmp_path / "wqmon.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import duckdb, sys; c = duckdb.connect({str(path)!r}); print('open', flush=True); "
         "sys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        result = CliRunner().invoke(app, ["compliance", "--period", "2025-12", "--store", f"duckdb:///{path}"])
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=30)
        if holder.stdout is not None:
            holder.stdout.close()
    assert result.exit_code == 2
    assert "held by another process" in result.output and "/api/v1/" in result.output
    assert "wqmon keys create --role viewer" in result.output


def test_keys_create_names_the_state_file_and_warns_when_it_is_new(tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite"
    first = CliRunner().invoke(app, ["keys", "create", "--role", "viewer", "--name", "a", "--state", str(state)])
    assert first.exit_code == 0 and f"{state.resolve()} did not exist" in first.stderr
    assert "WQMON_STATE_PATH" in first.stderr
    again = CliRunner().invoke(app, ["keys", "list", "--state", str(state)])
    assert f"state file {state.resolve()}" in again.stderr and "did not exist" not in again.stderr


def test_keys_create_uses_the_services_state_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No --state: WQMON_STATE_PATH, the setting `wqmon serve` reads."""
    state = tmp_path / "service-state.sqlite"
    monkeypatch.setenv("WQMON_STATE_PATH", str(state))
    result = CliRunner().invoke(app, ["keys", "create", "--role", "viewer", "--name", "b"])
    assert result.exit_code == 0 and state.exists()
    listed = CliRunner().invoke(app, ["keys", "list"])
    assert "\tviewer\tb\t" in listed.stdout
