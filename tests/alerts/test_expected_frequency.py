"""What is due when: logger offline (one alert per logger), online gaps by the logger's interval, lab
samples overdue by the site's sampling plan, and the limit in force (GB 18918 NH3-N by water temperature)."""

import pandas as pd

from models.alerts.config import AlertConfig
from models.alerts.rules import (
    gap_conditions,
    limit_conditions,
    offline_conditions,
    recovery_conditions,
    sample_overdue_conditions,
)
from models.configuration import Configuration
from models.sites import Logger, Site
from service.alerting import AlertEngine
from store.base import Store
from store.state import StateDB
from tests.alerts.conftest import T0, ingest, readings

RULES = AlertConfig()


def logged_county(county: Configuration, *, interval: int | None = None, sampling: str | None = None) -> Configuration:
    """The test county with a logger (MN001) on the plant, and a sampling plan on the section."""
    sites = dict(county.sites)
    sites["cd-wwtp"] = sites["cd-wwtp"].model_copy(
        update={"logger": Logger(mn="MN001", password="123456", interval_minutes=interval)}
    )
    if sampling is not None:
        sites["qs-01"] = Site.model_validate({**sites["qs-01"].model_dump(), "sampling": sampling})
    return Configuration(catalogue=county.catalogue, standards=county.standards, zones=county.zones, sites=sites)


def heard(site: str, time: pd.Timestamp) -> pd.DataFrame:
    return pd.DataFrame({"site": [site], "time": pd.DatetimeIndex([time])})


class TestOffline:
    def test_offline_after_the_configured_number_of_intervals(self, county: Configuration) -> None:
        # shipped: 3 intervals; the plant's interval is its kind's default, 60 min -> offline past 180 min
        config = logged_county(county)
        last = heard("cd-wwtp", T0)
        before = offline_conditions(last, config, RULES, now=T0 + pd.Timedelta(minutes=180), since=T0)
        after = offline_conditions(last, config, RULES, now=T0 + pd.Timedelta(minutes=181), since=T0)
        assert before["firing"].tolist() == [False] and after["firing"].tolist() == [True]
        (row,) = after.to_dict("records")
        assert (row["site"], row["parameter"], row["severity"], row["detail"]) == ("cd-wwtp", "", "critical", "MN001")
        assert (row["value"], row["limit"], row["reference"]) == (181.0, 180.0, 60.0)

    def test_the_loggers_own_interval_counts(self, county: Configuration) -> None:
        # a logger reporting every 10 min is offline past 3 x 10 = 30 min
        config = logged_county(county, interval=10)
        last = heard("cd-wwtp", T0)
        assert offline_conditions(last, config, RULES, now=T0 + pd.Timedelta(minutes=31), since=T0)["firing"].all()

    def test_a_site_that_never_reported_is_offline_after_its_expected_first_report(self, county: Configuration) -> None:
        config = logged_county(county)
        nothing = pd.DataFrame({"site": pd.Series(dtype="string"), "time": pd.DatetimeIndex([], tz="UTC")})
        early = offline_conditions(nothing, config, RULES, now=T0 + pd.Timedelta(minutes=179), since=T0)
        late = offline_conditions(nothing, config, RULES, now=T0 + pd.Timedelta(minutes=181), since=T0)
        assert early["firing"].tolist() == [False] and late["firing"].tolist() == [True]
        assert late["detail"].tolist() == ["MN001 never"]

    def test_sites_without_a_logger_get_no_offline_condition(self, county: Configuration) -> None:
        assert offline_conditions(heard("cd-wwtp", T0), county, RULES, now=T0, since=T0).empty

    def test_logger_data_recovers_the_offline_alert(self) -> None:
        recovered = recovery_conditions(readings([20.0, 21.0]), RULES)
        offline = recovered.loc[recovered["rule"] == "offline"]
        assert offline[["site", "parameter"]].values.tolist() == [["cd-wwtp", ""]]
        assert not offline["firing"].any()


