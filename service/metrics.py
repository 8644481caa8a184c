"""Prometheus metrics of one running service (its own registry, so tests can run several)."""

from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry, Counter, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from ingest.hj212.server import Hj212Counters

# HJ 212 counters exported as they are (Hj212Counters field -> help); received = stored + handled +
# quarantined once the batch in flight is written, which a scrape lets anyone check on a running server.
_HJ212_COUNTERS = {
    "packets_received": "HJ 212 packets received (each ends stored, handled or quarantined).",
    "packets_stored": "HJ 212 data packets whose readings the store accepted.",
    "packets_handled": "HJ 212 packets answered without readings (heartbeats, status, replies).",
    "packets_quarantined": "HJ 212 packets quarantined (see wqmon_hj212_quarantined_by_reason).",
    "readings_stored": "Readings stored from HJ 212 packets.",
    "replies_sent": "HJ 212 replies sent to loggers.",
    "connections_total": "HJ 212 connections accepted.",
    "connections_refused": "HJ 212 connections refused at a connection cap.",
    "connections_timed_out": "HJ 212 connections closed as idle, silent or too slow.",
}


class _CallbackGauge(Collector):
    def __init__(self, name: str, documentation: str, read: Callable[[], float | None]) -> None:
        self._name, self._documentation, self._read = name, documentation, read

    def collect(self) -> Iterator[GaugeMetricFamily]:
        value = self._read()
        if value is not None:
            yield GaugeMetricFamily(self._name, self._documentation, value=value)


class _Hj212Collector(Collector):
    def __init__(self, read: Callable[[], Hj212Counters | None]) -> None:
        self._read = read

    def collect(self) -> Iterator[Metric]:
        counters = self._read()
        if counters is None:
            return
        for field, documentation in _HJ212_COUNTERS.items():
            yield CounterMetricFamily(f"wqmon_hj212_{field}", documentation, value=getattr(counters, field))
        by_reason = CounterMetricFamily(
            "wqmon_hj212_quarantined_by_reason", "HJ 212 packets quarantined, by reason.", labels=["reason"]
        )
        for reason, count in sorted(counters.quarantined_by_reason.items()):
            by_reason.add_metric([reason], count)
        yield by_reason
        yield GaugeMetricFamily(
            "wqmon_hj212_connections_open", "HJ 212 connections open now.", value=counters.connections_open
        )


class Metrics:
    """Readings ingested (counted here); packets quarantined and alerts open (read at scrape time)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.readings_ingested = Counter(
            "wqmon_readings_ingested",
            "Readings accepted into the store, by how they came (api, upload, hj212, pull).",
            ["channel"],
            registry=self.registry,
        )

    def watch(self, name: str, documentation: str, read: Callable[[], float | None]) -> None:
        """Export a gauge whose value is read at scrape time (e.g. alerts open)."""
        self.registry.register(_CallbackGauge(name, documentation, read))

    def watch_hj212(self, read: Callable[[], Hj212Counters | None]) -> None:
        """Export the HJ 212 server's counters (read at scrape time; nothing while it is not running)."""
        self.registry.register(_Hj212Collector(read))

    def exposition(self) -> bytes:
        """The text exposition format."""
        return generate_latest(self.registry)
