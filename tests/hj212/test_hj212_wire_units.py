"""Wire units: HJ 212-2017 Table B.1 as the catalogue holds it, and a logger's own units.

Table B.1 gives each water code the unit of its concentration on the wire; the catalogue stores
every value in the unit of the standards (mg/L for metals), so a µg/L code is multiplied by 0.001.
A real station sends lead as `w20120-Avg=0.00011`, plainly mg/L: read in the table's µg/L it
would be stored 1000 times too low, so sites.yaml lets that logger say `units: {w20120: mg/L}`.
"""

import asyncio
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from ingest.hj212.codec import encode
from ingest.hj212.packet import Packet
from models.configuration import Configuration
from store.duckdb_store import DuckDBStore
from store.state import StateDB
from tests.hj212.test_hj212_server import in_loop, read_reply, running

# HJ 212-2017 Table B.1 (water), code → concentration unit on the wire, as the standards digest
# §4.9 copies it (w20126, silver, comes with the GB 18918-2002 Table 3 items). Factor to the
# catalogue unit: mg/L 1, µg/L 0.001, ng/L 0.000001.
TABLE_B1: dict[str, str] = {
    "w00000": "L/s", "w01001": "1", "w01006": "mg/L", "w01009": "mg/L", "w01010": "°C", "w01012": "mg/L",
    "w01014": "µS/cm", "w01017": "mg/L", "w01018": "mg/L", "w01019": "mg/L", "w01020": "mg/L",
    "w02003": "个/L", "w02006": "个/L", "w03001": "Bq/L", "w03002": "Bq/L", "w19001": "mg/L", "w19002": "mg/L",
    "w20012": "mg/L", "w20023": "mg/L", "w20038": "mg/L", "w20061": "mg/L", "w20092": "mg/L", "w20089": "ng/L",
    "w20111": "µg/L", "w20113": "ng/L", "w20115": "µg/L", "w20116": "mg/L", "w20117": "µg/L", "w20119": "µg/L",
    "w20120": "µg/L", "w20121": "mg/L", "w20122": "mg/L", "w20123": "mg/L", "w20124": "mg/L", "w20125": "mg/L",
    "w20126": "mg/L", "w20127": "µg/L", "w20128": "µg/L", "w20138": "mg/L", "w20139": "mg/L", "w20140": "mg/L",
    "w20141": "mg/L", "w20144": "mg/L", "w20142": "µg/L", "w20143": "µg/L", "w21001": "mg/L", "w21003": "mg/L",
    "w21004": "mg/L", "w21006": "mg/L", "w21007": "mg/L", "w21011": "mg/L", "w21016": "mg/L", "w21017": "mg/L",
    "w21019": "mg/L", "w21022": "mg/L", "w21038": "mg/L", "w22001": "mg/L", "w23002": "mg/L", "w25043": "µg/L",
    "w33001": "ng/L", "w33007": "ng/L", "w99001": "mg/L",
}  # fmt: skip
FACTOR_TO_MG_L = {"mg/L": 1.0, "µg/L": 0.001, "ng/L": 0.000001}


@pytest.mark.parametrize("code", sorted(TABLE_B1))
def test_every_table_b1_water_code_is_in_the_catalogue_with_its_wire_unit(config: Configuration, code: str) -> None:
    parameter = config.catalogue[code]
    assert parameter.wire.get(code) == TABLE_B1[code]
    _, factor = config.catalogue.wire_factor(code)
    expected = FACTOR_TO_MG_L[TABLE_B1[code]] if parameter.unit == "mg/L" else 1.0
    assert factor == pytest.approx(expected)


LEAD_MN, OTHER_MN = "LEADMGL0000000000000001", "TABLEB10000000000000002"


def sites(folder: Path) -> Configuration:
    entries = [
        {"id": "lead-station", "name": "铅站", "kind": "section", "standard": "GB3838-2002", "target": "III",
         "logger": {"mn": LEAD_MN, "password": "123456", "units": {"w20120": "mg/L"}}},
        {"id": "table-station", "name": "表B1站", "kind": "section", "standard": "GB3838-2002", "target": "III",
         "logger": {"mn": OTHER_MN, "password": "123456"}},
    ]  # fmt: skip
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sites.yaml").write_text(yaml.safe_dump({"sites": entries}, allow_unicode=True), encoding="utf-8")
    (folder / "zones.yaml").write_text("zones: []\n", encoding="utf-8")
    return Configuration.load(folder)


def packet(mn: str, values: tuple[tuple[str, str], ...]) -> bytes:
    local = dt.datetime(2016, 8, 24, 5, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    return encode(
        Packet(
            qn=local.strftime("%Y%m%d%H%M%S") + "000", st="21", cn="2061", pw="123456", mn=mn, flag=5,
            cp=((("DataTime", local.strftime("%Y%m%d%H%M%S")),), values),
        )
    )  # fmt: skip


@in_loop
async def test_a_logger_unit_overrides_table_b1_and_implausible_values_are_counted(tmp_path: Path) -> None:
    config = sites(tmp_path / "config")
    store, state = DuckDBStore(tmp_path / "wqmon.duckdb"), StateDB(tmp_path / "state.sqlite")
    seen: list[Any] = []
    try:
        async with running(config, store, state, on_stored=seen.append) as server:
            reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
            writer.write(packet(LEAD_MN, (("w20120-Avg", "0.00011"),)))
            await read_reply(reader)
            # pH 15 and dissolved oxygen -1 cannot be: stored (the logger's data) but counted, and the
            # "implausible" alert rule sees them through on_stored; 28,232.9 kg of COD in the hour is an
            # emission amount (-Cou), not judged by the concentration range
            cp = (("w20120-Avg", "0.11"), ("w01001-Avg", "15"), ("w01009-Avg", "-1"), ("w01018-Cou", "28232.9"))
            writer.write(packet(OTHER_MN, cp))
            await read_reply(reader)
            writer.close()
        got = store.read().set_index(["site", "parameter"])["value"]
    finally:
        store.close()
        state.close()
    assert got[("lead-station", "w20120")] == pytest.approx(0.00011)  # mg/L as the logger says: factor 1
    assert got[("table-station", "w20120")] == pytest.approx(0.00011)  # 0.11 µg/L × 0.001 (Table B.1)
    assert server.counters.values_implausible == 2  # pH 15 > 14; DO −1 < 0 (config/parameters.yaml)
    assert dict(server.counters.implausible_codes) == {f"{OTHER_MN}:w01001": 1, f"{OTHER_MN}:w01009": 1}
    assert sum(len(batch) for batch in seen) == 5


def test_a_logger_unit_the_catalogue_does_not_know_is_a_config_error(tmp_path: Path) -> None:
    folder = tmp_path / "config"
    sites(folder)
    text = (folder / "sites.yaml").read_text(encoding="utf-8").replace("mg/L", "furlong")
    (folder / "sites.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(Exception, match="furlong"):
        Configuration.load(folder)


def test_turbidity_as_loggers_send_it(config: Configuration) -> None:
    """Turbidity is not in the digest's copy of Table B.1; loggers send it as w01003 in NTU
    (config/parameters.yaml marks the code for review). It is read as the catalogue's turbidity."""
    assert config.catalogue.wire_factor("w01003") == ("x-turbidity", 1.0)
