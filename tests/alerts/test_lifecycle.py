"""Alert lifecycle over a real store and state file: open, update, acknowledge, resolve, escalate."""

import datetime as dt
import sqlite3
from pathlib import Path

import pandas as pd
import pytest

from models.alerts.config import AlertConfig
from models.configuration import Configuration
from service.alerting import AlertEngine
from store.alerts import AlertStateError, UnknownAlertError
from store.base import Store
from store.state import StateDB
from tests.alerts.conftest import T0, ingest, readings


def at(hours: float = 0, minutes: float = 0) -> dt.datetime:
    return (T0 + pd.Timedelta(hours=hours, minutes=minutes)).to_pydatetime()


def only_exceedance(engine: AlertEngine) -> list:  # type: ignore[type-arg]
    return [a for a in engine.list() if a.rule == "exceedance"]


def test_exceedance_opens_one_alert_with_a_chinese_message(engine: AlertEngine) -> None:
    changed = ingest(engine, readings([62.0]))
    (alert,) = [a for a in changed if a.rule == "exceedance"]
    assert (alert.site, alert.parameter, alert.status, alert.severity) == ("cd-wwtp", "w01018", "open", "warning")
    assert alert.message == "城东污水处理厂 化学需氧量 小时均值 62.0 mg/L 超过一级A标准限值 50 mg/L，超标 0.24 倍"
    assert engine.message(alert, "en").startswith(
        "城东污水处理厂 chemical oxygen demand hourly mean 62.0 mg/L is above"
    )
    assert engine.get(alert.id) == alert
    assert alert.opened_at == at(0) and alert.count == 1


def test_repeated_conditions_update_the_open_alert(engine: AlertEngine) -> None:
    ingest(engine, readings([62.0, 63.0]))
    ingest(engine, readings([61.0], start=T0 + pd.Timedelta(hours=2)))
    (alert,) = only_exceedance(engine)
    assert alert.count == 3 and alert.value == 61.0 and alert.last_seen == at(2)
    assert alert.severity == "warning"
    ingest(engine, readings([120.0], start=T0 + pd.Timedelta(hours=3)))  # multiple 1.4: critical
    (alert,) = only_exceedance(engine)
    assert alert.severity == "critical" and alert.count == 4
    ingest(engine, readings([55.0], start=T0 + pd.Timedelta(hours=4)))  # severity is never lowered
    (alert,) = only_exceedance(engine)
    assert alert.severity == "critical" and alert.value == 55.0
    assert [e["event"] for e in engine.alerts.events(alert.id)] == ["opened", "raised"]


def test_recovery_resolves_by_itself(engine: AlertEngine) -> None:
    ingest(engine, readings([62.0]))
    changed = ingest(engine, readings([30.0], start=T0 + pd.Timedelta(hours=1)))
    (alert,) = [a for a in changed if a.rule == "exceedance"]
    assert alert.status == "resolved" and alert.resolved_at == at(1) and alert.resolved_by is None
    assert engine.list(status="active") == []
    ingest(engine, readings([70.0], start=T0 + pd.Timedelta(hours=2)))  # a new episode is a new alert
    alerts = only_exceedance(engine)
    assert [a.status for a in alerts] == ["open", "resolved"] and alerts[0].id != alerts[1].id


def test_batch_that_exceeds_then_recovers(engine: AlertEngine) -> None:
    changed = ingest(engine, readings([62.0, 64.0, 30.0]))
    (alert,) = [a for a in changed if a.rule == "exceedance"]
    assert alert.status == "resolved" and alert.count == 2 and alert.value == 64.0


def test_late_normal_data_does_not_resolve_a_newer_exceedance(engine: AlertEngine) -> None:
    ingest(engine, readings([62.0], start=T0 + pd.Timedelta(hours=5)))
    ingest(engine, readings([30.0], start=T0 + pd.Timedelta(hours=1)))  # backfill of an earlier hour
    assert only_exceedance(engine)[0].status == "open"


def test_acknowledge_then_resolve(engine: AlertEngine) -> None:
    ingest(engine, readings([62.0]))
    (alert,) = only_exceedance(engine)
    acked = engine.acknowledge(alert.id, "王工", "已通知厂方检修", now=at(0, 30))
    assert (acked.status, acked.acknowledged_by, acked.note, acked.acknowledged_at) == (
        "acknowledged", "王工", "已通知厂方检修", at(0, 30),
    )  # fmt: skip
    with pytest.raises(AlertStateError, match="only an open alert can be acknowledged"):
        engine.acknowledge(alert.id, "李工")
    ingest(engine, readings([70.0], start=T0 + pd.Timedelta(hours=1)))  # still one alert, still acknowledged
    (alert,) = only_exceedance(engine)
    assert alert.status == "acknowledged" and alert.count == 2
    closed = engine.resolve(alert.id, "王工", "厂方已整改", now=at(2))
    assert (closed.status, closed.resolved_by, closed.note) == ("resolved", "王工", "厂方已整改")
    with pytest.raises(AlertStateError):
        engine.acknowledge(alert.id, "李工")
    with pytest.raises(UnknownAlertError, match="no alert has id 999"):
        engine.get(999)


