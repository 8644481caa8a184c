"""The parts built beside the API, adapted to what it needs: compliance views, alerts, quarantine, lab import.

The listeners (HJ 212 server, pull scheduler, alert checks) are started and stopped by the runtime
(service/runtime.py) in the API's own event loop.
"""

import dataclasses
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from ingest.hj212.packet import redact_password
from ingest.lab.importer import import_lab_file
from ingest.table_size import TableLimits, check_table_size
from models.configuration import Configuration
from service.alerting import AlertEngine
from service.compliance_views import compliance_for, evaluate_period, scorecard_for
from service.distributed import SharedStore
from service.ports import JSON, Importer
from service.ratings_view import ratings_for
from service.readings_input import REQUIRED, TableError, read_table, table_importer
from service.seasons_view import seasons_for
from service.settings import Settings
from store import open_store
from store.base import Store
from store.quarantine import Quarantine
from store.state import StateDB

OnStored = Callable[[pd.DataFrame], None]
_ALL = 1_000_000  # list endpoints page in the API; the parts are asked for everything


def open_reading_store(url: str) -> Store:
    """The reading store for `url` (duckdb:///path, influxdb://…)."""
    return open_store(url)


class ComplianceViews:
    """Evaluations, rates and the scorecard of a period over the one store (service/compliance_views.py)."""

    def __init__(self, config: Configuration, store: Store, state: StateDB, settings: Settings) -> None:
        self.config, self.state = config, state
        # With WQMON_DASK_ADDRESS the cluster's workers read the (shared) store by its URL.
        self.store: Store | SharedStore = (
            store if settings.dask_address is None else SharedStore(settings.dask_address, settings.store)
        )
        self.options: dict[str, Any] = {
            "timezone": settings.timezone,
            "min_valid_hours": settings.min_valid_hours_per_day,
        }

    def evaluations(self, *, period: str, site: str | None = None) -> JSON:
        return evaluate_period(self.config, self.store, period, site=site, **self.options)

    def compliance(self, *, period: str) -> JSON:
        return compliance_for(self.config, self.store, period, **self.options)

    def indicators(self, *, period: str) -> JSON:
        card = self.scorecard(period=period)
        return {"period": card["period"], "indicators": card["indicators"]}

    def scorecard(self, *, period: str) -> JSON:
        return scorecard_for(self.config, self.store, self.state, period, **self.options)

    def ratings(self, *, period: str, river: str | None = None, base: str | None = None) -> JSON:
        return ratings_for(self.config, self.store, period, river=river, base=base, **self.options)

    def seasons(self, *, period: str) -> JSON:
        return seasons_for(self.config, self.store, period, **self.options)


class AlertViews:
    """The alert engine as the API sees it: JSON-ready alerts."""

    def __init__(self, engine: AlertEngine) -> None:
        self.engine = engine

    def process(self, readings: pd.DataFrame) -> None:
        """Nothing to do: the service's store queued the readings for the alert worker when it stored them."""

    def list(self, *, status: str | None = None, site: str | None = None) -> list[JSON]:
        return [a.to_dict() for a in self.engine.list(status=status, site=site, limit=_ALL)]  # type: ignore[arg-type]

    def get(self, alert_id: int) -> JSON:
        return self.engine.get(alert_id).to_dict()

    def acknowledge(self, alert_id: int, *, by: str, note: str) -> JSON:
        return self.engine.acknowledge(alert_id, by, note or None).to_dict()

    def resolve(self, alert_id: int, *, by: str, note: str) -> JSON:
        return self.engine.resolve(alert_id, by, note or None).to_dict()

    def active(self) -> int:
        return sum(self.engine.counts().values())


class QuarantineView:
    """The HJ 212 quarantine log (store/quarantine.py); raw packets shown as text, passwords masked."""

    def __init__(self, state: StateDB) -> None:
        self.quarantine = Quarantine(state)

    def list(self) -> list[JSON]:
        entries = []
        for packet in self.quarantine.list(limit=_ALL):
            entry = dataclasses.asdict(packet)
            entry["received_at"] = packet.received_at.isoformat()
            entry["raw"] = redact_password(packet.raw.decode("latin-1"))
            entry["message"] = redact_password(packet.message)
            entries.append(entry)
        return entries

    def count(self) -> int:
        return self.quarantine.count()


def lab_importer(config: Configuration, settings: Settings) -> Importer:
    """Uploads in the reading layout (site, parameter, time, value columns) are checked row by row here;
    any other layout goes through the lab importer (ingest/lab), its problems keeping their places."""
    in_reading_layout = table_importer(config)
    limits = TableLimits(
        rows=settings.max_upload_rows,
        columns=settings.max_upload_columns,
        cells=settings.max_upload_cells,
        unpacked_bytes=20 * settings.max_upload_bytes,
    )

    def run(content: bytes, filename: str) -> tuple[pd.DataFrame, list[JSON]]:
        name = Path(filename).name or "upload.csv"
        check_table_size(content, name, limits)
        if _has_reading_columns(content, name):
            return in_reading_layout(content, name)
        with tempfile.TemporaryDirectory(prefix="wqmon-upload-") as folder:
            path = Path(folder) / name
            path.write_bytes(content)
            result = import_lab_file(path, config, timezone=settings.timezone, name=name)
        problems = [{**p.as_dict(), "message": str(p), "message_zh": p.message("zh")} for p in result.problems]
        return result.readings, problems

    return run


def _has_reading_columns(content: bytes, name: str) -> bool:
    try:
        header = read_table(content, name).columns
    except TableError:
        return False
    return set(REQUIRED) <= {str(c).strip().lower() for c in header}
