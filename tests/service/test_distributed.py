"""`--dask ADDRESS`: a period's evaluation spread by site over a real Dask cluster gives the answer of one process.

The cluster is a real `dask scheduler` with two `dask worker` processes on loopback; the workers
read the demo county's DuckDB file themselves (read-only, which DuckDB allows several processes
while none writes it). Each command's whole JSON body is compared with the one of a single process.
"""

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from distributed import Client
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
def scheduler(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`dask scheduler` and two single-threaded `dask worker` processes on 127.0.0.1, as a user starts them
    (own processes with a clean import path: pytest's test folders, one holding a `platform.py`, stay out)."""
    folder = tmp_path_factory.mktemp("dask")
    file = folder / "scheduler.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    dask = [sys.executable, "-m", "dask"]
    scheduler = [*dask, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard", "--scheduler-file"]
    worker = [*dask, "worker", "--nthreads", "1", "--no-dashboard", "--scheduler-file", str(file)]
    processes: list[subprocess.Popen[bytes]] = []
    try:
        with (folder / "scheduler.log").open("wb") as log:
            processes.append(subprocess.Popen([*scheduler, str(file)], cwd=folder, env=env, stderr=log))
        while not file.exists():  # waiting for start-up, not asserting on time
            assert processes[0].poll() is None, (folder / "scheduler.log").read_text()
            time.sleep(0.1)
        for index in range(2):
            with (folder / f"worker-{index}.log").open("wb") as log:
                processes.append(subprocess.Popen(worker, cwd=folder, env=env, stderr=log))
        with Client(scheduler_file=str(file), set_as_default=False) as client:
            client.wait_for_workers(2, timeout=120)
            address = str(client.scheduler.address)
        yield address
    finally:
        for process in reversed(processes):  # workers first, then the scheduler; each stops cleanly on SIGTERM
            process.terminate()
            process.wait(timeout=60)


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
