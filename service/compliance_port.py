"""The compliance part of the service: service.ports.CompliancePort over a store, config and state.

The lead connects it in service/wiring.py (`parts.compliance = ComplianceService(...)`); the HTTP
answers are the same JSON as `wqmon evaluate | compliance | indicators --json`.
"""

from typing import Any, Final

from models.configuration import Configuration
from models.errors import ConfigError
from service.compliance_views import compliance_for, evaluate_period, scorecard_for
from service.settings import Settings
from store.base import Store
from store.state import StateDB

# Which rates concern each site kind (for GET /compliance?kind=…).
RATES_OF_KIND: Final[dict[str, tuple[str, ...]]] = {
    "plant": ("plant_outflow",),
    "section": ("functional_zone_sections", "functional_zones", "functional_zone_frequency", "outgoing_sections"),
    "lake": ("functional_zone_sections", "functional_zones", "functional_zone_frequency"),
    "source": ("drinking_water_sources",),
}


class ComplianceService:
    """Evaluations, rates, indicator values and the scorecard of a period."""

    def __init__(self, config: Configuration, store: Store, state: StateDB, settings: Settings) -> None:
        self.config, self.store, self.state = config, store, state
        self._options: dict[str, Any] = {
            "timezone": settings.timezone,
            "min_valid_hours": settings.min_valid_hours_per_day,
        }

    def evaluations(self, *, period: str, site: str | None = None) -> dict[str, Any]:
        """Each site's class, exceedances and main pollutants; each plant's compliant days."""
        return evaluate_period(self.config, self.store, period, site, **self._options)

    def compliance(self, *, period: str, kind: str | None = None) -> dict[str, Any]:
        """Every rate of the period, or those of one site kind (plant, section, lake, source)."""
        if kind is not None and kind not in RATES_OF_KIND:
            raise ConfigError(f"kind {kind!r} is not one of {', '.join(RATES_OF_KIND)}")
        body = compliance_for(self.config, self.store, period, **self._options)
        if kind is not None:
            body["rates"] = {k: v for k, v in body["rates"].items() if k in RATES_OF_KIND[kind]}
        return body

    def indicators(self, *, period: str) -> dict[str, Any]:
        """Each indicator's value and status, as the scoring system pulls it."""
        card = self.scorecard(period=period)
        keep = ("id", "name", "unit", "value", "status", "numerator", "denominator", "target", "confirmed")
        rows = [{k: row.get(k) for k in keep} for row in card["indicators"]]
        return {"period": card["period"], "indicators": rows}

    def scorecard(self, *, period: str) -> dict[str, Any]:
        """Value, status and points of each indicator, the totals, and the sites that pull rates down."""
        return scorecard_for(self.config, self.store, self.state, period, **self._options)
