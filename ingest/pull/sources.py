"""Pull sources as a bureau configures them in config/sources.yaml, validated on load.

Secrets never sit in the file: `auth.env` names the environment variable holding the token.
"""

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from models.configuration import read_config_file
from models.errors import ConfigError
from models.reading import Statistic

SOURCES_FILE = "sources.yaml"


class AuthConfig(BaseModel):
    """An auth header whose value comes from the environment."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    env: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", description="environment variable holding the secret")
    header: str = "Authorization"
    prefix: str = Field(default="", description='put before the secret, e.g. "Bearer "')


class PaginationConfig(BaseModel):
    """Page-numbered pagination: pages are asked for until one comes back short or empty."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    param: str = "page"
    start: int = 1
    size_param: str | None = "pageSize"
    size: int = Field(default=500, gt=0)
    max_pages: int = Field(default=1000, gt=0)


class MappingConfig(BaseModel):
    """How the source's fields become readings: long (parameter + value fields) or wide (columns)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    records: str | None = Field(default=None, description="dotted path to the list of records in a JSON body")
    site: str
    time: str
    timezone: str = "Asia/Shanghai"
    parameter: str | None = None
    value: str | None = None
    unit: str | None = None
    columns: list[str] | dict[str, str] | None = None
    units: dict[str, str] = Field(default_factory=dict, description="unit of a wide column, when not the catalogue's")
    flag: str | None = None
    flags: dict[str, str] = Field(default_factory=dict, description="source flag text → HJ 212 flag")
    sites: dict[str, str] = Field(default_factory=dict, description="source site name → site id")
    missing: list[str] = Field(default_factory=lambda: ["*"], description="extra texts meaning 'no value'")

    @model_validator(mode="after")
    def _long_or_wide(self) -> "MappingConfig":
        long = self.parameter is not None or self.value is not None
        if long and (self.parameter is None or self.value is None):
            raise ValueError("a long mapping needs both 'parameter' and 'value'")
        if long == (self.columns is not None):
            raise ValueError("give either 'parameter' and 'value' (one record per item) or 'columns' (wide records)")
        return self


class HttpSourceConfig(BaseModel):
    """An HTTP endpoint pulled on an interval."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    kind: Literal["http"] = "http"
    enabled: bool = True
    url: str = Field(pattern=r"^https?://")
    method: Literal["GET", "POST"] = "GET"
    params: dict[str, str] = Field(
        default_factory=dict, description="query (GET) or JSON body (POST) fields; '{since}' is the watermark"
    )
    auth: AuthConfig | None = None
    format: Literal["json", "csv"] = "json"
    encoding: str | None = Field(default=None, description="CSV body encoding when the server does not say")
    interval_seconds: float = Field(default=3600, gt=0)
    timeout_seconds: float = Field(default=30, gt=0)
    retries: int = Field(default=3, ge=0)
    backoff_seconds: float = Field(default=2.0, ge=0)
    lookback_hours: float = Field(default=24 * 7, ge=0, description="how far back the first pull reaches")
    overlap_seconds: float = Field(default=0, ge=0, description="pull again this far before the watermark")
    pagination: PaginationConfig | None = None
    statistic: Statistic = "rtd"
    mapping: MappingConfig


class _SourcesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sources: list[HttpSourceConfig] = Field(default_factory=list)


def load_sources(path: Path | str) -> list[HttpSourceConfig]:
    """The sources in a sources.yaml; ConfigError naming the file, the source and the field."""
    path = Path(path)
    if not path.exists():
        return []
    data = read_config_file(path, allow_empty=True)
    try:
        sources = _SourcesFile.model_validate(data).sources
    except ValidationError as error:
        first = error.errors()[0]
        loc = list(first["loc"])
        where = ""
        if len(loc) >= 2 and loc[0] == "sources" and isinstance(loc[1], int):
            entries = data.get("sources") or []
            entry = entries[loc[1]] if loc[1] < len(entries) else {}
            name = entry.get("name", f"#{loc[1] + 1}") if isinstance(entry, dict) else f"#{loc[1] + 1}"
            where = f"source '{name}': "
            loc = loc[2:]
        field = ".".join(str(p) for p in loc) or "entry"
        hint = " (secrets never go in this file: name the environment variable in auth.env)" if "auth" in loc else ""
        raise ConfigError(f"{path}: {where}field {field}: {first['msg']}{hint}") from None
    seen: set[str] = set()
    for source in sources:
        if source.name in seen:
            raise ConfigError(f"{path}: source '{source.name}' is listed twice")
        seen.add(source.name)
    return sources
