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
    state: Path = Field(default=Path("data/wqmon-state.sqlite"), description="SQLite file of the service's own state")
    min_valid_hours_per_day: int = Field(
        default=18, ge=1, le=24, description="valid hourly values a plant's daily mean needs (HJ/T 356-2007 75 %)"
    )
