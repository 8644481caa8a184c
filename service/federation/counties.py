"""The counties a city-level wqmon ranks: counties.yaml in the configuration folder, keys in settings.

counties.yaml lists each county's id, name and base URL; the scoring-role API key of each county's
wqmon is a secret and lives in the settings (WQMON_COUNTY_KEYS, a JSON object id -> key), never in
the file.
"""

from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from models.configuration import read_config_file
from models.errors import ConfigError

COUNTIES_FILE = "counties.yaml"


class _CountyEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[A-Za-z0-9_-]+$")
    name: str
    url: str = Field(pattern=r"^https?://\S+$")


@dataclass(frozen=True)
class County:
    """One county's wqmon: where it answers and the key to ask it with."""

    id: str
    name: str
    url: str
    key: SecretStr


def load_counties(folder: Path, keys: dict[str, SecretStr]) -> list[County]:
    """The counties of `folder`/counties.yaml with their keys; ConfigError naming file, county, field."""
    path = folder / COUNTIES_FILE
    if not path.exists():
        raise ConfigError(
            f"{path}: no counties configured; list each county's id, name and url there and set"
            " WQMON_COUNTY_KEYS to a JSON object of their scoring-role API keys"
        )
    counties: list[County] = []
    for index, entry in enumerate(read_config_file(path).get("counties") or []):
        name = entry.get("id", f"#{index + 1}") if isinstance(entry, dict) else f"#{index + 1}"
        try:
            county = _CountyEntry.model_validate(entry)
        except ValidationError as error:
            first = error.errors()[0]
            field = ".".join(str(p) for p in first["loc"])
            raise ConfigError(f"{path}: county '{name}': field {field}: {first['msg']}") from None
        if any(c.id == county.id for c in counties):
            raise ConfigError(f"{path}: county '{county.id}' is listed twice")
        if county.id not in keys:
            raise ConfigError(
                f"{path}: county '{county.id}' has no API key; add it to WQMON_COUNTY_KEYS"
                f' (a JSON object, e.g. {{"{county.id}": "wqm_..."}}): a scoring-role key of that county\'s wqmon'
            )
        counties.append(County(county.id, county.name, county.url.rstrip("/"), keys[county.id]))
    if not counties:
        raise ConfigError(f"{path}: the list 'counties' is empty")
    return counties
