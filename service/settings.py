"""The one settings object, read from the environment (prefix WQMON_) when the service starts."""

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from models.configuration import BUILTIN_CONFIG


class Settings(BaseSettings):
    """wqmon settings. Build once at start-up and pass it in; never at import time."""

    model_config = SettingsConfigDict(env_prefix="WQMON_", extra="ignore")

    config_dir: Path = Field(default=BUILTIN_CONFIG, description="folder with sites.yaml, zones.yaml, standards/")
    store: str = Field(
        default="duckdb:///data/wqmon.duckdb", description="duckdb:///path or influxdb://user:pass@host:8086/db"
    )
    timezone: str = Field(default="Asia/Shanghai", description="zone of local calendar days, months and years")
    state_path: Path = Field(default=Path("data/wqmon-state.sqlite"), description="SQLite file of the service state")
    http_host: str = Field(default="127.0.0.1", description="address the HTTP API listens on")
    http_port: int = Field(default=8000, ge=0, le=65535, description="HTTP API port (0 = any free port)")
    hj212_host: str = Field(default="0.0.0.0", description="address the HJ 212 listener binds")
    hj212_port: int = Field(default=8212, ge=0, le=65535, description="HJ 212 TCP port (0 = any free port)")
    hj212_enabled: bool = Field(default=True, description="run the HJ 212 listener")
    pull_enabled: bool = Field(default=True, description="run the pull scheduler")
    max_upload_bytes: int = Field(default=10_000_000, gt=0, description="largest accepted upload or JSON batch")
    max_page_size: int = Field(default=1000, gt=0, description="largest `limit` a list endpoint accepts")
