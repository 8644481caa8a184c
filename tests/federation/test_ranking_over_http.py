"""The city's view over real county wqmon processes: `wqmon serve` per county on loopback ports, a
city-level wqmon (`wqmon rank`, `wqmon serve` with /api/v1/ranking and /ranking) pulling their
scorecards over HTTP; one county never up, one stopped mid-test and never dropped.

Each county runs the worked-example indicator system (config/examples/model-city: deduction from
100, 基本达标 -0.25, 不达标 -0.5, 无数据 as 不达标) over an empty store, so its two water indicators
(drinking-water sources; the stage-6 water indicator) have no data and take 0.5 each. By hand:

  a (the example's entries): 6 达标, 8 基本达标, 1 不达标 (monitoring capacity), 2 无数据
      100 - 8 x 0.25 - 1 x 0.5 - 2 x 0.5 = 100 - 2 - 0.5 - 1 = 96.5
  b (clean energy 64 -> 75 %, now 达标): 7 达标, 7 基本达标, 1 不达标, 2 无数据
      100 - 7 x 0.25 - 0.5 - 1 = 96.75
  c (green coverage 33.8 -> 36 %, 达标; investment index 1.62 -> 1.2 %, 不达标):
      7 达标, 6 基本达标, 2 不达标, 2 无数据: 100 - 1.5 - 1 - 1 = 96.5
  ranking: b 96.75 first; a and c tie on 96.5 and c has more 达标 (7 > 6): c second, a third.
"""

import datetime as dt
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from models.configuration import BUILTIN_CONFIG
from service.assessment_entries import enter_entries_file
from service.compliance_views import load_indicator_system
from service.demo import write_config
from store.keys import KeyStore
from store.state import StateDB
from tests.service.test_serve import free_port, start

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = BUILTIN_CONFIG / "examples" / "model-city"
CHANGES: dict[str, dict[str, float]] = {
    "a": {},
    "b": {"clean-energy": 75.0},
    "c": {"green-coverage": 36.0, "env-investment": 1.2},
}


@dataclass
class Server:
    url: str
    process: subprocess.Popen[str]
    keys: dict[str, str] = field(default_factory=dict)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.communicate(timeout=60)


def serve(folder: Path, *, roles: tuple[str, ...], extra: dict[str, str] | None = None) -> Server:
    """A real `wqmon serve` over `folder` (config/, wqmon.duckdb, state.sqlite) on a free loopback port."""
    state = StateDB(folder / "state.sqlite")
    keys = {role: KeyStore(state).create(role=role, name=f"test {role}")[0] for role in roles}  # type: ignore[arg-type]
    state.close()
    env = {
        **os.environ,
        "WQMON_CONFIG_DIR": str(folder / "config"),
        "WQMON_STORE": f"duckdb:///{folder / 'wqmon.duckdb'}",
        "WQMON_STATE_PATH": str(folder / "state.sqlite"),
        "WQMON_HJ212_ENABLED": "false",
        "WQMON_PULL_ENABLED": "false",
        **(extra or {}),
    }
    port = free_port()
    return Server(f"http://127.0.0.1:{port}", start(env, port), keys)


def county_folder(root: Path, name: str) -> Path:
    folder = root / name
    write_config(folder / "config")
    (folder / "config" / "indicators.yaml").write_bytes((EXAMPLE / "indicators.yaml").read_bytes())
    entries = yaml.safe_load((EXAMPLE / "entries.yaml").read_text(encoding="utf-8"))
    for entry in entries["values"]:
        entry["value"] = CHANGES[name].get(entry["indicator"], entry["value"])
    (folder / "entries.yaml").write_text(yaml.safe_dump(entries, allow_unicode=True), encoding="utf-8")
    state = StateDB(folder / "state.sqlite")

    enter_entries_file(
        folder / "entries.yaml", load_indicator_system(folder / "config"), state, now=dt.datetime.now(dt.UTC)
    )
    state.close()
    return folder


