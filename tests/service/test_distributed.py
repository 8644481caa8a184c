"""`--dask ADDRESS`: a period's evaluation spread by site over a real Dask cluster gives the answer of one process.

The cluster is a real `distributed` scheduler with two worker processes on loopback; the workers
read the demo county's DuckDB file themselves (read-only, which DuckDB allows several processes
while none writes it). Each command's whole JSON body is compared with the one of a single process.
"""

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from distributed import LocalCluster
from typer.testing import CliRunner

from service.cli import app
from service.demo import demo_readings, write_config
from service.distributed import site_parts
from service.runtime import Service, StartupError
from service.settings import Settings
from store import open_store
from store.influx import InfluxStore
from store.keys import KeyStore
from tests.service.conftest import serve_in_thread
from tests.store.conftest import require_influxd
from tests.store.influxd import InfluxServer

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    folder = tmp_path_factory.mktemp("dask-county")
    config = write_config(folder / "config")
    url = f"duckdb:///{folder / 'wqmon.duckdb'}"
    store = open_store(url)
    store.write(demo_readings())
    store.close()
    return url, config.folder


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """A scheduler and two single-threaded worker processes on 127.0.0.1, closed when the module ends."""
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        yield str(cluster.scheduler_address)


def wqmon(county: tuple[str, Path], *args: str) -> dict:
    url, config = county
    result = CliRunner().invoke(app, [*args, "--json"], env={"WQMON_STORE": url, "WQMON_CONFIG_DIR": str(config)})
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize(
    "command",
    [
        ("evaluate", "--period", "2025"),
        ("evaluate", "--period", "2025-07"),
        ("evaluate", "--period", "2025-wet"),
        ("evaluate", "--period", "2025-Q3", "--site", "qx-chengqu"),
        ("compliance", "--period", "2025"),
        ("compliance", "--period", "2025-03"),
        ("indicators", "--period", "2025"),
        ("ratings", "--period", "2025-08"),
    ],
    ids=lambda command: " ".join(command),
)
def test_the_cluster_answers_exactly_what_one_process_answers(
    county: tuple[str, Path], scheduler: str, command: tuple[str, ...], tmp_path: Path
) -> None:
    state = ("--state", str(tmp_path / "state.sqlite")) if command[0] == "indicators" else ()
    alone = wqmon(county, *command, *state)
    spread = wqmon(county, *command, *state, "--dask", scheduler)
    assert spread == alone
    assert alone.get("sites") != [] and alone.get("rates") != {}  # something was judged


@pytest.fixture(scope="module")
def influx_county(county: tuple[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The demo county in a real influxd on 127.0.0.1 (its own, for this module)."""
    folder = tmp_path_factory.mktemp("dask-influxd")
    server = InfluxServer(folder, require_influxd(os.environ))
    server.start()
    try:
        host_port = server.url.removeprefix("http://")
        url = f"influxdb://{host_port}/county?spool={folder / 'spool.sqlite'}"
        store = InfluxStore.from_url(url)
        store.create_database()
        store.write(demo_readings())
        store.close()
        yield url, county[1]
    finally:
        server.stop()


@pytest.mark.influxdb
@pytest.mark.parametrize("command", [("compliance", "--period", "2025"), ("evaluate", "--period", "2025-07")])
def test_workers_reading_influxdb_answer_what_one_process_answers(
    influx_county: tuple[str, Path], scheduler: str, command: tuple[str, ...]
) -> None:
    assert wqmon(influx_county, *command, "--dask", scheduler) == wqmon(influx_county, *command)


@pytest.mark.influxdb
def test_the_service_with_wqmon_dask_address_serves_the_single_process_answer(
    influx_county: tuple[str, Path], scheduler: str, tmp_path: Path
) -> None:
    """A real HTTP API over InfluxDB: once evaluating in its own process, once through the cluster."""
    url, config = influx_county
    bodies = []
    for address in (None, scheduler):
        settings = Settings(config_dir=config, store=url, state_path=tmp_path / "state.sqlite", dask_address=address)
        service = Service.open(settings)
        key, _ = KeyStore(service.state).create(role="viewer", name="test viewer")
        base, server, thread = serve_in_thread(service.app)
        try:
            with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=120) as client:
                response = client.get("/api/v1/compliance", params={"period": "2025"})
                assert response.status_code == 200, response.text
                bodies.append(response.json())
        finally:
            server.should_exit = True
            thread.join()
            service.close()
    assert bodies[1] == bodies[0]


def test_every_site_is_in_exactly_one_part_and_parts_are_even() -> None:
    sites = [f"s{i:02d}" for i in range(11)]
    parts = site_parts(sites, 3)
    assert [len(p) for p in parts] == [4, 4, 3]
    assert [s for p in parts for s in p] == sites
    assert site_parts(sites[:2], 5) == [["s00"], ["s01"]]  # never an empty part


def test_a_file_held_for_writing_is_not_read_by_the_workers_and_the_message_says_why(
    county: tuple[str, Path], scheduler: str
) -> None:
    url, config = county
    path = url.removeprefix("duckdb:///")
    owner_code = "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('ready', flush=True); time.sleep(60)"
    owner = subprocess.Popen([sys.executable, "-c", owner_code, path], stdout=subprocess.PIPE, text=True)
    try:
        assert owner.stdout is not None and owner.stdout.readline().strip() == "ready"
        env = {"WQMON_STORE": url, "WQMON_CONFIG_DIR": str(config)}
        result = CliRunner().invoke(app, ["compliance", "--period", "2025", "--dask", scheduler], env=env)
    finally:
        owner.terminate()
        owner.wait(timeout=30)
        if owner.stdout is not None:
            owner.stdout.close()
    assert result.exit_code == 2
    assert "another process holds it for writing" in result.stderr and "use InfluxDB" in result.stderr


def test_an_unreachable_scheduler_is_reported_with_what_to_do(county: tuple[str, Path]) -> None:
    url, config = county
    env = {"WQMON_STORE": url, "WQMON_CONFIG_DIR": str(config)}
    result = CliRunner().invoke(app, ["compliance", "--period", "2025", "--dask", "tcp://127.0.0.1:9"], env=env)
    assert result.exit_code == 2
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in result.stderr
    assert "leave out --dask" in result.stderr


def test_the_service_with_a_cluster_needs_a_store_its_workers_can_read(
    county: tuple[str, Path], tmp_path: Path
) -> None:
    url, config = county
    settings = Settings(config_dir=config, store=url, state_path=tmp_path / "state.sqlite", dask_address="tcp://x:1")
    with pytest.raises(StartupError, match=r"WQMON_DASK_ADDRESS=tcp://x:1: .*use InfluxDB"):
        Service.open(settings)
