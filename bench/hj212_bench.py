"""HJ 212 benchmarks, run by hand: `python bench/hj212_bench.py [--quick]`.

1. Decode rate on the captured traffic (../shared/data/hj212-captured): framing + CRC + fields,
   then also the CP values mapped to catalogue codes. Target >= 50,000 packets/s on one core.
2. Load test of `wqmon serve` as shipped (alert rules on, the shipped config/alerts.yaml), started
   as a child process over a DuckDB store in a temporary folder: N concurrent loggers (default
   1,000, in another child process) each sending hour packets and waiting for each 9014 before
   the next (as loggers do with Flag bit A). Targets: >= 5,000 packets/s, zero loss, ack p99
   < 200 ms. Printed beside it: /healthz round trips of the same service before and after the
   load (the anchor), and the alert worker's lag from a batch stored to its alerts judged
   (wqmon_alert_lag_seconds on /metrics).
"""

import argparse
import asyncio
import datetime as dt
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ingest.hj212.codec import encode  # noqa: E402
from ingest.hj212.framing import Frame, StreamFramer  # noqa: E402
from ingest.hj212.packet import Packet, parse_segment  # noqa: E402
from ingest.hj212.values import WireCodes, packet_values  # noqa: E402
from models.configuration import Configuration  # noqa: E402

CAPTURES = ROOT.parent / "shared" / "data" / "hj212-captured"
PARAMETERS = ("w01018", "w21003", "w21011", "w21001", "w01001", "w00000")  # COD NH3-N TP TN pH flow
# A class 1A plant's outflow as it mostly is (GB 18918 Table 1: COD 50, NH3-N 5, TP 0.5, TN 15,
# pH 6-9 mg/L), varying so the constant-value rule stays quiet; every 97th packet is over on COD.
TYPICAL = (22.0, 1.2, 0.21, 8.5, 7.2, 310.0)


def bench_decode(repeat: int) -> None:
    codes = WireCodes(Configuration.load().catalogue)
    data = b"".join(p.read_bytes() for p in sorted(CAPTURES.glob("*.h212")))
    chunks = [data[i : i + 4096] for i in range(0, len(data), 4096)]
    best_parse = best_values = 0.0
    packets = 0
    # CPU time of this process: the rate of one core, whatever else the machine is doing
    for _ in range(repeat):
        start = time.process_time()
        packets = 0
        framer = StreamFramer()
        for chunk in chunks:
            for item in framer.feed(chunk):
                if isinstance(item, Frame):
                    parse_segment(item.segment)
                    packets += 1
        best_parse = max(best_parse, packets / (time.process_time() - start))
        start = time.process_time()
        framer = StreamFramer()
        for chunk in chunks:
            for item in framer.feed(chunk):
                if isinstance(item, Frame):
                    packet_values(parse_segment(item.segment), codes)
        best_values = max(best_values, packets / (time.process_time() - start))
    print(f"decode: {packets} captured packets ({len(data) / 1e6:.1f} MB), best of {repeat}, per CPU second")
    print(f"  framing + CRC + fields:           {best_parse:10,.0f} packets/s (target 50,000)")
    print(f"  … + values mapped to the catalogue: {best_values:8,.0f} packets/s")


def hour_packet(mn: str, hour: dt.datetime, sequence: int, *, password: str = "123456") -> bytes:
    local = hour.astimezone(dt.timezone(dt.timedelta(hours=8)))
    stamp = local.strftime("%Y%m%d%H%M%S")
    items = [(("DataTime", stamp),)]
    for index, code in enumerate(PARAMETERS):
        value = TYPICAL[index] * (1 + 0.02 * ((sequence * 7 + index) % 5))
        if index == 0 and sequence % 97 == 96:
            value = 65.0
        items.append(((f"{code}-Avg", f"{value:.2f}"), (f"{code}-Max", f"{value + 1:.2f}"), (f"{code}-Flag", "N")))
    packet = Packet(qn=stamp + "000", st="32", cn="2061", pw=password, mn=mn, flag=5, cp=tuple(items))
    return encode(packet)


