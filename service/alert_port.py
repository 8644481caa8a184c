"""The alert engine as the HTTP API uses it: JSON-ready dicts and string ids.

Fits the service's AlertsPort (process / list / get / acknowledge): `AlertsJSON(engine)`.
"""

from typing import Any

import pandas as pd

from service.alerting import AlertEngine
from store.alerts import Alert, UnknownAlertError


class AlertsJSON:
    """Alerts as dicts: every stored field, times as ISO 8601 UTC, plus the English message."""

    def __init__(self, engine: AlertEngine) -> None:
        self.engine = engine

    def process(self, readings: pd.DataFrame) -> None:
        """Judge newly stored readings."""
        self.engine.process(readings)

    def list(
        self, *, status: str | None = None, site: str | None = None, limit: int = 1000, offset: int = 0
    ) -> list[dict[str, Any]]:
        """Alerts newest first; `status` one of active, open, acknowledged, resolved."""
        alerts = self.engine.list(status=status, site=site, limit=limit, offset=offset)  # type: ignore[arg-type]
        return [self._json(alert) for alert in alerts]

    def get(self, alert_id: str) -> dict[str, Any]:
        """One alert with its history (events: opened, raised, acknowledged, escalated, resolved)."""
        alert = self.engine.get(_id(alert_id))
        return {**self._json(alert), "events": self.engine.alerts.events(alert.id)}

    def acknowledge(self, alert_id: str, *, by: str, note: str | None = None) -> dict[str, Any]:
        """Acknowledge an open alert; AlertStateError when it is not open."""
        return self._json(self.engine.acknowledge(_id(alert_id), by, note or None))

    def resolve(self, alert_id: str, *, by: str, note: str | None = None) -> dict[str, Any]:
        """Resolve an alert by hand."""
        return self._json(self.engine.resolve(_id(alert_id), by, note or None))

    def counts(self) -> dict[str, int]:
        """Active alerts per severity (for /metrics: wqmon_alerts_open{severity=…})."""
        return self.engine.counts()

    def _json(self, alert: Alert) -> dict[str, Any]:
        return {**alert.to_dict(), "message_en": self.engine.message(alert, "en")}


def _id(alert_id: str | int) -> int:
    text = str(alert_id)
    if not text.isdigit():
        raise UnknownAlertError(f"no alert has id {text!r}; alert ids are whole numbers")
    return int(text)
