"""Pull sources against a real HTTP server on 127.0.0.1: pages, failures, watermarks."""

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from ingest.pull.http import HttpSource
from ingest.pull.scheduler import PullScheduler
from ingest.pull.sources import AuthConfig, HttpSourceConfig, load_sources
from models.configuration import BUILTIN_CONFIG, Configuration
from store.base import Store
from store.state import StateDB
from store.watermarks import Watermarks
from tests.ingest.pull.platform import TOKEN, Platform, national_row, serve

ENV = {"WQMON_NATIONAL_TOKEN": TOKEN}
NOW = pd.Timestamp("2024-05-06 12:00", tz="Asia/Shanghai").tz_convert("UTC")


@pytest.fixture
def platform() -> Iterator[Platform]:
    first = Platform(
        records=[
            national_row("河西断面", "2024-05-06 00:00"),
            national_row("东桥断面", "2024-05-06 00:00", 氨氮=0.61, 浊度="--"),
            national_row("河西断面", "2024-05-06 04:00", 站点情况="维护"),
            national_row("东桥断面", "2024-05-06 04:00", 总磷="坏值"),
            national_row("外省断面", "2024-05-06 04:00"),
        ]
    )
    with serve(first) as running:
        yield running


def national(url: str, **changes: object) -> HttpSourceConfig:
    """The shipped national mapping, pointed at the test server."""
    shipped = next(s for s in load_sources(BUILTIN_CONFIG / "sources.yaml") if s.name == "national-auto-stations")
    update = {"url": url, "enabled": True, "backoff_seconds": 0.01, "timeout_seconds": 2.0, **changes}
    pagination = shipped.pagination.model_copy(update={"size": 2}) if shipped.pagination else None
    return shipped.model_copy(update={"pagination": pagination, **update})


def scheduler(
    sources: list[HttpSourceConfig], store: Store, state: StateDB, config: Configuration, errors: list
) -> PullScheduler:
    return PullScheduler(
        [HttpSource(s, environ=ENV) for s in sources],
        store=store,
        watermarks=Watermarks(state),
        config=config,
        on_source_error=lambda name, message: errors.append((name, message)),
        clock=lambda: NOW,
    )


def test_national_table_pages_are_mapped_to_readings(
    platform: Platform, store: Store, site_config: Configuration, tmp_path: Path
) -> None:
    errors: list = []
    state = StateDB(tmp_path / "state.sqlite")
    [result] = asyncio.run(
        scheduler([national(f"{platform.url}/national")], store, state, site_config, errors).run_all_once()
    )
    assert result.error is None
    assert [q["page"] for q in platform.queries] == ["1", "2", "3"]  # 5 rows, 2 a page
    assert platform.queries[0]["start"] == "2024-05-04 12:00:00"  # 48 h look-back, local time
    stored = store.read()
    assert set(stored["source"]) == {"pull:national-auto-stations"} and set(stored["statistic"]) == {"rtd"}
    by_key = stored.set_index(["site", "parameter", "time"])
    t0 = pd.Timestamp("2024-05-06 00:00", tz="Asia/Shanghai").tz_convert("UTC")
    t4 = pd.Timestamp("2024-05-06 04:00", tz="Asia/Shanghai").tz_convert("UTC")
    assert by_key.loc[("hx-01", "w21003", t0), "non_detect"]
    assert by_key.loc[("hx-01", "w21003", t0), "value"] == pytest.approx(0.025)
    assert by_key.loc[("dq-02", "w21003", t0), "value"] == pytest.approx(0.61)
    assert by_key.loc[("hx-01", "x-algae-density", t0), "value"] == pytest.approx(1.2e6)
    assert by_key.loc[("hx-01", "w01001", t4), "flag"] == "M"  # 站点情况 维护
    assert ("dq-02", "x-turbidity", t0) not in by_key.index  # "--": no value
    assert ("dq-02", "w21011", t4) not in by_key.index  # "坏值" rejected ...
    assert ("dq-02", "w21003", t4) in by_key.index  # ... the rest of its record kept
    assert len(stored) == 11 + 10 + 11 + 10
    # Records come by time, then site: page 2 holds 东桥断面 04:00 and 外省断面 04:00.
    assert {(p.sheet, p.row, p.column) for p in result.problems} == {("page 2", 1, "总磷"), ("page 2", 2, "断面名称")}
    assert errors and errors[0][0] == "national-auto-stations" and "2 record value(s) rejected" in errors[0][1]
    assert Watermarks(state).get("national-auto-stations") == t4


