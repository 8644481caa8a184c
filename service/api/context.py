"""What every request handler reaches: the one store, the state, the configuration and the parts."""

from dataclasses import dataclass, field

from fastapi import Request

from models.configuration import Configuration
from service.compliance_cache import CachedAnswers, CachedCompliance, Generation
from service.import_slots import ImportSlots
from service.login_throttle import LoginThrottle
from service.metrics import Metrics
from service.ports import AlertsPort, Importer, QuarantinePort
from service.settings import Settings
from store.audit import AuditLog
from store.base import Store
from store.keys import KeyStore
from store.sessions import PageSessions
from store.state import StateDB


@dataclass
class Services:
    """The service's shared objects, built once by `create_app`."""

    settings: Settings
    config: Configuration
    store: Store
    state: StateDB
    keys: KeyStore
    audit: AuditLog
    metrics: Metrics
    importer: Importer
    alerts: AlertsPort | None = None
    compliance: CachedCompliance | None = None
    quarantine: QuarantinePort | None = None
    generation: Generation | None = None
    readings_answers: CachedAnswers | None = None  # JSON answers of GET /readings
    imports: ImportSlots = field(default_factory=lambda: ImportSlots(1))
    sessions: PageSessions = field(init=False)
    login_throttle: LoginThrottle = field(default_factory=lambda: LoginThrottle(failures=10, window_s=300))

    def __post_init__(self) -> None:
        self.sessions = PageSessions(self.state)


async def services(request: Request) -> Services:
    """The Services of the app handling `request`."""
    return request.app.state.services  # type: ignore[no-any-return]
