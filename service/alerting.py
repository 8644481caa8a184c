"""The alert engine: runs the rules on readings as they are stored and keeps each alert's lifecycle.

Wiring (done by `wqmon serve`)::

    engine = AlertEngine(configuration, store, state, rules=AlertConfig.load(settings.config_dir))
    engine.start()                       # webhook delivery thread
    store.write(batch); engine.process(batch)
    engine.check()                       # every minute or so: data gaps and escalation
    engine.source_error("provincial-platform", "HTTP 503")
    engine.close()

Lifecycle: a firing condition opens the alert of its key (site, parameter, rule) or, when one is
active, counts another firing on it (raising its severity, never lowering it). The key's next
normal reading resolves it. open → acknowledged (by whom, with a note) → resolved. Escalation
level 1 when unacknowledged `unacknowledged_minutes` after it was raised, level 2 when unresolved
after `open_minutes` (counted on the engine's clock, not from the readings' times).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd

from models.alerts.config import SEVERITIES, AlertConfig, Event
from models.alerts.messages import Language, render_message
from models.alerts.rules import (
    evaluate_readings,
    gap_conditions,
    offline_conditions,
    sample_overdue_conditions,
    source_error_condition,
    without_future_recoveries,
)
from models.configuration import Configuration
from models.period.evaluation import WATER_TEMP
from models.reading import empty_readings
from service.webhooks import WebhookDispatcher, utc_now
from store.alerts import Alert, AlertKey, AlertStatus, AlertStore
from store.base import Store
from store.state import StateDB

_FIELDS = ("site", "parameter", "rule", "time", "statistic", "value", "limit", "multiple", "reference",
           "flag", "detail")  # fmt: skip


class AlertEngine:
    """Alert rules, lifecycle and delivery over one store and one state database."""

    def __init__(
        self,
        configuration: Configuration,
        store: Store,
        state: StateDB,
        *,
        rules: AlertConfig | None = None,
        dispatcher: WebhookDispatcher | None = None,
        clock: Callable[[], dt.datetime] = utc_now,
    ) -> None:
        self.configuration = configuration
        self.store = store
        self.rules = rules if rules is not None else AlertConfig()
        self.alerts = AlertStore(state)
        self.dispatcher = dispatcher
        if dispatcher is None and self.rules.webhooks:
            dispatcher = self.dispatcher = WebhookDispatcher(state, self.rules.webhooks, self.rules.delivery,
                                                             clock=clock)  # fmt: skip
        self._clock = clock
        self.since = clock()  # a logger never heard from counts as silent from here
        # the last packet of each MN the HJ 212 server took, set by the service that runs one
        self.heard: Callable[[], Mapping[str, dt.datetime]] | None = None
        # process() runs in ingest threads, check() on a timer, acknowledge() in API workers: one
        # lock keeps read-active-then-write atomic, so a key never gets two active alerts.
        self._lock = threading.RLock()

    # -- evaluation ---------------------------------------------------------------------------

    def process(self, readings: pd.DataFrame) -> list[Alert]:
        """Run the reading rules on a batch just written to the store; returns the alerts it changed."""
        if readings.empty:
            return []
        history = self._history(readings)
        conditions = evaluate_readings(readings, history, self.configuration, self.rules)
        return self.apply(without_future_recoveries(conditions, self.rules, now=self._clock()))

    def _history(self, readings: pd.DataFrame) -> pd.DataFrame:
        """The readings before the batch that the constant, spike and daily-mean rules look back on."""
        rules = self.rules
        statistics: set[str] = set()
        if rules.constant.enabled:
            statistics |= set(rules.constant.statistics)
        if rules.spike.enabled:
            statistics |= set(rules.spike.statistics)
        if rules.exceedance.enabled:
            statistics |= {"hour_avg", "rtd"}  # daily means of plants; the day's water temperature
        if not statistics:
            return empty_readings()
        start = readings["time"].min()
        # water temperature too: it selects GB 18918's NH3-N limit of the day (models.alerts.rules.cold_water)
        return self.store.read(
            sites=sorted(readings["site"].unique()),
            parameters=sorted({*readings["parameter"].unique(), WATER_TEMP}),
            start=(start - pd.Timedelta(hours=rules.history_hours)).to_pydatetime(),
            end=start.to_pydatetime(),
            statistics=sorted(statistics),
        )

    def check(self, now: dt.datetime | None = None) -> list[Alert]:
        """Periodic check at `now`: loggers offline, data gaps, overdue lab samples, and escalation.

        A site whose logger is offline gets that one alert and none for gaps of its parameters.
        """
        now = now if now is not None else self._clock()
        changed: list[Alert] = []
        rules, sites = self.rules, self.configuration.sites
        if sites and (rules.gap.enabled or rules.offline.enabled or rules.sample_overdue.enabled):
            latest = self.store.latest(sites=sorted(sites))
            offline = offline_conditions(self._heard(latest), self.configuration, rules, now=now, since=self.since)
            held = frozenset(offline.loc[offline["firing"].to_numpy(dtype=bool), "site"].astype(str))
            parts = [offline]
            if len(latest):
                sample = (latest["statistic"] == "sample").to_numpy(dtype=bool)
                online = _last_seen(latest.loc[~sample])
                parts.append(gap_conditions(online, self.configuration, rules, now=now, held=held))
                parts.append(sample_overdue_conditions(_last_seen(latest.loc[sample]), self.configuration, rules,
                                                       now=now))  # fmt: skip
            conditions = pd.concat([p for p in parts if len(p)] or [offline], ignore_index=True)
            changed += self.apply(conditions)
        changed += self._escalate(now)
        return changed

    def _heard(self, latest: pd.DataFrame) -> pd.DataFrame:
        """site, time: the last word from each site's logger — a packet the HJ 212 server took
        (`self.heard`, any command) or the newest stored reading it sent."""
        times: dict[str, pd.Timestamp] = {}
        by_mn = {s.logger.mn: s.id for s in self.configuration.sites.values() if s.logger is not None}
        if len(latest):
            logged = latest.loc[latest["source"].str.startswith("hj212:").to_numpy(dtype=bool)]
            for source, time in logged.groupby("source", observed=True)["time"].max().items():
                site = by_mn.get(str(source)[6:])
                if site is not None:
                    times[site] = max(times.get(site, time), time)
        for mn, moment in (self.heard() if self.heard is not None else {}).items():
            site = by_mn.get(mn)
            if site is not None:
                stamp = pd.Timestamp(moment).tz_convert("UTC")
                times[site] = max(times.get(site, stamp), stamp)
        return pd.DataFrame({"site": list(times), "time": pd.DatetimeIndex(list(times.values()), tz="UTC")})

    def source_error(self, name: str, message: str, *, now: dt.datetime | None = None) -> Alert:
        """A pull source reported a problem: open (or count on) its source_error alert."""
        now = now if now is not None else self._clock()
        (alert,) = self.apply(source_error_condition(name, message, self.rules, now=now))
        return alert

    on_source_error = source_error

    def apply(self, conditions: pd.DataFrame) -> list[Alert]:
        """Open, update and resolve alerts from a conditions frame (models.alerts.rules), in time order."""
        if conditions.empty:
            return []
        with self._lock, self.alerts.state.transaction():
            changed = self._apply(conditions)
        return changed

    def _apply(self, conditions: pd.DataFrame) -> list[Alert]:
        frame = conditions.reset_index(drop=True)
        frame["key"] = frame["site"] + "\x1f" + frame["parameter"] + "\x1f" + frame["rule"]
        active = self.alerts.active()
        firing = frame.loc[frame["firing"].to_numpy(dtype=bool)]
        # Only keys that fire now or have an active alert matter; normal data for the rest is skipped.
        relevant = set(firing["key"]) | {"\x1f".join(k) for k in active}
        final: dict[str, dict[str, Any]] = {
            row["key"]: row
            for row in _records(frame.loc[frame["key"].isin(relevant)].drop_duplicates("key", keep="last"))
        }
        newest = {row["key"]: row for row in _records(firing.drop_duplicates("key", keep="last"))}
        rank = firing["severity"].map({s: i for i, s in enumerate(SEVERITIES)}).astype("int64")
        summary = (
            firing.assign(rank=rank)
            .groupby("key", sort=False)
            .agg(count=("rank", "size"), rank=("rank", "max"), first=("time", "min"))
        )
        changed: list[Alert] = []
        for key_text, count, top, first in summary.itertuples(name=None):
            alert = self._fire(active, newest[str(key_text)], count=int(count), rank=int(top), first=first)
            if not final[str(key_text)]["firing"]:
                alert = self._recover(alert, final[str(key_text)]["time"])
            changed.append(alert)
        for key_text, row in final.items():
            if key_text not in newest and not row["firing"]:
                changed.append(self._recover(active[(row["site"], row["parameter"], row["rule"])], row["time"]))
        return changed

    def _fire(
        self, active: dict[AlertKey, Alert], last: dict[str, Any], *, count: int, rank: int, first: pd.Timestamp
    ) -> Alert:
        fields: dict[str, Any] = {name: _plain(last[name]) for name in _FIELDS}
        fields["time"] = pd.Timestamp(last["time"]).to_pydatetime()
        fields["message"] = render_message(fields, self.configuration)
        current = active.get((str(fields["site"]), str(fields["parameter"]), str(fields["rule"])))
        severity = SEVERITIES[rank]
        if current is None:
            fields["severity"] = severity
            alert = self.alerts.open(
                fields, count=count, at=pd.Timestamp(first).to_pydatetime(), raised_at=self._clock()
            )
            self._notify("opened", alert)
            return alert
        raised = SEVERITIES.index(severity) > SEVERITIES.index(current.severity)
        alert = self.alerts.update(current, fields, count=count, severity=severity if raised else current.severity)
        if raised:
            self.alerts.add_event(alert.id, "raised", at=fields["time"], note=severity)
            self._notify("raised", alert)
        return alert

    def _recover(self, alert: Alert, at: Any) -> Alert:
        moment = pd.Timestamp(at).to_pydatetime()
        if moment < alert.last_seen:  # late data from before the newest firing does not resolve it
            return alert
        resolved = self.alerts.resolve(alert.id, at=moment)
        self._notify("resolved", resolved)
        return resolved

    def _escalate(self, now: dt.datetime) -> list[Alert]:
        policy = self.rules.escalation
        changed = []
        with self._lock:
            active = list(self.alerts.active().values())
        for alert in active:
            age = now - alert.raised_at  # not the data time: a backfill of old data is news now
            level = 0
            if alert.status == "open" and age >= dt.timedelta(minutes=policy.unacknowledged_minutes):
                level = 1
            if age >= dt.timedelta(minutes=policy.open_minutes):
                level = 2
            if level > alert.escalation_level:
                with self._lock:
                    escalated = self.alerts.escalate(alert.id, level=level, at=now)
                if escalated is not None:
                    self._notify("escalated", escalated)
                    changed.append(escalated)
        return changed

    # -- people -------------------------------------------------------------------------------

    def acknowledge(self, alert_id: int, by: str, note: str | None = None, *, now: dt.datetime | None = None) -> Alert:
        """open → acknowledged by `by` (a person or API key name), with an optional note."""
        with self._lock:
            alert = self.alerts.acknowledge(alert_id, by=by, note=note, at=now if now is not None else self._clock())
        self._notify("acknowledged", alert)
        return alert

    def resolve(self, alert_id: int, by: str, note: str | None = None, *, now: dt.datetime | None = None) -> Alert:
        """Close an alert by hand (the data need not have recovered)."""
        with self._lock:
            alert = self.alerts.resolve(alert_id, at=now if now is not None else self._clock(), by=by, note=note)
        self._notify("resolved", alert)
        return alert

    def list(
        self,
        status: AlertStatus | Literal["active"] | None = None,
        site: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[Alert]:
        """Alerts newest first; `status` "active" means open or acknowledged."""
        return self.alerts.list(status=status, site=site, limit=limit, offset=offset)

    def get(self, alert_id: int) -> Alert:
        """One alert; store.alerts.UnknownAlertError when there is none with this id."""
        return self.alerts.get(alert_id)

    def counts(self) -> dict[str, int]:
        """Active (open or acknowledged) alerts per severity, for /metrics."""
        return self.alerts.active_by_severity()

    def message(self, alert: Alert, lang: Language = "zh") -> str:
        """The alert's message in `lang` (the stored one is Chinese)."""
        return render_message(alert.to_dict(), self.configuration, lang)

    def payload(self, event: Event, alert: Alert) -> dict[str, object]:
        """The JSON a webhook receives."""
        return {
            "event": event,
            "alert": _json_ready(alert.to_dict()),
            "message": alert.message,
            "message_en": self.message(alert, "en"),
        }

    def _notify(self, event: Event, alert: Alert) -> None:
        if self.dispatcher is not None:
            self.dispatcher.enqueue(event, alert, payload=self.payload(event, alert))

    # -- running ------------------------------------------------------------------------------

    def start(self) -> None:
        """Start webhook delivery in the background."""
        if self.dispatcher is not None:
            self.dispatcher.start()

    def close(self) -> None:
        """Stop webhook delivery; what is not yet delivered stays queued for the next start."""
        if self.dispatcher is not None:
            self.dispatcher.close()


def _last_seen(latest: pd.DataFrame) -> pd.DataFrame:
    """site, parameter, time of the newest reading of each (site, parameter) in a `Store.latest` frame."""
    return latest.groupby(["site", "parameter"], observed=True)["time"].max().reset_index()


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]


def _plain(value: object) -> object:
    """numpy / pandas scalars as Python values (NaN, ±inf and NA as None: JSON has none of them)."""
    if value is None or value is pd.NA or (isinstance(value, float | np.floating) and not np.isfinite(value)):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def _json_ready(data: dict[str, object]) -> dict[str, object]:
    return {k: None if isinstance(v, float) and not np.isfinite(v) else v for k, v in data.items()}