def test_watermark_survives_a_restart_without_repeats_or_misses(
    platform: Platform, store: Store, site_config: Configuration, tmp_path: Path
) -> None:
    source = national(f"{platform.url}/national", overlap_seconds=0)
    state = StateDB(tmp_path / "state.sqlite")
    [first] = asyncio.run(scheduler([source], store, state, site_config, []).run_all_once())
    state.close()
    before = len(store.read())

    platform.records += [national_row("河西断面", "2024-05-06 08:00"), national_row("东桥断面", "2024-05-06 08:00")]
    platform.queries.clear()
    state = StateDB(tmp_path / "state.sqlite")  # a new process: new scheduler, same state file
    [second] = asyncio.run(scheduler([source], store, state, site_config, []).run_all_once())
    assert platform.queries[0]["start"] == "2024-05-06 04:00:00"  # from the watermark, not the look-back
    assert second.new == 22  # both 08:00 rows, 11 items each: no misses
    assert second.changed == 0 and second.unchanged == 10 + 11  # the 04:00 rows again: not written twice
    assert second.written == 22
    assert len(store.read()) == before + 22
    assert first.watermark < second.watermark == pd.Timestamp("2024-05-06 00:00", tz="UTC")


def test_failing_sources_raise_alerts_and_do_not_stop_the_others(
    platform: Platform, store: Store, site_config: Configuration, tmp_path: Path
) -> None:
    errors: list = []
    sources = [
        national(f"{platform.url}/down", name="down", retries=2),
        national(f"{platform.url}/slow", name="slow", retries=0, timeout_seconds=0.2),
        national(f"{platform.url}/garbage", name="garbage"),
        national(f"{platform.url}/wrong-shape", name="wrong-shape"),
        national(f"{platform.url}/flaky", name="flaky", auth=None),
        national(f"{platform.url}/national", name="no-token", auth=AuthConfig(env="UNSET_TOKEN_VARIABLE")),
        national(f"{platform.url}/national", name="good"),
    ]
    state = StateDB(tmp_path / "state.sqlite")
    results = {r.source: r for r in asyncio.run(scheduler(sources, store, state, site_config, errors).run_all_once())}
    failed = {name for name, r in results.items() if r.error}
    assert failed == {"down", "slow", "garbage", "wrong-shape", "no-token"}
    assert platform.hits["/down"] == 3  # the first try and two retries
    assert "HTTP 500" in results["down"].error
    assert "no answer within 0.2 s" in results["slow"].error
    assert "not JSON" in results["garbage"].error and "502 Bad Gateway" in results["garbage"].error
    assert "list of records" in results["wrong-shape"].error
    assert "UNSET_TOKEN_VARIABLE" in results["no-token"].error
    assert results["flaky"].written == 42  # a 503 is retried
    assert results["good"].written == 42
    reported = {name for name, _ in errors}
    assert failed <= reported
    watermarks = Watermarks(state)
    assert watermarks.get("down") is None and watermarks.get("good") is not None
    assert set(store.read()["source"]) == {"pull:flaky", "pull:good"}


def test_long_csv_source_in_gbk(platform: Platform, store: Store, site_config: Configuration, tmp_path: Path) -> None:
    source = HttpSourceConfig.model_validate(
        {
            "name": "lab-relay",
            "url": f"{platform.url}/long.csv",
            "format": "csv",
            "statistic": "sample",
            "lookback_hours": 24,
            "mapping": {"site": "站点", "time": "时间", "parameter": "项目", "value": "值", "unit": "单位"},
        }
    )
    [result] = asyncio.run(scheduler([source], store, StateDB(tmp_path / "s.sqlite"), site_config, []).run_all_once())
    assert result.error is None
    values = store.read().set_index("parameter")["value"]
    assert values["w21003"] == pytest.approx(0.31)
    assert values["w20120"] == pytest.approx(0.0025)  # µg/L to mg/L
    assert [(p.row, p.column) for p in result.problems] == [(3, "项目")]


def test_scheduler_start_and_stop(platform: Platform, store: Store, site_config: Configuration, tmp_path: Path) -> None:
    state = StateDB(tmp_path / "state.sqlite")

    async def run() -> None:
        pulls = scheduler([national(f"{platform.url}/national", interval_seconds=0.05)], store, state, site_config, [])
        pulls.start()
        assert pulls.running
        for _ in range(400):  # until the first pull has moved the watermark
            if Watermarks(state).get("national-auto-stations") is not None:
                break
            await asyncio.sleep(0.01)
        await pulls.stop()
        assert not pulls.running

    asyncio.run(run())
    assert Watermarks(state).get("national-auto-stations") is not None
    assert len(store.read()) == 42
