"""Reading a large selection: JSON pages linked by `next`, CSV streamed in slices."""

import io

import httpx
import pandas as pd

from tests.service.conftest import LiveApi

PLANT = "wwtp-chengdong"


def stored_hours(live: LiveApi, hours: int) -> None:
    frame = pd.DataFrame({"time": pd.date_range("2020-01-01", periods=hours, freq="h", tz="UTC")})
    frame["site"], frame["parameter"], frame["statistic"] = PLANT, "w01018", "hour_avg"
    frame["value"], frame["non_detect"], frame["flag"], frame["source"] = 20.0, False, "N", "test"
    live.store.write(frame)


def test_json_pages_link_to_the_next_until_the_last(live: LiveApi) -> None:
    stored_hours(live, 25)
    seen: list[str] = []
    with live.client("viewer") as client:
        url: str | None = "/api/v1/readings?site=wwtp-chengdong&limit=10"
        while url is not None:
            body = client.get(url).json()
            seen += [item["time"] for item in body["items"]]
            url = body.get("next")
            assert url is None or url.startswith("/api/v1/readings?")  # relative, whatever the Host header
    assert len(seen) == len(set(seen)) == 25


def test_csv_is_streamed_in_slices_and_complete(live: LiveApi) -> None:
    stored_hours(live, 60_000)
    with live.client("viewer") as client, client.stream("GET", "/api/v1/readings", params={"format": "csv"}) as answer:
        assert answer.headers.get("transfer-encoding") == "chunked" and "content-length" not in answer.headers
        content = answer.read()
    frame = pd.read_csv(io.BytesIO(content), encoding="utf-8-sig")
    assert len(frame) == 60_000 and frame["time"].is_unique
    assert list(frame.columns)[:3] == ["site", "parameter", "time"]


def test_openapi_names_the_csv_answer(live: LiveApi) -> None:
    schema = httpx.get(f"{live.url}/api/v1/openapi.json").json()
    content = schema["paths"]["/api/v1/readings"]["get"]["responses"]["200"]["content"]
    assert {"application/json", "text/csv"} <= set(content)
