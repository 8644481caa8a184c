"""Prometheus metrics of one running service (its own registry, so tests can run several)."""

from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry, Counter, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector


class _CallbackGauge(Collector):
    def __init__(self, name: str, documentation: str, read: Callable[[], float | None]) -> None:
        self._name, self._documentation, self._read = name, documentation, read

    def collect(self) -> Iterator[GaugeMetricFamily]:
        value = self._read()
        if value is not None:
            yield GaugeMetricFamily(self._name, self._documentation, value=value)


class Metrics:
    """Readings ingested, packets quarantined, alerts open."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.readings_ingested = Counter(
            "wqmon_readings_ingested",
            "Readings accepted into the store, by how they came (api, upload, hj212, pull).",
            ["channel"],
            registry=self.registry,
        )
        self.packets_quarantined = Counter(
            "wqmon_packets_quarantined", "HJ 212 packets set aside as undecodable or unknown.", registry=self.registry
        )

    def watch(self, name: str, documentation: str, read: Callable[[], float | None]) -> None:
        """Export a gauge whose value is read at scrape time (e.g. alerts open)."""
        self.registry.register(_CallbackGauge(name, documentation, read))

    def exposition(self) -> bytes:
        """The text exposition format."""
        return generate_latest(self.registry)