def test_engine_one_offline_alert_holds_back_gaps_and_a_heartbeat_resolves_it(
    county: Configuration, store: Store, state: StateDB
) -> None:
    config = logged_county(county)
    clock = [T0.to_pydatetime()]
    engine = AlertEngine(config, store, state, rules=RULES, clock=lambda: clock[0])
    ingest(engine, readings([20.0, 21.0], parameter="w01018"))
    ingest(engine, readings([1.0, 1.1], parameter="w21003"))
    # last data at T0+1h; offline past T0+1h+180 min; gaps of hourly items past 3 h too, held back
    changed = engine.check(now=(T0 + pd.Timedelta(hours=5)).to_pydatetime())
    active = [a for a in engine.list(status="active")]
    assert [(a.rule, a.parameter) for a in active] == [("offline", "")]
    assert "离线" in active[0].message and {a.rule for a in changed} == {"offline"}  # opened (and escalated)
    # a heartbeat (no data) from the logger: it is back; now the gaps of its items show
    engine.heard = lambda: {"MN001": (T0 + pd.Timedelta(hours=5, minutes=1)).to_pydatetime()}
    engine.check(now=(T0 + pd.Timedelta(hours=5, minutes=2)).to_pydatetime())
    rules = sorted((a.rule, a.parameter, a.status) for a in engine.list())
    assert rules == [("gap", "w01018", "open"), ("gap", "w21003", "open"), ("offline", "", "resolved")]


class TestOnlineGap:
    def test_online_items_follow_the_loggers_interval(self, county: Configuration) -> None:
        # logger every 10 min: a gap past 3 x 10 = 30 min (the plant's default would be 180)
        config = logged_county(county, interval=10)
        last = pd.DataFrame({"site": ["cd-wwtp"], "parameter": ["w01018"], "time": pd.DatetimeIndex([T0])})
        assert gap_conditions(last, config, RULES, now=T0 + pd.Timedelta(minutes=30)).empty
        gap = gap_conditions(last, config, RULES, now=T0 + pd.Timedelta(minutes=31))
        assert gap["reference"].tolist() == [10.0] and gap["limit"].tolist() == [30.0]

    def test_held_sites_get_no_gap(self, county: Configuration) -> None:
        last = pd.DataFrame({"site": ["cd-wwtp"], "parameter": ["w01018"], "time": pd.DatetimeIndex([T0])})
        now = T0 + pd.Timedelta(hours=10)
        assert len(gap_conditions(last, county, RULES, now=now)) == 1
        assert gap_conditions(last, county, RULES, now=now, held=frozenset({"cd-wwtp"})).empty


class TestSampleOverdue:
    @staticmethod
    def last_sample(local: str) -> pd.DataFrame:
        time = pd.Timestamp(local, tz="Asia/Shanghai").tz_convert("UTC")
        return pd.DataFrame({"site": ["qs-01"], "parameter": ["w21003"], "time": pd.DatetimeIndex([time])})

    def test_monthly_sample_due_in_the_next_month_plus_grace(self, county: Configuration) -> None:
        # sampled 10 March: April must have one; April ends 1 May 00:00 local; + 10 days = 11 May 00:00
        last = self.last_sample("2026-03-10 10:00")
        on_time = pd.Timestamp("2026-05-10 23:59", tz="Asia/Shanghai")
        overdue = pd.Timestamp("2026-05-11 00:01", tz="Asia/Shanghai")
        assert sample_overdue_conditions(last, county, RULES, now=on_time).empty
        (row,) = sample_overdue_conditions(last, county, RULES, now=overdue).to_dict("records")
        assert (row["rule"], row["site"], row["parameter"], row["severity"]) == (
            "sample_overdue", "qs-01", "w21003", "warning"
        )  # fmt: skip
        # 10 March 10:00 -> 11 May 00:00 is 61 days 14 h = 61.583 days allowed
        assert abs(row["limit"] - (61 + 14 / 24)) < 1e-9

    def test_quarterly_plan_from_the_sites_config(self, county: Configuration) -> None:
        # quarterly: sampled 5 Feb (Q1); Q2 must have one; Q2 ends 1 July; overdue from 11 July
        config = logged_county(county, sampling="quarterly")
        last = self.last_sample("2026-02-05 09:00")
        assert sample_overdue_conditions(last, config, RULES, now=pd.Timestamp("2026-07-10 23:00+08:00")).empty
        assert len(sample_overdue_conditions(last, config, RULES, now=pd.Timestamp("2026-07-11 01:00+08:00"))) == 1

    def test_a_sample_is_not_a_data_gap(self, county: Configuration, store: Store, state: StateDB) -> None:
        engine = AlertEngine(county, store, state, rules=RULES)
        samples = readings([0.4], site="qs-01", parameter="w21003", statistic="sample", source="lab:x.xlsx")
        ingest(engine, samples)
        engine.check(now=(T0 + pd.Timedelta(days=20)).to_pydatetime())  # a monthly plan: not yet overdue
        assert engine.list() == []
        engine.check(now=(T0 + pd.Timedelta(days=75)).to_pydatetime())  # 1 June -> due by end of July + 10 d
        assert [(a.rule, a.parameter) for a in engine.list()] == [("sample_overdue", "w21003")]
        assert "逾期未采样" in engine.list()[0].message
        ingest(engine, readings([0.5], site="qs-01", parameter="w21003", statistic="sample",
                                start=T0 + pd.Timedelta(days=76), source="lab:y.xlsx"))  # fmt: skip
        assert [a.status for a in engine.list()] == ["resolved"]