class _Logger(asyncio.Protocol):
    """One bench logger: sends its packets keeping at most `window` unacknowledged, times each reply."""

    def __init__(self, queue: list[bytes], window: int, done: asyncio.Future[None], tally: dict[str, Any]) -> None:
        self.queue, self.window, self.done, self.tally = queue, window, done, tally
        self.sent = self.replied = 0
        self.sent_at: list[float] = []
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self._send(min(self.window, len(self.queue)))

    def _send(self, count: int) -> None:
        assert self.transport is not None
        now = time.perf_counter()
        chunk = self.queue[self.sent : self.sent + count]
        self.sent_at += [now] * len(chunk)
        self.sent += len(chunk)
        self.transport.write(b"".join(chunk))

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        *replies, self.buffer = self.buffer.split(b"\r\n")
        now = time.perf_counter()
        for reply in replies:
            if self.window == 1:
                self.tally["latencies"].append(now - self.sent_at[self.replied])
            self.tally["acked" if b"CN=9014" in reply else "failed"] += 1
            self.replied += 1
        if self.sent < len(self.queue) and replies:
            self._send(min(len(replies), len(self.queue) - self.sent))
        if self.replied >= len(self.queue) and not self.done.done():
            self.done.set_result(None)
            assert self.transport is not None
            self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.done.done():
            self.done.set_exception(ConnectionError(f"closed after {self.replied} replies: {exc}"))


async def run_loggers(port: int, loggers: int, packets: int, window: int) -> dict[str, object]:
    """Child process: `loggers` connections, each sending `packets` hour packets with Flag bit A,
    keeping at most `window` of them unacknowledged (1: wait for each 9014 before the next).
    Records each packet's time from send to its 9014 (with window 1)."""
    now = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)
    wire = {
        i: [hour_packet(f"BENCH{i:019d}", now - dt.timedelta(hours=k + 1), i * packets + k) for k in range(packets)]
        for i in range(loggers)
    }
    tally: dict[str, Any] = {"acked": 0, "failed": 0, "latencies": []}
    loop = asyncio.get_running_loop()
    start = time.perf_counter()
    cpu_start = time.process_time()
    waits = []
    for i in range(loggers):
        done: asyncio.Future[None] = loop.create_future()
        await loop.create_connection(lambda q=wire[i], d=done: _Logger(q, window, d, tally), "127.0.0.1", port)
        waits.append(done)
    async with asyncio.timeout(600):  # one timer for the whole run, not one per reply
        await asyncio.gather(*waits)
    elapsed = time.perf_counter() - start
    latencies = sorted(tally["latencies"])

    def quantile(q: float) -> float:
        return latencies[min(int(q * len(latencies)), len(latencies) - 1)] if latencies else float("nan")

    return {
        "sent": loggers * packets, "acked": tally["acked"], "failed": tally["failed"], "seconds": elapsed,
        "client_cpu": time.process_time() - cpu_start,
        "ack_p50_ms": quantile(0.5) * 1e3, "ack_p99_ms": quantile(0.99) * 1e3, "ack_max_ms": quantile(1.0) * 1e3,
    }  # fmt: skip


