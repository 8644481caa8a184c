"""The parts built beside the service, found and connected: store backends, HJ 212, pull, alerts, compliance.

Each part lands on main from its own branch; until it does, the service runs without it and the
endpoints that need it answer 501. Every place to connect a part is marked `TODO(lead)`.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from models.configuration import Configuration
from service.ports import AlertsPort, CompliancePort, Importer, PullPort, QuarantinePort
from service.settings import Settings
from store import open_store
from store.base import Store
from store.state import StateDB

OnStored = Callable[[pd.DataFrame], None]


def open_reading_store(url: str) -> Store:
    """The reading store for `url` (duckdb:///path, influxdb://…)."""
    return open_store(url)


@dataclass
class Parts:
    """What the runtime connects to the API and starts and stops with it."""

    alerts: AlertsPort | None = None
    compliance: CompliancePort | None = None
    quarantine: QuarantinePort | None = None
    importer: Importer | None = None  # None: the API's own table importer (reading layout)
    listeners: list[PullPort] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def build_parts(
    settings: Settings, *, config: Configuration, store: Store, state: StateDB, on_stored: OnStored
) -> Parts:
    """Connect every part this build has; name the ones it lacks in `missing`."""
    parts = Parts()
    # TODO(lead): alerts (branch `alerts`): parts.alerts = AlertEngine(config, state, settings…), adapted
    #   to AlertsPort (process/list/get/acknowledge); the engine's check() runs on a timer for gaps.
    parts.missing.append("alerts")
    # TODO(lead): compliance (branch `compliance`): an adapter whose evaluations/compliance/indicators/
    #   scorecard call evaluate_period / compliance_for / scorecard_for over `store` and `config`.
    parts.missing.append("compliance")
    # TODO(lead): HJ 212 (branch `hj212`): the server object, started with (config, store, state, settings,
    #   on_stored=on_stored) when settings.hj212_enabled; quarantine from store/quarantine.py as QuarantinePort.
    parts.missing.append("hj212")
    # TODO(lead): lab import and pull (branch `lab`): parts.importer = the lab import function (bytes, file
    #   name) -> (readings, problems); the pull scheduler into parts.listeners when settings.pull_enabled.
    parts.missing.append("pull")
    return parts