@dataclass
class City:
    folder: Path
    env: dict[str, str]
    counties: dict[str, Server]


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Iterator[City]:
    root = tmp_path_factory.mktemp("federation")
    counties = {name: serve(county_folder(root, name), roles=("scoring",)) for name in CHANGES}
    nobody = f"http://127.0.0.1:{free_port()}"  # county d: configured, never serving
    folder = root / "city"
    (folder / "config").mkdir(parents=True)
    listed = [{"id": n, "name": f"{n}县", "url": s.url} for n, s in counties.items()] + [
        {"id": "d", "name": "d县", "url": nobody}
    ]
    (folder / "config" / "counties.yaml").write_text(yaml.safe_dump({"counties": listed}, allow_unicode=True))
    keys = {n: s.keys["scoring"] for n, s in counties.items()} | {"d": "wqm_not-a-key"}
    env = {
        **os.environ,
        "WQMON_CONFIG_DIR": str(folder / "config"),
        "WQMON_STATE_PATH": str(folder / "state.sqlite"),
        "WQMON_STORE": f"duckdb:///{folder / 'wqmon.duckdb'}",
        "WQMON_COUNTY_KEYS": json.dumps(keys),
        "WQMON_FEDERATION_TIMEOUT_S": "20",
    }
    try:
        yield City(folder, env, counties)
    finally:
        for server in counties.values():
            server.stop()


def rank_cli(city: City) -> dict[str, Any]:
    command = [sys.executable, "-m", "service", "rank", "--period", "2025", "--json"]
    result = subprocess.run(command, cwd=ROOT, env=city.env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def table(body: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (r["rank"], r["county"], r["points"], None if r["counts"] is None else r["counts"]["达标"], r["answered"])
        for r in body["counties"]
    ]


def test_the_city_ranks_its_counties_and_keeps_one_that_stopped_answering(city: City) -> None:
    first = rank_cli(city)
    assert table(first) == [
        (1, "b", 96.75, 7, True),
        (2, "c", 96.5, 7, True),
        (3, "a", 96.5, 6, True),
        (None, "d", None, None, False),
    ]
    assert [r["counts"] for r in first["counties"][:3]] == [
        {"达标": 7, "基本达标": 7, "不达标": 1, "无数据": 2},
        {"达标": 7, "基本达标": 6, "不达标": 2, "无数据": 2},
        {"达标": 6, "基本达标": 8, "不达标": 1, "无数据": 2},
    ]
    never = first["counties"][3]
    assert never["last_answered_at"] is None and "cannot connect" in never["error"] and "county 'd'" in never["error"]
    assert first["cwqi"] == {"ranked_by": "cwqi, lowest first", "counties": [], "not_published": ["a", "b", "c"]}
    answered_b = first["counties"][0]["last_answered_at"]
    assert answered_b is not None

    # the city's own service: the same ranking over its API and on its page
    server = serve(city.folder, roles=("scoring", "viewer"), extra=city.env | {"WQMON_HJ212_ENABLED": "false"})
    try:
        with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {server.keys['scoring']}"}) as api:
            assert table(api.get("/api/v1/ranking", params={"period": "2025"}).json()) == table(first)
            city.counties["b"].stop()  # county b goes down mid-test
            after = api.get("/api/v1/ranking", params={"period": "2025"}).json()
            refused = api.get("/api/v1/ranking", params={"period": "2025-13"})
        with httpx.Client(base_url=server.url) as browser:
            browser.post("/login", data={"api_key": server.keys["viewer"], "next": "/ranking"})
            page = browser.get("/ranking", params={"period": "2025"}).text
    finally:
        server.stop()
    # b is not dropped: listed unranked, with the time of its last good answer and that answer's points
    assert table(after) == [
        (1, "c", 96.5, 7, True),
        (2, "a", 96.5, 6, True),
        (None, "b", 96.75, 7, False),
        (None, "d", None, None, False),
    ]
    b = after["counties"][2]
    assert (
        b["stale"] is True and b["last_answered_at"] >= answered_b and b["stale_answered_at"] == b["last_answered_at"]
    )
    assert after["not_answering"] == ["b", "d"]
    assert refused.status_code == 422 and refused.headers["content-type"] == "application/problem+json"
    for county in ("a", "b", "c", "d"):
        assert f'data-county="{county}"' in page
    assert 'data-county="b" data-answered="no"' in page and "最近一次成功应答" in page


def test_a_county_wqmon_without_counties_says_ranking_is_not_available(city: City) -> None:
    server = city.counties["a"]  # a county: no counties.yaml
    with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {server.keys['scoring']}"}) as api:
        answer = api.get("/api/v1/ranking", params={"period": "2025"})
    assert answer.status_code == 501 and "ranks no counties" in answer.json()["detail"]