class TestLimitInForce:
    """GB 18918-2002 表1 第8项 and 注②: class 1A NH3-N 5 mg/L, 8 mg/L when the water is at most 12 °C."""

    @staticmethod
    def hour(value: float, temperature: float) -> pd.DataFrame:
        nh3 = readings([value], parameter="w21003")
        temp = readings([temperature], parameter="w01010")
        return pd.concat([nh3, temp], ignore_index=True)

    def test_cold_day_takes_the_bracketed_limit(self, county: Configuration) -> None:
        # 6.0 mg/L at 10 °C: limit 8 -> met; (the early warning at 0.8 x 8 = 6.4 is not reached either)
        result = limit_conditions(self.hour(6.0, 10.0), county, RULES)
        nh3 = result.loc[(result["parameter"] == "w21003") & (result["rule"] == "exceedance")]
        assert nh3["firing"].tolist() == [False] and nh3["limit"].tolist() == [8.0]

    def test_warm_day_takes_the_stricter_limit(self, county: Configuration) -> None:
        # 6.0 mg/L at 14 °C: limit 5 -> exceeded by (6 - 5) / 5 = 0.2
        result = limit_conditions(self.hour(6.0, 14.0), county, RULES)
        nh3 = result.loc[(result["parameter"] == "w21003") & (result["rule"] == "exceedance")]
        assert nh3["firing"].tolist() == [True] and nh3["limit"].tolist() == [5.0]
        assert abs(nh3["multiple"].iloc[0] - 0.2) < 1e-12

    def test_the_days_temperature_from_history_counts(self, county: Configuration) -> None:
        # the water temperature came in an earlier batch of the same local day (T0 is 08:00 Beijing)
        earlier = readings([9.0, 11.0], parameter="w01010", start=T0 - pd.Timedelta(hours=2))  # mean 10 °C
        result = limit_conditions(readings([6.0], parameter="w21003"), county, RULES, temperatures=earlier)
        assert result.loc[result["rule"] == "exceedance", "limit"].tolist() == [8.0]

    def test_unknown_temperature_takes_the_stricter_limit(self, county: Configuration) -> None:
        result = limit_conditions(readings([6.0], parameter="w21003"), county, RULES)
        assert result.loc[result["rule"] == "exceedance", "firing"].tolist() == [True]


def test_a_reading_dated_in_the_future_resolves_nothing(county: Configuration, store: Store, state: StateDB) -> None:
    now = (T0 + pd.Timedelta(hours=2)).to_pydatetime()
    engine = AlertEngine(county, store, state, rules=RULES, clock=lambda: now)
    ingest(engine, readings([62.0]))  # COD over 50 at T0
    # a normal value dated a day ahead (a logger with a wrong clock): the alert stays open
    ingest(engine, readings([20.0], start=T0 + pd.Timedelta(days=1)))
    (alert,) = [a for a in engine.list() if a.rule == "exceedance"]
    assert alert.status == "open"
    # within future_minutes (10) of the clock it is news, not the future: it resolves
    ingest(engine, readings([20.0], start=pd.Timestamp(now) + pd.Timedelta(minutes=9)))
    assert engine.get(alert.id).status == "resolved"
    assert RULES.future_minutes == 10