def _get(url: str, token: str | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return answer.status, answer.read()


def _metric(text: str, name: str) -> float:
    for line in text.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            return float(line.rsplit(" ", 1)[1])
    return float("nan")


def _lag_quantiles(text: str) -> dict[str, float]:
    """Mean, p50 and p99 of wqmon_alert_lag_seconds (the quantiles: the upper bound of their histogram bucket)."""
    buckets = []
    for line in text.splitlines():
        if line.startswith("wqmon_alert_lag_seconds_bucket{"):
            bound = line.split('le="', 1)[1].split('"', 1)[0]
            buckets.append((float(bound), float(line.rsplit(" ", 1)[1])))
    total = buckets[-1][1] if buckets else 0.0
    out = {"mean": _metric(text, "wqmon_alert_lag_seconds_sum") / total if total else float("nan")}
    for name, q in (("p50", 0.5), ("p99", 0.99)):
        out[name] = next((b for b, n in buckets if total and n >= q * total), float("nan"))
    return out


def _anchor_healthz(base: str, rounds: int = 200) -> tuple[float, float]:
    """/healthz round trips on one kept-alive connection: p50 and p99 in ms."""
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        connection.request("GET", "/healthz")
        connection.getresponse().read()
        times.append(time.perf_counter() - start)
    connection.close()
    times.sort()
    return times[len(times) // 2] * 1e3, times[int(len(times) * 0.99)] * 1e3


RULE_SECTIONS = ("exceedance", "early_warning", "gap", "offline", "sample_overdue", "constant", "implausible", "spike",
                 "fault_flag", "source_error")  # fmt: skip


def bench_serve(loggers: int, packets: int, window: int, *, alerts: bool = True) -> None:
    """`wqmon serve` as shipped (alerts on, default config/alerts.yaml), in a child process, with a DuckDB store.

    With `alerts` False every rule is switched off in the bench's alerts.yaml: for comparison only.
    """
    from store.keys import KeyStore
    from store.state import StateDB

    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        (tmp / "config").mkdir()
        sites = "\n".join(
            f"  - {{id: bench-{i}, name: bench {i}, kind: plant, standard: GB18918-2002, target: 1A, "
            f"logger: {{mn: BENCH{i:019d}, password: '123456'}}}}"
            for i in range(loggers)
        )
        (tmp / "config" / "sites.yaml").write_text("sites:\n" + sites + "\n")
        if not alerts:
            off = "".join(f"{section}: {{enabled: false}}\n" for section in RULE_SECTIONS)
            (tmp / "config" / "alerts.yaml").write_text(off)
        state = StateDB(tmp / "state.sqlite")
        token, _ = KeyStore(state).create(role="viewer", name="bench")
        state.close()
        http_port, hj212_port = _free_port(), _free_port()
        environment = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "WQMON_CONFIG_DIR": str(tmp / "config"),
            "WQMON_STORE": f"duckdb:///{tmp / 'wqmon.duckdb'}",
            "WQMON_STATE_PATH": str(tmp / "state.sqlite"),
            "WQMON_HTTP_PORT": str(http_port),
            "WQMON_HJ212_PORT": str(hj212_port),
            "WQMON_HJ212_HOST": "127.0.0.1",
        }
        service = subprocess.Popen(
            [sys.executable, "-m", "service", "serve"], env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        base = f"http://127.0.0.1:{http_port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if _get(base + "/healthz")[0] == 200:
                        break
                except OSError:
                    if time.monotonic() > deadline or service.poll() is not None:
                        raise SystemExit(
                            f"wqmon serve did not start: {service.stderr.read().decode()[-2000:]}"
                        ) from None
                    time.sleep(0.2)
            anchor_before = _anchor_healthz(base)
            cpu_before = _cpu_seconds(service.pid)
            run = subprocess.run(
                [sys.executable, __file__, "--loggers-only", str(hj212_port), str(loggers), str(packets), str(window)],
                capture_output=True, check=True,
            )  # fmt: skip
            result = json.loads(run.stdout)
            server_cpu = _cpu_seconds(service.pid) - cpu_before
            stored_at = time.monotonic()
            _, body = _get(base + "/metrics", token)
            metrics = body.decode()
            backlog_at_end = _metric(metrics, "wqmon_alert_queue_batches")
            while _metric(metrics, "wqmon_alert_queue_batches") > 0 and time.monotonic() - stored_at < 300:
                time.sleep(0.2)
                metrics = _get(base + "/metrics", token)[1].decode()
            drained_s = time.monotonic() - stored_at
            anchor_after = _anchor_healthz(base)
            lag = _lag_quantiles(metrics)
            stored = _metric(metrics, 'wqmon_readings_ingested_total{channel="hj212"}')
            active = _metric(metrics, "wqmon_alerts_open")
        finally:
            service.send_signal(signal.SIGTERM)
            service.wait(timeout=120)
    rate = result["acked"] / result["seconds"]
    mode = "each 9014 awaited before the next packet" if window == 1 else f"up to {window} packets unacknowledged"
    rules = "alerts on" if alerts else "every alert rule off, for comparison"
    print(f"serve: `wqmon serve` ({rules}), {loggers} loggers x {packets} hour packets (Flag=5), {mode}")
    print(f"  anchor /healthz before the load: p50 {anchor_before[0]:.2f} ms, p99 {anchor_before[1]:.2f} ms; "
          f"after: p50 {anchor_after[0]:.2f} ms, p99 {anchor_after[1]:.2f} ms")  # fmt: skip
    print(f"  sent {result['sent']}, acknowledged {result['acked']}, not acknowledged {result['failed']} "
          f"in {result['seconds']:.2f} s")  # fmt: skip
    print(f"  sustained {rate:,.0f} packets/s ({rate * len(PARAMETERS) * 2:,.0f} readings/s) (target 5,000)")
    print(f"  loggers' process CPU (the bench's client): {result['client_cpu']:.1f} s")
    print(f"  server process CPU during the load (all threads, alert worker included): {server_cpu:.1f} s = "
          f"{server_cpu / result['sent'] * 1e6:.0f} µs/packet; load average before: {load:.2f}")  # fmt: skip
    if window == 1:
        print(f"  ack (send -> 9014): p50 {result['ack_p50_ms']:.1f} ms, p99 {result['ack_p99_ms']:.1f} ms, "
              f"max {result['ack_max_ms']:.1f} ms (target p99 < 200 ms)")  # fmt: skip
    print(f"  server metrics: readings stored {stored:.0f} (expected {result['sent'] * len(PARAMETERS) * 2}); "
          f"alerts open {active:.0f}")  # fmt: skip
    print(f"  alert worker: {backlog_at_end:.0f} batches queued when the loggers finished, all judged "
          f"{drained_s:.1f} s later; lag stored -> judged mean {lag['mean']:.2f} s, p50 <= {lag['p50']} s, "
          f"p99 <= {lag['p99']} s")  # fmt: skip
    lost = result["sent"] - result["acked"]
    print(f"  zero loss: {lost == 0 and stored == result['sent'] * len(PARAMETERS) * 2}")


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for trying the script out")
    parser.add_argument("--loggers", type=int, default=1000)
    parser.add_argument("--packets", type=int, default=20, help="hour packets per logger")
    parser.add_argument(
        "--window", type=int, action="append", help="unacknowledged packets per logger (repeatable; default 1 and 20)"
    )
    parser.add_argument("--no-decode", action="store_true", help="skip the decode benchmark")
    parser.add_argument("--no-alerts", action="store_true", help="also run with every alert rule off, for comparison")
    parser.add_argument("--loggers-only", nargs=4, type=int, metavar=("PORT", "LOGGERS", "PACKETS", "WINDOW"))
    args = parser.parse_args()
    if args.loggers_only:
        import uvloop  # the client must not be what limits the rate

        print(json.dumps(uvloop.run(run_loggers(*args.loggers_only))))
        return
    loggers, packets, repeat = (100, 5, 1) if args.quick else (args.loggers, args.packets, 3)
    if not args.no_decode:
        bench_decode(repeat)
    for window in args.window or [1]:
        bench_serve(loggers, packets, window)
        if args.no_alerts:
            bench_serve(loggers, packets, window, alerts=False)


if __name__ == "__main__":
    main()
