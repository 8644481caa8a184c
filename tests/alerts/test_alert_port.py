"""AlertsJSON: the engine as the HTTP API uses it."""

import json

import pytest

from service.alert_port import AlertsJSON
from service.alerting import AlertEngine
from store.alerts import AlertStateError, UnknownAlertError
from tests.alerts.conftest import readings


def test_json_list_get_acknowledge(engine: AlertEngine) -> None:
    port = AlertsJSON(engine)
    engine.store.write(frame := readings([62.0]))
    port.process(frame)
    (listed,) = [a for a in port.list(status="open") if a["rule"] == "exceedance"]
    json.dumps(listed, allow_nan=False)  # JSON-ready: no NaN, no datetimes
    assert listed["message_en"].endswith("is above the class 1A limit 50 mg/L, 0.24 times over")
    acked = port.acknowledge(str(listed["id"]), by="viewer-key", note="")
    assert acked["status"] == "acknowledged" and acked["note"] is None
    detail = port.get(str(listed["id"]))
    assert [e["event"] for e in detail["events"]] == ["opened", "acknowledged"]
    assert detail["events"][1]["by"] == "viewer-key"
    with pytest.raises(AlertStateError):
        port.acknowledge(str(listed["id"]), by="viewer-key")
    with pytest.raises(UnknownAlertError, match="alert ids are whole numbers"):
        port.get("abc")
    assert port.counts() == {"warning": 1, "critical": 0}
