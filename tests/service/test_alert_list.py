"""The alert list an operator works: critical first then newest, filters, repeats grouped, open counts,
many acknowledged at once with one note — over the API and the page, on a running service."""

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from models.alerts.config import AlertConfig
from models.configuration import Configuration
from service.runtime import Service
from service.settings import Settings
from store.duckdb_store import DuckDBStore
from store.keys import KeyStore
from store.state import StateDB
from tests.service.conftest import serve_in_thread

HOUR = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0) - dt.timedelta(hours=6)


def reading(site: str, parameter: str, value: float, hours: int = 0) -> dict[str, object]:
    return {"site": site, "parameter": parameter, "statistic": "hour_avg", "value": value,
            "time": (HOUR + dt.timedelta(hours=hours)).isoformat()}  # fmt: skip


@pytest.fixture
def running(tmp_path: Path, demo_config: Configuration) -> Iterator[tuple[Service, str, str]]:
    """The demo county's service, empty, with its alert worker running (no HJ 212, no pulls)."""
    settings = Settings(config_dir=demo_config.folder, state_path=tmp_path / "state.sqlite",
                        hj212_enabled=False, pull_enabled=False)  # fmt: skip
    store, state = DuckDBStore(tmp_path / "wqmon.duckdb"), StateDB(settings.state_path)
    token, _ = KeyStore(state).create(role="operator", name="值班员")
    service = Service(
        settings, config=demo_config, store=store, state=state, rules=AlertConfig.load(demo_config.folder)
    )
    url, server, thread = serve_in_thread(service.app, lifespan="on")
    yield service, url, token
    server.should_exit = True
    thread.join()
    store.close()
    state.close()


def post(service: Service, client: httpx.Client, rows: list[dict[str, object]]) -> None:
    assert client.post("/api/v1/readings", json={"readings": rows}).status_code == 200
    assert service.worker.wait_idle(10)  # the alert worker judged them


def test_api_orders_filters_and_acknowledges_many(running: tuple[Service, str, str]) -> None:
    service, url, token = running
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}) as client:
        # GB 18918 1A: COD 50 -> 62 is (62-50)/50 = 0.24 times over (warning, below 1.0);
        # TP 0.5 -> 1.2 is 1.4 times over (critical); then an NH3-N exceedance, newest (warning)
        post(service, client, [reading("wwtp-chengdong", "w01018", 62.0, 0)])
        post(service, client, [reading("wwtp-chengdong", "w21011", 1.2, 1)])
        post(service, client, [reading("wwtp-chengdong", "w21003", 7.0, 2)])
        listed = client.get("/api/v1/alerts", params={"status": "active", "order": "severity"}).json()["items"]
        exceedances = [(a["parameter"], a["severity"]) for a in listed if a["rule"] == "exceedance"]
        assert exceedances == [("w21011", "critical"), ("w21003", "warning"), ("w01018", "warning")]
        critical = client.get("/api/v1/alerts", params={"severity": "critical", "rule": "exceedance"}).json()
        assert [a["parameter"] for a in critical["items"]] == ["w21011"]
        ids = [a["id"] for a in listed if a["rule"] == "exceedance" and a["severity"] == "warning"]
        answer = client.post("/api/v1/alerts/acknowledge", json={"ids": [*ids, 999_999], "note": "已电话通知厂方"})
        assert answer.status_code == 200
        body = answer.json()
        assert sorted(a["id"] for a in body["acknowledged"]) == sorted(ids)
        assert {a["note"] for a in body["acknowledged"]} == {"已电话通知厂方"}
        assert {a["acknowledged_by"] for a in body["acknowledged"]} == {"值班员"}
        assert [s["id"] for s in body["skipped"]] == [999_999]
        bad = client.get("/api/v1/alerts", params={"rule": "nonsense"})
        assert bad.status_code in (400, 422)


def test_page_counts_groups_and_acknowledges_many(running: tuple[Service, str, str]) -> None:
    service, url, token = running
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}) as api:
        post(service, api, [reading("wwtp-chengdong", "w21011", 1.2, 0)])  # critical, opened
        post(service, api, [reading("wwtp-chengdong", "w21011", 0.2, 1)])  # resolved
        post(service, api, [reading("wwtp-chengdong", "w21011", 1.3, 2)])  # critical again: a repeat
        post(service, api, [reading("wwtp-chengdong", "w01018", 62.0, 3)])  # warning
    with httpx.Client(base_url=url) as page:
        assert page.post("/login", data={"api_key": token, "next": "/alerts"}).status_code == 303
        html = page.get("/alerts", params={"status": ""}).text  # every status
        # one row for the TP exceedance key, counting its two alerts; critical rows before warnings
        assert html.count('data-rule="exceedance"') == 2
        assert 'data-severity="critical" data-rule="exceedance" data-repeats="2"' in html
        assert html.index('data-severity="critical" data-rule') < html.index('data-severity="warning" data-rule')
        assert "严重 1" in html and "警告 1" in html  # open (unacknowledged) alerts in the header
        only = page.get("/alerts", params={"severity": "warning"}).text
        assert 'data-severity="critical" data-rule' not in only and 'data-severity="warning" data-rule' in only
        csrf = html.split('name="csrf" value="')[1].split('"')[0]
        ids = [a.id for a in service.engine.list(status="open") if a.rule == "exceedance"]
        done = page.post("/alerts/acknowledge", data={"ids": [str(i) for i in ids], "note": "现场核查中", "csrf": csrf})
        assert done.status_code == 303
    acknowledged = [service.engine.get(i) for i in ids]
    assert {(a.status, a.note) for a in acknowledged} == {("acknowledged", "现场核查中")}
