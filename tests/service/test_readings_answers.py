"""GET /readings answers are kept until a write touches their times and statistics, never served stale."""

from typing import Any

import httpx
import pandas as pd

from service.compliance_cache import Generation
from tests.service.conftest import LiveApi
from tests.service.test_readings_api import PLANT, hourly_cod

DAY = {"site": PLANT, "parameter": "COD", "start": "2025-06-01T00:00:00+08:00", "end": "2025-06-02T00:00:00+08:00"}
NEXT_DAY = {**DAY, "start": "2025-06-02T00:00:00+08:00", "end": "2025-06-03T00:00:00+08:00"}


def values(client: httpx.Client, **params: Any) -> list[float]:
    body = client.get("/api/v1/readings", params=params).json()
    return [item["value"] if "value" in item else item["count"] for item in body["items"]]


def test_an_answer_is_asked_again_after_a_write_into_its_times(live: LiveApi) -> None:
    with live.client("admin") as writer, live.client("viewer") as reader:
        writer.post("/api/v1/readings", json={"readings": hourly_cod(3)})  # 00:00-02:00 local, 20, 21, 22
        assert values(reader, **DAY) == [20.0, 21.0, 22.0]
        assert values(reader, site=PLANT, interval="month") == [3]  # counts; all times
        assert values(reader, **NEXT_DAY) == []
        assert values(reader, **DAY) == [20.0, 21.0, 22.0]  # asked again, nothing written: the same

        late = {"site": PLANT, "parameter": "COD", "time": "2025-06-01T05:00:00+08:00", "value": 30,
                "statistic": "hour_avg"}  # fmt: skip
        writer.post("/api/v1/readings", json={"readings": [late]})
        assert values(reader, **DAY) == [20.0, 21.0, 22.0, 30.0]
        assert values(reader, site=PLANT, interval="month") == [4]
        assert values(reader, **NEXT_DAY) == []

        corrected = {**late, "value": 31}  # the same key, a new value
        writer.post("/api/v1/readings", json={"readings": [corrected]})
        assert values(reader, **DAY) == [20.0, 21.0, 22.0, 31.0]


def test_a_write_of_another_statistic_leaves_answers_that_do_not_read_it(live: LiveApi) -> None:
    with live.client("admin") as writer, live.client("viewer") as reader:
        writer.post("/api/v1/readings", json={"readings": hourly_cod(2)})
        assert values(reader, **DAY, statistic="hour_avg") == [20.0, 21.0]
        assert values(reader, **DAY) == [20.0, 21.0]
        realtime = {"site": PLANT, "parameter": "COD", "time": "2025-06-01T00:30:00+08:00", "value": 25,
                    "statistic": "rtd"}  # fmt: skip
        writer.post("/api/v1/readings", json={"readings": [realtime]})
        assert values(reader, **DAY, statistic="hour_avg") == [20.0, 21.0]
        assert values(reader, **DAY) == [20.0, 25.0, 21.0]


def test_a_write_touches_answers_by_time_and_statistic() -> None:
    generation = Generation()
    june = pd.Timestamp("2025-06-01", tz="UTC").value, pd.Timestamp("2025-07-01", tz="UTC").value
    generation.bump(pd.DataFrame({"time": pd.to_datetime(["2025-06-10"], utc=True), "statistic": ["rtd"]}))
    assert generation.touched_since(0, *june, statistics=None)  # any statistic
    assert generation.touched_since(0, *june, statistics=["rtd", "hour_avg"])
    assert not generation.touched_since(0, *june, statistics=["hour_avg"])
    assert not generation.touched_since(0, *june)  # compliance views read hourly means and samples only
    july = pd.Timestamp("2025-07-01", tz="UTC").value, pd.Timestamp("2025-08-01", tz="UTC").value
    assert not generation.touched_since(0, *july, statistics=None)
