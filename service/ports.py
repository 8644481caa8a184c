"""What the service needs from the parts built beside it (alerts, compliance, quarantine, lab import).

Each is a small Protocol; the runtime passes in whatever implements it, or None when the part is
absent (the endpoints then answer 501 problem+json saying so). Adapters for the real parts live in
service/wiring.py.
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

    def get(self, alert_id: str) -> JSON:
        """One alert; KeyError-like domain error when there is none."""
        ...

    def acknowledge(self, alert_id: str, *, by: str, note: str) -> JSON:
        """Acknowledge an alert and return it."""
        ...


class CompliancePort(Protocol):
    """Evaluations, compliance rates, indicators and the scorecard for a period (same JSON as the CLI)."""

    def evaluations(self, *, period: str, site: str | None = None) -> JSON: ...

    def compliance(self, *, period: str, kind: str | None = None) -> JSON: ...

    def indicators(self, *, period: str) -> JSON: ...

    def scorecard(self, *, period: str) -> JSON: ...


class QuarantinePort(Protocol):
    """Packets the HJ 212 listener could not accept, kept for people to look at."""

    def list(self) -> list[JSON]: ...

    def count(self) -> int: ...


class PullPort(Protocol):
    """The pull scheduler (or the HJ 212 listener): started and stopped with the service."""

    def start(self) -> None: ...

    def stop(self) -> None: ...


# (file content, file name, source name) -> (readings in the reading shape, problems with places)
Importer = Callable[[bytes, str], tuple[pd.DataFrame, list[JSON]]]
