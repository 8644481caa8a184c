"""Who the HJ 212 port lets in and how long it keeps them: caps per port and per address, timeouts."""

import asyncio
from pathlib import Path

import pytest

from ingest.hj212.server import Hj212Server
from models.configuration import Configuration
from store.duckdb_store import DuckDBStore
from store.state import StateDB
from tests.hj212.test_hj212_server import TEST_MN, WATER_LOGGERS, hour_packet, in_loop, read_reply, running, write_sites


@pytest.fixture
def site_config(tmp_path: Path) -> Configuration:
    return write_sites(tmp_path / "config", {**WATER_LOGGERS, TEST_MN: "123456"})


async def hung_up(reader: asyncio.StreamReader, *, within: float = 10.0) -> bool:
    """Whether the server closes the connection (EOF or reset) within `within` seconds."""
    try:
        return await asyncio.wait_for(reader.read(1), within) == b""
    except ConnectionError:
        return True
    except TimeoutError:
        return False


async def served(server: Hj212Server, *, local: str = "127.0.0.1", hour: int = 5) -> bool:
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port, local_addr=(local, 0))
    writer.write(hour_packet(hour=hour))
    try:
        return (await read_reply(reader)).cn == "9014"
    except (ConnectionError, asyncio.IncompleteReadError):
        return False
    finally:
        writer.close()


@in_loop
async def test_connections_beyond_the_cap_are_refused_and_the_rest_served(
    site_config: Configuration, store: DuckDBStore, state: StateDB
) -> None:
    async with running(site_config, store, state, hj212_max_connections=5) as server:
        idle = [await asyncio.open_connection("127.0.0.1", server.port) for _ in range(5)]
        await asyncio.sleep(0.1)
        extra, extra_writer = await asyncio.open_connection("127.0.0.1", server.port)
        assert await hung_up(extra)
        extra_writer.close()
        assert server.counters.connections_refused == 1
        idle[0][1].close()
        await asyncio.sleep(0.1)
        assert await served(server)  # a place freed: a logger gets in again
        for _, writer in idle[1:]:
            writer.close()


@in_loop
async def test_one_address_cannot_take_every_place(
    site_config: Configuration, store: DuckDBStore, state: StateDB
) -> None:
    async with running(site_config, store, state, hj212_max_connections_per_address=3) as server:
        mine = [await asyncio.open_connection("127.0.0.1", server.port) for _ in range(3)]
        await asyncio.sleep(0.1)
        fourth, fourth_writer = await asyncio.open_connection("127.0.0.1", server.port)
        assert await hung_up(fourth)
        fourth_writer.close()
        assert await served(server, local="127.0.0.2")  # another address still gets in
        for _, writer in mine:
            writer.close()


@in_loop
async def test_a_connection_that_sends_no_valid_packet_is_closed_early(
    site_config: Configuration, store: DuckDBStore, state: StateDB
) -> None:
    async with running(site_config, store, state, hj212_first_packet_timeout_s=0.4) as server:
        silent, silent_writer = await asyncio.open_connection("127.0.0.1", server.port)
        logger_reader, logger_writer = await asyncio.open_connection("127.0.0.1", server.port)
        logger_writer.write(hour_packet(hour=4))
        assert (await read_reply(logger_reader)).cn == "9014"
        assert await hung_up(silent, within=5)  # the default idle timeout is 600 s
        silent_writer.close()
        logger_writer.write(hour_packet(hour=5))  # a logger that has spoken keeps its connection
        assert (await read_reply(logger_reader)).cn == "9014"
        logger_writer.close()
    assert server.counters.connections_timed_out == 1


@in_loop
async def test_a_packet_trickling_in_is_cut_off(site_config: Configuration, store: DuckDBStore, state: StateDB) -> None:
    """A byte every 0.1 s keeps a connection busy but never completes a packet within 0.5 s."""
    async with running(site_config, store, state, hj212_packet_timeout_s=0.5) as server:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(hour_packet(hour=3))
        assert (await read_reply(reader)).cn == "9014"
        closed = False
        for byte in hour_packet(hour=4)[:60]:
            try:
                writer.write(bytes([byte]))
                await writer.drain()
            except ConnectionError:
                closed = True
                break
            if await hung_up(reader, within=0.1):
                closed = True
                break
        writer.close()
    assert closed
