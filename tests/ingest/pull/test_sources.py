"""config/sources.yaml is checked on load and its errors name the source and the field."""

from pathlib import Path

import pytest

from ingest.pull.sources import load_sources
from models.configuration import BUILTIN_CONFIG, Configuration
from models.errors import ConfigError


def test_shipped_national_mapping_resolves_every_column(config: Configuration) -> None:
    [national] = [s for s in load_sources(BUILTIN_CONFIG / "sources.yaml") if s.name == "national-auto-stations"]
    assert national.mapping.columns is not None
    assert all(config.catalogue.find(column) for column in national.mapping.columns)
    assert national.auth is not None and national.auth.env == "WQMON_NATIONAL_TOKEN"


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("auth: {env: TOKEN, token: abc123}", "source 'up': field auth.token: Extra inputs are not permitted"),
        ("interval_seconds: 0", "source 'up': field interval_seconds"),
        ("url: ftp://x", "source 'up': field url"),
        ("mapping: {site: a, time: b}", "source 'up': field mapping: Value error, give either"),
        ("mapping: {site: a, time: b, parameter: p}", "needs both 'parameter' and 'value'"),
    ],
)
def test_bad_source_entries_are_named(tmp_path: Path, entry: str, message: str) -> None:
    base = {"url": "url: http://127.0.0.1/x", "mapping": "mapping: {site: a, time: b, columns: [氨氮]}"}
    key = entry.split(":")[0]
    fields = [base[k] for k in base if k != key] + [entry]
    text = "sources:\n  - name: up\n" + "".join(f"    {f}\n" for f in fields)
    path = tmp_path / "sources.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_sources(path)
    assert message in str(caught.value) and str(path) in str(caught.value)


def test_a_source_listed_twice_is_rejected(tmp_path: Path) -> None:
    one = "  - {name: up, url: 'http://127.0.0.1/x', mapping: {site: a, time: b, columns: [TP]}}\n"
    path = tmp_path / "sources.yaml"
    path.write_text("sources:\n" + one + one, encoding="utf-8")
    with pytest.raises(ConfigError, match="source 'up' is listed twice"):
        load_sources(path)
