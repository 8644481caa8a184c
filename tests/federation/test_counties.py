"""counties.yaml and WQMON_COUNTY_KEYS: errors name the file, the county and what to do."""

from pathlib import Path

import pytest
from pydantic import SecretStr
from typer.testing import CliRunner

from models.errors import ConfigError
from service.cli import app
from service.federation.counties import load_counties


def write(folder: Path, text: str) -> Path:
    (folder / "counties.yaml").write_text(text, encoding="utf-8")
    return folder


def test_counties_come_with_their_keys_from_the_settings(tmp_path: Path) -> None:
    write(tmp_path, "counties:\n  - {id: qingxi, name: 青溪县, url: 'http://10.0.0.5:8000/'}\n")
    (county,) = load_counties(tmp_path, {"qingxi": SecretStr("wqm_x")})
    assert (county.id, county.url, county.key.get_secret_value()) == ("qingxi", "http://10.0.0.5:8000", "wqm_x")
    assert "wqm_x" not in repr(county)  # the key is a secret


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("counties:\n  - {id: qingxi, name: 青溪县, url: 'http://h:1'}\n",
         "county 'qingxi' has no API key; add it to WQMON_COUNTY_KEYS"),
        ("counties:\n  - {id: a, name: A, url: 'ftp://h'}\n", "county 'a': field url"),
        ("counties:\n  - {id: a, name: A, url: 'http://h'}\n  - {id: a, name: A, url: 'http://h'}\n",
         "county 'a' is listed twice"),
        ("counties: []\n", "the list 'counties' is empty"),
    ],
)  # fmt: skip
def test_bad_counties_files_say_where_and_what(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_counties(write(tmp_path, text), {"a": SecretStr("k")})


def test_wqmon_rank_without_counties_says_what_to_write(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["rank", "--period", "2026", "--config-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "no counties configured" in result.stderr and "WQMON_COUNTY_KEYS" in result.stderr
