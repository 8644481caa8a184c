"""Drive the running demo service over loopback: concurrent clients on indicators and readings.

Run by hand (prints figures; asserts nothing):

    python bench/api_bench.py                      # starts `wqmon demo` in a subprocess, 100 clients
    python bench/api_bench.py --url http://127.0.0.1:8000 --key wqm_…   # an already running service
    python bench/api_bench.py --clients 10 --requests 5                 # a quick small run

After the endpoints, the demo plant's logger sends an hour packet every --packet-interval seconds
over HJ 212 while the clients ask for indicators (five times the requests): of 2025 (an answer the
new data leave alone) and of this year (recomputed after every stored packet).

Targets with 100 concurrent clients: indicators p99 under 100 ms (issue 7); readings (issue 19) a
1-day raw series at p99 <= 100 ms and >= 25 % of /healthz's request rate, a year of daily means at
p99 <= 250 ms, monthly means of all sites at p99 <= 500 ms. On a loaded machine compare with
/healthz measured in the same run (its p99 is the floor of the event loop then).
"""

import argparse
import asyncio
import datetime as dt
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx
import numpy as np
import uvloop
from hj212_bench import hour_packet  # also puts the project on sys.path

from service.demo_county import PLANT_MN, PLANT_PASSWORD  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
# the demo's readings run up to now: a day a week ago has a day of data (the 2025-06-01 of the line
# before it may have none, depending on the date)
_WEEK_AGO = (dt.datetime.now(dt.UTC) - dt.timedelta(days=7)).date().isoformat()
ENDPOINTS: dict[str, tuple[str, dict[str, str | int]]] = {
    "indicators": ("/api/v1/indicators", {"period": "2025"}),
    "healthz (no key)": ("/healthz", {}),
    "readings raw (1 day, plant COD)": (
        "/api/v1/readings",
        {"site": "wwtp-chengdong", "parameter": "COD", "start": "2025-06-01T00:00:00+08:00",
         "end": "2025-06-02T00:00:00+08:00"},
    ),
    "readings raw (1 day with data, plant COD)": (
        "/api/v1/readings",
        {"site": "wwtp-chengdong", "parameter": "COD", "start": f"{_WEEK_AGO}T00:00:00+08:00",
         "end": f"{_WEEK_AGO}T23:59:59+08:00"},
    ),
    "readings daily (1 year, section)": (
        "/api/v1/readings",
        {"site": "qx-chujing", "parameter": "NH3-N", "interval": "day", "limit": 400},
    ),
    "readings monthly (all sites)": ("/api/v1/readings", {"interval": "month", "limit": 1000}),
}  # fmt: skip


async def client_loop(
    url: httpx.URL,
    request: bytes,
    count: int,
    latencies: list[float],
    statuses: Counter[int | str],
) -> None:
    """One client: a keep-alive connection sending `count` requests, each after the last answer.

    Plain HTTP/1.1 over asyncio streams, since httpx spends about 1.5 ms of CPU per request:
    100 httpx clients on these 2 cores measured the client (650 req/s), not the service.
    """
    reader, writer = await asyncio.open_connection(url.host, url.port)
    try:
        for _ in range(count):
            started = time.perf_counter()
            writer.write(request)
            try:
                head = await reader.readuntil(b"\r\n\r\n")
                await reader.readexactly(_content_length(head))
            except (asyncio.IncompleteReadError, ConnectionError) as error:  # counted: the figures say how many
                statuses[type(error).__name__] += 1
                return
            latencies.append(time.perf_counter() - started)
            statuses[int(head[9:12])] += 1
    finally:
        writer.close()


def _content_length(head: bytes) -> int:
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value)
    raise SystemExit(f"the service answered without Content-Length, which this client needs: {head[:200]!r}")


def request_bytes(url: httpx.URL, path: str, params: dict[str, str | int], key: str) -> bytes:
    """The GET request for `path` with `params`, as sent on the wire."""
    target = httpx.URL(path, params=params).raw_path.decode("ascii")
    return f"GET {target} HTTP/1.1\r\nHost: {url.host}:{url.port}\r\nAuthorization: Bearer {key}\r\n\r\n".encode()


