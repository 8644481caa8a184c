"""What the service needs from the parts built beside it (alerts, compliance, quarantine, lab import).

Each is a small Protocol; the runtime passes in whatever implements it, or None when the part is
absent (the endpoints then answer 501 problem+json saying so). The adapters of the real parts live in
service/wiring.py; tests may pass their own.
"""

from collections.abc import Callable
from typing import Any, Protocol

import pandas as pd

JSON = dict[str, Any]


class AlertsPort(Protocol):
    """The alert engine as the API uses it."""

    def process(self, readings: pd.DataFrame) -> None:
        """Judge newly stored readings (raise, update or resolve alerts)."""
        ...

    def list(self, *, status: str | None = None, site: str | None = None) -> list[JSON]:
        """Alerts, newest first, as JSON-ready dicts with at least `id` and `status`."""
        ...

    def get(self, alert_id: int) -> JSON:
        """One alert; UnknownAlertError when there is none."""
        ...

    def acknowledge(self, alert_id: int, *, by: str, note: str) -> JSON:
        """open -> acknowledged, by whom and with what note; the alert after."""
        ...

    def resolve(self, alert_id: int, *, by: str, note: str) -> JSON:
        """Close an alert by hand; the alert after."""
        ...

    def active(self) -> int:
        """Alerts open or acknowledged."""
        ...


class CompliancePort(Protocol):
    """Evaluations, compliance rates, indicators and the scorecard for a period (same JSON as the CLI)."""

    def evaluations(self, *, period: str, site: str | None = None) -> JSON: ...

    def compliance(self, *, period: str) -> JSON: ...

    def indicators(self, *, period: str) -> JSON: ...

    def scorecard(self, *, period: str) -> JSON: ...

    def ratings(self, *, period: str, river: str | None = None, base: str | None = None) -> JSON: ...

    def seasons(self, *, period: str) -> JSON: ...


class QuarantinePort(Protocol):
    """Packets the HJ 212 listener could not accept, kept for people to look at."""

    def list(self) -> list[JSON]: ...

    def count(self) -> int: ...


# (file content, file name) -> (readings in the reading shape, problems with places)
Importer = Callable[[bytes, str], tuple[pd.DataFrame, list[JSON]]]
