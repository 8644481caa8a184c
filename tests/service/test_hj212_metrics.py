"""/metrics of a running service accounts for every HJ 212 packet: received = stored + handled + quarantined."""

import re
import socket
import time
from pathlib import Path

import httpx

from ingest.hj212.codec import encode
from ingest.hj212.packet import Packet
from models.configuration import Configuration
from service.demo_county import PLANT_MN
from tests.service.served import served


def metric(text: str, name: str, labels: str = "") -> float:
    match = re.search(rf"^{name}{re.escape(labels)} (\S+)$", text, re.MULTILINE)
    return float(match.group(1)) if match else 0.0


def test_hj212_counters_are_on_metrics(tmp_path: Path, demo_config: Configuration) -> None:
    heartbeat = encode(Packet(qn="20250601080000000", st="91", cn="8013", pw="123456", mn=PLANT_MN, flag=4, cp=()))
    wrong_password = encode(Packet(qn="20250601080000001", st="91", cn="8013", pw="nope", mn=PLANT_MN, flag=4, cp=()))
    with served(tmp_path, demo_config) as service:
        with socket.create_connection(("127.0.0.1", service.hj212_port)) as logger:
            logger.sendall(heartbeat + wrong_password + b"junk\r\n")
            time.sleep(0.5)
        headers = {"Authorization": f"Bearer {service.keys['viewer']}"}
        with httpx.Client(base_url=service.url, headers=headers) as client:
            for _ in range(100):  # quarantine entries are written every 0.2 s
                text = client.get("/metrics").text
                if metric(text, "wqmon_hj212_packets_quarantined_total") == 2:
                    break
                time.sleep(0.1)
    assert metric(text, "wqmon_hj212_packets_received_total") == 3
    assert metric(text, "wqmon_hj212_packets_handled_total") == 1
    assert metric(text, "wqmon_hj212_packets_quarantined_total") == 2
    assert metric(text, "wqmon_hj212_quarantined_by_reason_total", '{reason="bad_password"}') == 1
    assert metric(text, "wqmon_hj212_quarantined_by_reason_total", '{reason="garbage"}') == 1
    assert metric(text, "wqmon_hj212_connections_total") == 1