async def measure(name: str, base: httpx.URL, request: bytes, clients: int, requests: int) -> None:
    """Run `clients` client loops of `requests` each and print requests/s and latency percentiles."""
    latencies: list[float] = []
    statuses: Counter[int | str] = Counter()
    started = time.perf_counter()
    await asyncio.gather(*(client_loop(base, request, requests, latencies, statuses) for _ in range(clients)))
    elapsed = time.perf_counter() - started
    ms = np.array(latencies) * 1000
    print(
        f"{name:44s} {len(ms) / elapsed:8.1f} req/s   p50 {np.percentile(ms, 50):7.1f} ms   "
        f"p99 {np.percentile(ms, 99):7.1f} ms   max {ms.max():7.1f} ms   statuses {dict(statuses)}"
    )


async def send_hour_packets(port: int, stop: asyncio.Event, interval_s: float, acked: list[float]) -> None:
    """The demo plant's logger: an hour packet every `interval_s`, each waiting for its 9014 (stored)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    hour = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)
    sequence = 0
    while not stop.is_set():
        sequence += 1
        started = time.perf_counter()
        writer.write(hour_packet(PLANT_MN, hour - dt.timedelta(hours=sequence), sequence, password=PLANT_PASSWORD))
        await reader.readuntil(b"\r\n")
        acked.append(time.perf_counter() - started)
        await asyncio.sleep(interval_s)
    writer.close()


async def drive(url: str, key: str, clients: int, requests: int, hj212_port: int | None, interval_s: float) -> None:
    base = httpx.URL(url)
    async with httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=120) as client:
        for name, (path, params) in ENDPOINTS.items():
            warm = await client.get(path, params=params)  # computes and caches what the endpoint answers
            if warm.status_code != 200:
                raise SystemExit(f"{path} answered {warm.status_code}: {warm.text[:300]}")
            await measure(name, base, request_bytes(base, path, params, key), clients, requests)
        if hj212_port is None:
            return
        # Each stored packet (data times of the last days) makes the answers of its period stale.
        for year in ("2025", "this year"):
            period = str(dt.datetime.now(dt.UTC).year) if year == "this year" else year
            await client.get("/api/v1/indicators", params={"period": period})
            stop, acked = asyncio.Event(), []
            logger = asyncio.create_task(send_hour_packets(hj212_port, stop, interval_s, acked))
            request = request_bytes(base, "/api/v1/indicators", {"period": period}, key)
            await measure(f"indicators {period}, logger sending", base, request, clients, 5 * requests)
            stop.set()
            await logger
            ms = np.array(acked) * 1000
            print(f"  the logger's {len(ms)} hour packets: stored and answered in p50 {np.percentile(ms, 50):.1f} ms")


def start_demo(folder: Path, port: int, hj212_port: int) -> tuple[subprocess.Popen[str], str]:
    command = ["demo", str(folder), "--port", str(port), "--hj212-port", str(hj212_port)]
    process = subprocess.Popen(
        [sys.executable, "-m", "service", *command],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    key = None
    for line in process.stdout:
        print(f"  | {line.rstrip()}")
        if match := re.search(r"admin key: (\S+)", line):
            key = match.group(1)
            break
    if key is None:
        process.kill()
        raise SystemExit("the demo service did not start")
    return process, key


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="a running service; default: start `wqmon demo` in a subprocess")
    parser.add_argument("--key", help="an API key for --url (viewer or better)")
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--requests", type=int, default=20, help="requests per client per endpoint")
    parser.add_argument("--packet-interval", type=float, default=0.5, help="seconds between the logger's packets")
    args = parser.parse_args()
    process = None
    hj212_port = None
    if args.url:
        url, key = args.url, args.key or os.environ.get("WQMON_KEY", "")
    else:
        port, hj212_port = free_port(), free_port()
        folder = Path(tempfile.mkdtemp(prefix="wqmon-bench-"))
        process, key = start_demo(folder, port, hj212_port)
        url = f"http://127.0.0.1:{port}"
    print(f"{args.clients} clients x {args.requests} requests per endpoint against {url}")
    try:
        uvloop.run(drive(url, key, args.clients, args.requests, hj212_port, args.packet_interval))
    finally:
        if process is not None:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=60)


if __name__ == "__main__":
    main()
