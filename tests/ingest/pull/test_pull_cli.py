"""`wqmon pull`: one incremental pull of the configured sources, against a real HTTP server."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from service.cli import app
from tests.ingest.pull.platform import Platform, national_row, serve


@pytest.fixture
def platform() -> Iterator[Platform]:
    with serve(Platform(records=[national_row("河西断面", "2099-05-06 00:00")])) as running:
        yield running


def test_pull_once_then_nothing_new(tmp_path: Path, config_dir: Path, platform: Platform) -> None:
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        "sources:\n"
        "  - name: relay\n"
        f"    url: {platform.url}/flaky\n"
        "    backoff_seconds: 0.01\n"
        "    pagination: {size: 100}\n"
        "    mapping: {records: data, site: 断面名称, time: 监测时间, columns: [氨氮, 总磷]}\n"
        "  - name: broken\n"
        f"    url: {platform.url}/garbage\n"
        "    mapping: {site: a, time: b, columns: [TP]}\n",
        encoding="utf-8",
    )
    options = [
        "--sources-file", str(sources), "--config-dir", str(config_dir),
        "--store", f"duckdb:///{tmp_path / 'w.duckdb'}", "--state", str(tmp_path / "state.sqlite"),
    ]  # fmt: skip
    first = CliRunner().invoke(app, ["pull", *options])
    assert first.exit_code == 1  # the broken source
    assert "relay: 1 record(s)" in first.output and "stored 2: 2 new" in first.output
    assert "broken: failed:" in first.output and "not JSON" in first.output

    again = CliRunner().invoke(app, ["pull", "relay", *options])
    assert again.exit_code == 0, again.output
    assert "stored 0: 0 new, 0 corrected; 2 already stored" in again.output
    assert "broken" not in again.output

    unknown = CliRunner().invoke(app, ["pull", "nope", *options])
    assert unknown.exit_code == 2 and "unknown source(s) ['nope']" in unknown.output
