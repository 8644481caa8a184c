"""Drive the running demo service over loopback: concurrent clients on indicators and readings.

Run by hand (prints figures; asserts nothing):

    python bench/api_bench.py                      # starts `wqmon demo` in a subprocess, 100 clients
    python bench/api_bench.py --url http://127.0.0.1:8000 --key wqm_…   # an already running service
    python bench/api_bench.py --clients 10 --requests 5                 # a quick small run

Target (issue 7): p99 under 100 ms for the indicators endpoint with 100 concurrent clients.
"""

import argparse
import asyncio
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

ROOT = Path(__file__).resolve().parents[1]
ENDPOINTS: dict[str, tuple[str, dict[str, str | int]]] = {
    "indicators": ("/api/v1/indicators", {"period": "2025"}),
    "healthz (no key)": ("/healthz", {}),
    "readings raw (1 day, plant COD)": (
        "/api/v1/readings",
        {"site": "wwtp-chengdong", "parameter": "COD", "start": "2025-06-01T00:00:00+08:00",
         "end": "2025-06-02T00:00:00+08:00"},
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


async def drive(url: str, key: str, clients: int, requests: int) -> None:
    base = httpx.URL(url)
    async with httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=120) as client:
        for name, (path, params) in ENDPOINTS.items():
            warm = await client.get(path, params=params)  # computes and caches what the endpoint answers
            if warm.status_code != 200:
                raise SystemExit(f"{path} answered {warm.status_code}: {warm.text[:300]}")
            request = request_bytes(base, path, params, key)
            latencies: list[float] = []
            statuses: Counter[int | str] = Counter()
            started = time.perf_counter()
            await asyncio.gather(*(client_loop(base, request, requests, latencies, statuses) for _ in range(clients)))
            elapsed = time.perf_counter() - started
            ms = np.array(latencies) * 1000
            print(
                f"{name:36s} {len(ms) / elapsed:8.1f} req/s   p50 {np.percentile(ms, 50):7.1f} ms   "
                f"p99 {np.percentile(ms, 99):7.1f} ms   max {ms.max():7.1f} ms   statuses {dict(statuses)}"
            )


def start_demo(folder: Path, port: int) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "service", "demo", str(folder), "--port", str(port), "--hj212-port", "0"],
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="a running service; default: start `wqmon demo` in a subprocess")
    parser.add_argument("--key", help="an API key for --url (viewer or better)")
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--requests", type=int, default=20, help="requests per client per endpoint")
    args = parser.parse_args()
    process = None
    if args.url:
        url, key = args.url, args.key or os.environ.get("WQMON_KEY", "")
    else:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        folder = Path(tempfile.mkdtemp(prefix="wqmon-bench-"))
        process, key = start_demo(folder, port)
        url = f"http://127.0.0.1:{port}"
    print(f"{args.clients} clients x {args.requests} requests per endpoint against {url}")
    try:
        uvloop.run(drive(url, key, args.clients, args.requests))
    finally:
        if process is not None:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=60)


if __name__ == "__main__":
    main()
