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
    lab_inbox_dir: Path | None = Field(
        default=None, description="watched folder for lab files (CSV/XLSX); files move to done/ or failed/"
    )
    lab_inbox_interval_seconds: float = Field(default=10.0, gt=0, description="how often the lab inbox is scanned")
    sources_file: Path | None = Field(
        default=None, description="pull sources (default: sources.yaml in the configuration folder)"
    )
