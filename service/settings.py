"""The one settings object, read from the environment (prefix WQMON_) when the service starts."""

from pathlib import Path

from pydantic import Field, SecretStr
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
    dask_address: str | None = Field(
        default=None,
        description="Dask scheduler (tcp://host:8786) whose workers evaluate periods by site; needs InfluxDB",
    )
    state_path: Path = Field(
        default=Path("data/wqmon-state.sqlite"), description="SQLite file of the service's own state (store/state.py)"
    )

    # HJ 212 server (ingest/hj212/server.py)
    hj212_host: str = Field(default="0.0.0.0", description="address the HJ 212 listener binds")
    hj212_port: int = Field(default=8212, ge=0, le=65535, description="TCP port of the HJ 212 listener (0: any free)")
    hj212_idle_timeout_s: float = Field(default=600.0, gt=0, description="close a logger connection idle this long")
    hj212_first_packet_timeout_s: float = Field(
        default=60.0, gt=0, description="close a connection that has sent no valid packet this long after connecting"
    )
    hj212_packet_timeout_s: float = Field(
        default=30.0, gt=0, description="close a connection that takes longer than this to complete one packet"
    )
    hj212_max_connections: int = Field(
        default=4000,
        gt=0,
        description="connections open at once; at start the process raises its open-file limit to fit them "
        "(up to the hard limit, ulimit -Hn) and lowers this cap when it cannot",
    )
    hj212_max_connections_per_address: int = Field(
        default=1000,
        gt=0,
        description="connections open at once from one peer address (loggers behind one NAT share it)",
    )
    hj212_max_segment_bytes: int = Field(
        default=1024, gt=0, le=9999, description="longest data segment accepted (HJ 212-2017 Table 2: 1024)"
    )
    hj212_max_garbage_bytes: int = Field(
        default=65536, gt=0, description="close a connection that sends this many bytes in a row without '##'"
    )
    hj212_flush_packets: int = Field(
        default=1000,
        gt=0,
        description="most data packets in one store write; a write starts at once when this many wait (else after "
        "the linger)",
    )
    hj212_flush_linger_s: float = Field(
        default=0.02, ge=0, description="wait this long after the first data packet to gather a batch"
    )
    hj212_flush_interval_s: float = Field(default=0.2, gt=0, description="write quarantine entries this often")
    hj212_clock_ahead_minutes: float = Field(
        default=60.0, ge=0, description="quarantine data whose DataTime is further than this in the future"
    )
    hj212_clock_behind_days: float = Field(
        default=31.0, ge=0, description="quarantine data whose DataTime is further than this in the past"
    )

    # Lab files and pull sources (ingest/lab, ingest/pull)
    lab_inbox_dir: Path | None = Field(
        default=None, description="watched folder for lab files (CSV/XLSX); files move to done/ or failed/"
    )
    lab_inbox_interval_seconds: float = Field(default=10.0, gt=0, description="how often the lab inbox is scanned")
    sources_file: Path | None = Field(
        default=None, description="pull sources (default: sources.yaml in the configuration folder)"
    )

    # Compliance (models/period/periods.py)
    min_valid_hours_per_day: int = Field(
        default=18, ge=1, le=24, description="valid hourly values a plant's daily mean needs (HJ/T 356-2007 75 %)"
    )

    # The service (service/runtime.py, service/api)
    http_host: str = Field(default="127.0.0.1", description="address the HTTP API listens on")
    http_port: int = Field(default=8000, ge=0, le=65535, description="HTTP API port (0 = any free port)")
    hj212_enabled: bool = Field(default=True, description="run the HJ 212 listener")
    pull_enabled: bool = Field(default=True, description="run the pull scheduler")
    max_upload_bytes: int = Field(default=10_000_000, gt=0, description="largest accepted upload or JSON batch")
    max_upload_rows: int = Field(default=500_000, gt=0, description="most rows an uploaded table may have")
    max_upload_columns: int = Field(default=200, gt=0, description="most columns an uploaded table may have")
    max_upload_cells: int = Field(
        default=2_000_000, gt=0, description="largest rows × columns of an uploaded table (the grid a reader builds)"
    )
    session_hours: float = Field(default=12.0, gt=0, description="how long a page login lasts")
    login_failures_allowed: int = Field(
        default=10, gt=0, description="failed page logins per client address within login_failure_window_s"
    )
    login_failure_window_s: float = Field(default=300.0, gt=0, description="window of login_failures_allowed")
    max_concurrent_imports: int = Field(
        default=1, gt=0, description="uploads imported at once, in worker threads (the others wait their turn)"
    )
    max_page_size: int = Field(default=1000, gt=0, description="largest `limit` a list endpoint accepts")
    alert_check_interval_s: float = Field(
        default=60.0, gt=0, description="how often data gaps and escalation are checked"
    )
    alert_max_attempts: int = Field(
        default=5, ge=1, description="failed tries of the alert rules on one stored batch before it is set aside"
    )

    # Federation: a city-level wqmon ranking its counties (service/federation, counties.yaml)
    county_keys: dict[str, SecretStr] = Field(
        default_factory=dict, description="scoring-role API key of each county's wqmon, by county id (a JSON object)"
    )
    federation_timeout_s: float = Field(default=10.0, gt=0, description="how long to wait for a county's answer")
