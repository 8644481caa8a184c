"""Simulated data loggers of the demo county: the plant's and the outgoing section's, over HJ 212 TCP.

Each connects to the service's own HJ 212 port as a real logger would and sends, with the
HJ 212-2017 commands a logger uses: a real-time data packet (CN 2011, no reply asked) every
`realtime_seconds`, and at each new hour the hour data of the hour just ended (CN 2061, Flag bit
A set: it waits for the 9014 and sends again when none comes). Values vary around the demo
county's typical levels; now and then an hour of the plant is over its COD limit, so an
exceedance can be watched arriving. A lost connection is retried every few seconds.
"""

import asyncio
import datetime as dt
import logging
from dataclasses import dataclass
from typing import Final

import numpy as np

from ingest.hj212.codec import encode
from ingest.hj212.packet import BEIJING, Packet
from service.demo_county import PLANT_MN, PLANT_PASSWORD, SECTION_MN, SECTION_PASSWORD

log = logging.getLogger("wqmon.demo")

ACK_TIMEOUT_S: Final[float] = 10.0
EXCEEDANCE_CHANCE: Final[float] = 1 / 36  # of an hour of the plant being over its COD limit


@dataclass(frozen=True)
class SimulatedLogger:
    """A logger: its MN, password, HJ 212 system code (ST) and typical value of each item."""

    mn: str
    password: str
    st: str
    typical: dict[str, float]  # code -> typical value in the wire unit (mg/L, pH, °C, L/s)
    spread: float = 0.04  # relative noise of a real-time value


# GB 18918 class 1A plant outflow and a GB 3838 class III river section, at ordinary levels.
PLANT: Final = SimulatedLogger(
    PLANT_MN, PLANT_PASSWORD, "32",
    {"w01018": 24.0, "w21003": 1.0, "w21011": 0.22, "w21001": 9.5, "w01001": 7.1, "w00000": 235.0, "w01010": 18.0},
)  # fmt: skip
SECTION: Final = SimulatedLogger(
    SECTION_MN, SECTION_PASSWORD, "21",
    {"w01010": 18.0, "w01001": 7.6, "w01009": 7.8, "w01019": 3.4, "w21003": 0.35, "w21011": 0.09, "w21001": 1.3},
)  # fmt: skip


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(BEIJING).strftime("%Y%m%d%H%M%S")


def realtime_packet(logger: SimulatedLogger, moment: dt.datetime, values: dict[str, float]) -> bytes:
    """CN 2011 real-time data (HJ 212-2017 §6.6.1), no reply asked (Flag 4: 2017 edition, bit A clear)."""
    cp: list[tuple[tuple[str, str], ...]] = [(("DataTime", _stamp(moment)),)]
    cp += [((f"{code}-Rtd", f"{value:.3f}"), (f"{code}-Flag", "N")) for code, value in values.items()]
    qn = _stamp(moment) + f"{moment.microsecond // 1000:03d}"
    return encode(Packet(qn=qn, st=logger.st, cn="2011", pw=logger.password, mn=logger.mn, flag=4, cp=tuple(cp)))


def hour_packet(logger: SimulatedLogger, hour: dt.datetime, values: dict[str, float], sent: dt.datetime) -> bytes:
    """CN 2061 hour data of the hour starting at `hour`, asking for the 9014 (Flag 5: bit A set)."""
    cp: list[tuple[tuple[str, str], ...]] = [(("DataTime", _stamp(hour)),)]
    cp += [
        ((f"{code}-Avg", f"{value:.3f}"), (f"{code}-Min", f"{value * 0.95:.3f}"),
         (f"{code}-Max", f"{value * 1.05:.3f}"), (f"{code}-Flag", "N"))
        for code, value in values.items()
    ]  # fmt: skip
    qn = _stamp(sent) + f"{sent.microsecond // 1000:03d}"
    return encode(Packet(qn=qn, st=logger.st, cn="2061", pw=logger.password, mn=logger.mn, flag=5, cp=tuple(cp)))


class _Values:
    """Smoothly varying values around the typical ones (a random walk pulled back to them)."""

    def __init__(self, logger: SimulatedLogger, rng: np.random.Generator) -> None:
        self.logger, self.rng = logger, rng
        self.level = dict(logger.typical)
        self.hour: dict[str, list[float]] = {code: [] for code in logger.typical}

    def next(self) -> dict[str, float]:
        out = {}
        for code, typical in self.logger.typical.items():
            drift = self.rng.normal(0, self.logger.spread * typical)
            self.level[code] += 0.3 * (typical - self.level[code]) + drift
            out[code] = max(self.level[code], 0.001)
            self.hour[code].append(out[code])
        return out

    def hour_means(self) -> dict[str, float]:
        means = {c: float(np.mean(v)) if v else self.logger.typical[c] for c, v in self.hour.items()}
        for values in self.hour.values():
            values.clear()
        return means


async def run_logger(
    logger: SimulatedLogger, host: str, port: int, *, realtime_seconds: float, seed: int, stop: asyncio.Event
) -> None:
    """Send real-time and hour data to host:port until `stop` is set."""
    rng = np.random.default_rng(seed)
    values = _Values(logger, rng)
    current_hour = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)
    while not stop.is_set():
        try:
            reader, writer = await asyncio.open_connection(host, port)
        except OSError as error:
            log.info("demo logger %s: cannot connect to %s:%d (%s); retrying", logger.mn, host, port, error)
            await _sleep(stop, 3.0)
            continue
        try:
            while not stop.is_set():
                now = dt.datetime.now(dt.UTC)
                writer.write(realtime_packet(logger, now, values.next()))
                hour = now.replace(minute=0, second=0, microsecond=0)
                if hour > current_hour:
                    means = values.hour_means()
                    if logger is PLANT and rng.random() < EXCEEDANCE_CHANCE:
                        means["w01018"] = 50.0 * rng.uniform(1.1, 1.6)  # GB 18918 class 1A COD 50 mg/L
                    writer.write(hour_packet(logger, current_hour, means, now))
                    await writer.drain()
                    reply = await asyncio.wait_for(reader.readuntil(b"\r\n"), ACK_TIMEOUT_S)
                    if b"CN=9014" not in reply:
                        log.warning("demo logger %s: hour data not acknowledged: %r", logger.mn, reply[:80])
                    current_hour = hour
                await writer.drain()
                await _sleep(stop, realtime_seconds)
        except (OSError, TimeoutError, asyncio.IncompleteReadError) as error:
            log.info("demo logger %s: connection lost (%s); reconnecting", logger.mn, error)
            await _sleep(stop, 3.0)
        finally:
            writer.close()


async def run_demo_loggers(host: str, port: int, *, realtime_seconds: float, stop: asyncio.Event) -> None:
    """The plant's and the outgoing section's loggers, until `stop` is set."""
    await asyncio.gather(
        run_logger(PLANT, host, port, realtime_seconds=realtime_seconds, seed=1, stop=stop),
        run_logger(SECTION, host, port, realtime_seconds=realtime_seconds, seed=2, stop=stop),
    )


async def _sleep(stop: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except TimeoutError:
        pass
