"""HJ 212 benchmarks, run by hand: `python bench/hj212_bench.py [--quick]`.

1. Decode rate on the captured traffic (../shared/data/hj212-captured): framing + CRC + fields,
   then also the CP values mapped to catalogue codes. Target >= 50,000 packets/s on one core.
2. Loopback load test: N concurrent loggers (default 1,000) each sending hour packets and waiting
   for each 9014 before the next (as loggers do with Flag bit A), into a DuckDB store in a
   temporary folder. Target >= 5,000 packets/s sustained with zero loss: every packet sent is
   stored or quarantined, and the store holds every reading.

The server runs in this process, the loggers in a child process (so they do not share a core's
event loop with it).
"""

import argparse
import asyncio
import datetime as dt
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ingest.hj212.codec import encode  # noqa: E402
from ingest.hj212.framing import Frame, StreamFramer  # noqa: E402
from ingest.hj212.packet import Packet, parse_segment  # noqa: E402
from ingest.hj212.values import WireCodes, packet_values  # noqa: E402
from models.configuration import Configuration  # noqa: E402

CAPTURES = ROOT.parent / "shared" / "data" / "hj212-captured"
PARAMETERS = ("w01018", "w21003", "w21011", "w21001", "w01001", "w00000")  # COD NH3-N TP TN pH flow


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
        value = 10 + (sequence * 7 + index) % 50
        items.append(((f"{code}-Avg", f"{value:.2f}"), (f"{code}-Max", f"{value + 1:.2f}"), (f"{code}-Flag", "N")))
    packet = Packet(qn=stamp + "000", st="32", cn="2061", pw=password, mn=mn, flag=5, cp=tuple(items))
    return encode(packet)


async def run_loggers(port: int, loggers: int, packets: int, window: int) -> dict[str, float]:
    """Child process: `loggers` connections, each sending `packets` hour packets with Flag bit A,
    keeping at most `window` of them unacknowledged (1: wait for each 9014 before the next)."""
    now = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)
    wire = {
        i: [hour_packet(f"BENCH{i:019d}", now - dt.timedelta(hours=k + 1), k) for k in range(packets)]
        for i in range(loggers)
    }
    acked = 0
    failed = 0

    async def logger(i: int) -> None:
        nonlocal acked, failed
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        queue = wire[i]
        sent = min(window, len(queue))
        writer.write(b"".join(queue[:sent]))
        for _ in range(len(queue)):
            reply = await reader.readuntil(b"\r\n")
            if b"CN=9014" in reply:
                acked += 1
            else:
                failed += 1
            if sent < len(queue):
                writer.write(queue[sent])
                sent += 1
        writer.close()

    start = time.perf_counter()
    async with asyncio.timeout(600):  # one timer for the whole run, not one per reply
        await asyncio.gather(*(logger(i) for i in range(loggers)))
    elapsed = time.perf_counter() - start
    return {"sent": loggers * packets, "acked": acked, "failed": failed, "seconds": elapsed}


async def bench_load(loggers: int, packets: int, window: int) -> None:
    from ingest.hj212.server import Hj212Server
    from service.settings import Settings
    from store.duckdb_store import DuckDBStore
    from store.quarantine import Quarantine
    from store.state import StateDB

    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        (tmp / "config").mkdir()
        sites = "\n".join(
            f"  - {{id: bench-{i}, name: bench {i}, kind: plant, standard: GB18918-2002, target: 1A, "
            f"logger: {{mn: BENCH{i:019d}, password: '123456'}}}}"
            for i in range(loggers)
        )
        (tmp / "config" / "sites.yaml").write_text("sites:\n" + sites + "\n")
        config = Configuration.load(tmp / "config")
        store = DuckDBStore(tmp / "bench.duckdb")
        state = StateDB(tmp / "state.sqlite")
        settings = Settings(hj212_host="127.0.0.1", hj212_port=0)
        server = Hj212Server(config, store, state, settings)
        await server.start()
        cpu_start = time.process_time()
        child = await asyncio.create_subprocess_exec(
            sys.executable, __file__, "--loggers-only", str(server.port), str(loggers), str(packets), str(window),
            stdout=asyncio.subprocess.PIPE,
        )  # fmt: skip
        output, _ = await child.communicate()
        await server.stop()
        server_cpu = time.process_time() - cpu_start
        result = json.loads(output)
        c = server.counters
        stored_rows = len(store.read())
        quarantined = Quarantine(state).count()
        store.close()
        state.close()
    rate = result["acked"] / result["seconds"]
    mode = "each 9014 awaited before the next packet" if window == 1 else f"up to {window} packets unacknowledged"
    print(f"load: {loggers} concurrent loggers x {packets} hour packets (Flag=5), {mode}, DuckDB store")
    print(f"  sent {result['sent']}, acknowledged {result['acked']} in {result['seconds']:.2f} s")
    print(f"  sustained {rate:,.0f} packets/s ({rate * len(PARAMETERS) * 2:,.0f} readings/s) (target 5,000)")
    print(
        f"  server CPU (all its threads, DuckDB writes included): {server_cpu:.2f} s = "
        f"{server_cpu / result['sent'] * 1e6:.0f} µs/packet, {result['sent'] / server_cpu:,.0f} packets/s per core"
    )
    print(
        f"  server: received {c.packets_received}, stored {c.packets_stored}, quarantined {c.packets_quarantined} "
        f"(quarantine table {quarantined}), handled {c.packets_handled}"
    )
    expected_rows = result["sent"] * len(PARAMETERS) * 2
    lost = c.packets_received - c.packets_stored - c.packets_quarantined - c.packets_handled
    print(f"  store rows {stored_rows} of {expected_rows} expected; packets unaccounted for: {lost}")
    print(f"  zero loss: {result['sent'] == c.packets_received and lost == 0 and stored_rows == expected_rows}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for trying the script out")
    parser.add_argument("--loggers", type=int, default=1000)
    parser.add_argument("--packets", type=int, default=20, help="hour packets per logger")
    parser.add_argument(
        "--window", type=int, action="append", help="unacknowledged packets per logger (repeatable; default 1 and 20)"
    )
    parser.add_argument("--loggers-only", nargs=4, type=int, metavar=("PORT", "LOGGERS", "PACKETS", "WINDOW"))
    args = parser.parse_args()
    if args.loggers_only:
        print(json.dumps(asyncio.run(run_loggers(*args.loggers_only))))
        return
    loggers, packets, repeat = (100, 5, 1) if args.quick else (args.loggers, args.packets, 3)
    bench_decode(repeat)
    for window in args.window or [1, packets]:
        asyncio.run(bench_load(loggers, packets, window))


if __name__ == "__main__":
    main()