def test_acknowledged_alert_resolves_on_recovery(engine: AlertEngine) -> None:
    ingest(engine, readings([62.0]))
    engine.acknowledge(only_exceedance(engine)[0].id, "王工", now=at(0, 10))
    ingest(engine, readings([20.0], start=T0 + pd.Timedelta(hours=1)))
    assert only_exceedance(engine)[0].status == "resolved"


def test_only_one_active_alert_per_key_even_when_asked_twice(engine: AlertEngine) -> None:
    fields = {"site": "cd-wwtp", "parameter": "w01018", "rule": "exceedance", "severity": "warning",
              "statistic": "hour_avg", "value": 62.0, "limit": 50.0, "multiple": 0.24, "reference": None,
              "flag": "N", "detail": "upper", "message": "…", "time": at(0)}  # fmt: skip
    engine.alerts.open(fields, count=1, at=at(0), raised_at=at(0))
    with pytest.raises(sqlite3.IntegrityError):
        engine.alerts.open(fields, count=1, at=at(1), raised_at=at(1))


class Clock:
    """A clock the test sets by hand."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


def test_escalation_with_a_clock_passed_in(county: Configuration, store: Store, state: StateDB) -> None:
    clock = Clock(at(0))
    engine = AlertEngine(county, store, state, clock=clock)
    ingest(engine, readings([62.0]))
    clock.now = at(0, 10)
    ingest(engine, readings([5.0], parameter="w01001", start=T0 + pd.Timedelta(minutes=10)))  # pH 5: exceedance
    ph, cod = sorted(only_exceedance(engine), key=lambda a: a.parameter)  # w01001 pH, w01018 COD
    assert (cod.raised_at, ph.raised_at) == (at(0), at(0, 10))
    engine.acknowledge(ph.id, "王工", now=at(0, 20))
    assert engine.check(at(0, 59)) == []
    (escalated,) = engine.check(at(1))  # COD unacknowledged for 60 min
    assert (escalated.id, escalated.escalation_level, escalated.escalated_at) == (cod.id, 1, at(1))
    assert engine.check(at(2)) == []  # no repeats at the same level
    levels = {a.id: a.escalation_level for a in engine.check(at(24, 10)) if a.rule == "exceedance"}
    assert levels == {cod.id: 2, ph.id: 2}  # open for a day, acknowledged or not


def test_escalation_counts_from_when_the_alert_was_raised(county: Configuration, store: Store, state: StateDB) -> None:
    engine = AlertEngine(county, store, state, clock=Clock(at(24 * 30)))
    ingest(engine, readings([62.0]))  # a month-old reading imported now
    (alert,) = only_exceedance(engine)
    assert alert.opened_at == at(0) and alert.raised_at == at(24 * 30)
    assert [a for a in engine.check(at(24 * 30, 59)) if a.rule == "exceedance"] == []


def test_escalation_times_are_configurable(county: Configuration, store: Store, state: StateDB) -> None:
    rules = AlertConfig.from_mapping({"escalation": {"unacknowledged_minutes": 5, "open_minutes": 10}})
    engine = AlertEngine(county, store, state, rules=rules, clock=Clock(at(0)))
    ingest(engine, readings([62.0]))
    assert engine.check(at(0, 4)) == []
    assert [a.escalation_level for a in engine.check(at(0, 5))] == [1]
    assert [a.escalation_level for a in engine.check(at(0, 10))] == [2]


def test_gap_is_found_by_check_and_ended_by_data(engine: AlertEngine) -> None:
    ingest(engine, readings([30.0, 31.0, 29.0]))  # last at 02:00, plant expects hourly data
    assert [a for a in engine.check(at(5)) if a.rule == "gap"] == []
    (gap,) = [a for a in engine.check(at(5, 1)) if a.rule == "gap"]
    assert gap.status == "open" and gap.parameter == "w01018"
    assert "已 3.0 小时无数据" in gap.message
    changed = ingest(engine, readings([30.5], start=T0 + pd.Timedelta(hours=6)))
    assert [a.status for a in changed if a.rule == "gap"] == ["resolved"]


def test_constant_value_across_batches_reads_history_from_the_store(engine: AlertEngine) -> None:
    for hour in range(5):
        assert [
            a for a in ingest(engine, readings([12.3], start=T0 + pd.Timedelta(hours=hour))) if a.rule == "constant"
        ] == []
    (alert,) = [a for a in ingest(engine, readings([12.3], start=T0 + pd.Timedelta(hours=5))) if a.rule == "constant"]
    assert alert.reference == 6 and "连续 6 次数值相同" in alert.message
    (alert,) = [a for a in ingest(engine, readings([12.4], start=T0 + pd.Timedelta(hours=6))) if a.rule == "constant"]
    assert alert.status == "resolved"


def test_fault_flag_opens_and_normal_data_resolves(engine: AlertEngine) -> None:
    (alert,) = [a for a in ingest(engine, readings([3.0], flags=["D"])) if a.rule == "fault_flag"]
    assert alert.severity == "critical" and "数据标记 D" in alert.message
    later = readings([3.1], start=T0 + pd.Timedelta(hours=1))
    assert [a.status for a in ingest(engine, later) if a.rule == "fault_flag"] == ["resolved"]


def test_source_error_then_its_data_recovers(engine: AlertEngine) -> None:
    first = engine.source_error("provincial", "HTTP 503 from the provincial platform", now=at(0))
    again = engine.source_error("provincial", "timed out", now=at(0, 5))
    assert first.id == again.id and again.count == 2 and again.message == "数据源 provincial 出错：timed out"
    pulled = readings([1.0], site="qs-01", parameter="w21003", source="pull:provincial",
                      start=T0 + pd.Timedelta(hours=1))  # fmt: skip
    assert [a.status for a in ingest(engine, pulled) if a.rule == "source_error"] == ["resolved"]


def test_list_filters_pages_and_counts(engine: AlertEngine) -> None:
    ingest(engine, readings([62.0]))
    ingest(engine, readings([120.0], parameter="w21003"))  # NH3-N 1A limit 5: critical
    ingest(engine, readings([2.0], site="qs-01", parameter="w21003", step="4h"))
    assert engine.counts() == {"warning": 1, "critical": 2}  # COD warning; NH3-N plant and section critical
    assert {a.site for a in engine.list(site="qs-01")} == {"qs-01"}
    everything = engine.list(limit=100)
    assert engine.list(limit=2, offset=1) == everything[1:3]
    assert engine.list(status="resolved") == []
    with pytest.raises(ValueError, match="alert status 'closed' is not one of"):
        engine.list(status="closed")  # type: ignore[arg-type]


def test_alerts_survive_a_restart(county: Configuration, store: Store, tmp_path: Path) -> None:
    state = StateDB(tmp_path / "restart.sqlite")
    engine = AlertEngine(county, store, state)
    ingest(engine, readings([62.0]))
    state.close()
    state = StateDB(tmp_path / "restart.sqlite")
    engine = AlertEngine(county, store, state)
    ingest(engine, readings([63.0], start=T0 + pd.Timedelta(hours=1)))
    (alert,) = only_exceedance(engine)
    assert alert.count == 2
    state.close()


def test_daily_mean_of_hourly_packets(engine: AlertEngine) -> None:
    midnight = pd.Timestamp("2026-05-31 16:00", tz="UTC")  # local midnight
    daily = []
    for hour in range(18):
        changed = ingest(engine, readings([55.0], start=midnight + pd.Timedelta(hours=hour)))
        daily += [a for a in changed if a.rule == "daily_exceedance"]
    (alert,) = daily  # opened with the 18th hour, from 17 hours read back from the store
    assert alert.statistic == "day_avg" and alert.value == 55.0
    assert "化学需氧量 日均值 55.0 mg/L 超过一级A标准限值 50 mg/L" in alert.message


def test_implausible_values_with_and_without_a_catalogue_range(engine: AlertEngine) -> None:
    copper = [a for a in ingest(engine, readings([-0.001], parameter="w20122")) if a.rule == "implausible"]
    assert copper[0].limit is None and copper[0].message == "城东污水处理厂 铜 小时均值 -0.001 mg/L 为负值，不可能出现"
    ph = [a for a in ingest(engine, readings([14.5], parameter="w01001")) if a.rule == "implausible"]
    assert ph[0].message == "城东污水处理厂 pH值 小时均值 14.50 超出合理范围 0–14"
    assert ph[0].severity == "critical"


def test_a_cumulative_amount_is_not_judged_by_a_concentration_range(engine: AlertEngine) -> None:
    """An HJ 212 -Cou value is an emission amount in Table B.1's unit (kg of COD for a mg/L item): a
    plant's 28,232.9 kg of COD in an hour (seen in the captured traffic) is no implausible COD
    concentration, while the same number as an hourly mean is."""
    load = ingest(engine, readings([28232.9], statistic="hour_cou"))
    mean = ingest(engine, readings([28232.9], start=T0 + pd.Timedelta(hours=1)))
    assert not [a for a in load if a.rule == "implausible"]
    assert [a.statistic for a in mean if a.rule == "implausible"] == ["hour_avg"]


def test_concurrent_ingest_threads_share_one_alert(engine: AlertEngine) -> None:
    import threading

    batches = [readings([62.0 + i], start=T0 + pd.Timedelta(hours=i)) for i in range(8)]
    for batch in batches:
        engine.store.write(batch)
    threads = [threading.Thread(target=engine.process, args=(batch,)) for batch in batches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    (alert,) = only_exceedance(engine)
    assert alert.status == "open" and alert.count == 8
