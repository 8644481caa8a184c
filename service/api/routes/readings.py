"""Readings: send a JSON batch or upload a table; read a series raw, aggregated, or as CSV."""

import datetime as dt
from collections.abc import Iterator
from typing import Annotated, Any, Literal

import pandas as pd
from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from ingest.delta import compare
from models.plausibility import EARLIEST, LATEST
from service.api.access import Context, Reader, ReadingWriter
from service.api.pages import PageOf
from service.api.problems import InvalidInput, PayloadTooLarge, RowError
from service.cell_text import neutralised_frame
from service.json_bytes import json_bytes
from service.readings_input import TableError, check_rows, upload_name
from store.keys import ApiKey

router = APIRouter(tags=["readings"])


class ReadingIn(BaseModel):
    """One reading as sent; every field is checked row by row (bad rows are reported, good ones kept)."""

    model_config = ConfigDict(extra="forbid")

    site: str | None = Field(default=None, description="site id or name")
    parameter: str | None = Field(default=None, description="HJ 212 code, name or alias, e.g. w01018 or COD")
    time: str | None = Field(default=None, description="ISO 8601 with a zone, e.g. 2025-06-01T08:00:00+08:00")
    value: float | str | bool | None = Field(
        default=None, description="number in the catalogue unit, or '0.05L' (true/false is refused)"
    )
    statistic: str | None = Field(default=None, description="sample (default), rtd, hour_avg, day_avg …")
    flag: str | None = Field(default=None, description="HJ 212 data flag, default N")
    non_detect: bool | None = None
    source: str | None = Field(
        default=None, description="set by the server: api:<key name>; any other value is refused"
    )


class ReadingsBatch(BaseModel):
    """A batch of readings."""

    model_config = ConfigDict(extra="forbid")

    readings: list[ReadingIn] = Field(max_length=100_000)


class WriteResult(BaseModel):
    """How many readings were stored (of which how many replaced stored ones) and which rows were not."""

    accepted: int
    rejected: int
    replaced: int = Field(description="stored readings of the same source, site, parameter, time and statistic")
    errors: list[RowError]


def _store(
    context: Context,
    key: ApiKey,
    readings: pd.DataFrame,
    problems: list[dict[str, Any]],
    *,
    channel: str,
    what: str,
) -> dict[str, Any]:
    rejected_rows = len({p.get("row", p.get("line")) for p in problems})
    if readings.empty and problems:
        raise InvalidInput(f"{what}: no row could be stored; {rejected_rows} row(s) are wrong", errors=problems)
    replaced = compare(context.store, readings).changed if len(readings) else 0
    accepted = context.store.write(readings) if len(readings) else 0
    context.metrics.readings_ingested.labels(channel=channel).inc(accepted)
    if context.generation is not None and accepted:
        context.generation.bump(readings)
    span = (readings["time"].min().isoformat(), readings["time"].max().isoformat()) if accepted else (None, None)
    context.audit.record(
        actor=key.name,
        action=f"readings.{channel}",
        what=what,
        source=",".join(sorted(readings["source"].unique())) if accepted else None,
        accepted=accepted,
        rejected=rejected_rows,
        replaced=replaced,
        first=span[0],
        last=span[1],
    )
    if context.alerts is not None and accepted:
        context.alerts.process(readings)
    return {"accepted": accepted, "rejected": rejected_rows, "replaced": replaced, "errors": problems}


@router.post("/readings", response_model=WriteResult, summary="Store a batch of readings")
def post_readings(batch: ReadingsBatch, context: Context, key: ReadingWriter) -> dict[str, Any]:
    """Store the good rows of a batch; the answer lists each bad row (0-based `row`) and what is wrong."""
    rows = pd.DataFrame([r.model_dump() for r in batch.readings], columns=list(ReadingIn.model_fields))
    if rows.empty:
        return {"accepted": 0, "rejected": 0, "replaced": 0, "errors": []}
    readings, problems = check_rows(rows, config=context.config, source=f"api:{key.name}")
    return _store(context, key, readings, problems, channel="api", what=f"batch of {len(rows)}")


@router.post("/readings/upload", response_model=WriteResult, summary="Upload a CSV or XLSX file of readings")
async def upload_readings(
    file: Annotated[UploadFile, File(description="a .csv or .xlsx file")], context: Context, key: ReadingWriter
) -> dict[str, Any]:
    """Import a lab or platform table; bad rows are reported by file line, the good ones stored."""
    limit = context.settings.max_upload_bytes
    content = await file.read(limit + 1)
    if len(content) > limit:
        raise PayloadTooLarge(
            f"{file.filename}: larger than the upload limit of {limit} bytes (WQMON_MAX_UPLOAD_BYTES)"
        )
    try:
        name = upload_name(file.filename)
    except TableError as error:
        raise InvalidInput(str(error)) from None

    def work() -> dict[str, Any]:
        try:
            readings, problems = context.importer(content, name)
        except TableError as error:
            raise InvalidInput(str(error)) from None
        return _store(context, key, readings, problems, channel="upload", what=name)

    return await context.imports.run(work)


def _filters(context: Context, site: list[str] | None, parameter: list[str] | None) -> dict[str, Any]:
    return {
        "sites": [context.config.site(s).id for s in site] if site else None,
        "parameters": [context.config.catalogue.resolve(p) for p in parameter] if parameter else None,
    }


def _records(frame: pd.DataFrame, time_columns: tuple[str, ...]) -> list[dict[str, Any]]:
    """Rows as dicts of plain Python values (None for missing), times as ISO 8601 UTC text."""
    columns: dict[str, list[Any]] = {}
    for name in frame.columns:
        column = frame[name]
        if name in time_columns:
            column = column.dt.strftime("%Y-%m-%dT%H:%M:%SZ")
        columns[str(name)] = column.astype(object).where(column.notna(), None).tolist()
    return [dict(zip(columns, row, strict=True)) for row in zip(*columns.values(), strict=True)]


def _json(body: dict[str, Any]) -> Response:
    """A JSON response encoded in one step (FastAPI's jsonable_encoder took longer than the query)."""
    return _json_body(json_bytes(body))


@router.get(
    "/readings",
    summary="Readings of a series, raw or aggregated",
    responses={
        200: {
            "description": "a page of readings (JSON, with `next` while more follow) or the whole selection (CSV)",
            "content": {"application/json": {}, "text/csv": {"schema": {"type": "string"}}},
        }
    },
)
async def get_readings(
    request: Request,
    context: Context,
    _key: Reader,
    paging: PageOf,
    site: Annotated[list[str] | None, Query(description="site ids or names")] = None,
    parameter: Annotated[list[str] | None, Query(description="parameter codes, names or aliases")] = None,
    start: Annotated[dt.datetime | None, Query(description="from (inclusive), ISO 8601")] = None,
    end: Annotated[dt.datetime | None, Query(description="to (exclusive), ISO 8601")] = None,
    statistic: Annotated[list[str] | None, Query(description="e.g. hour_avg, sample")] = None,
    interval: Annotated[
        Literal["hour", "day", "month", "year"] | None, Query(description="aggregate per local period")
    ] = None,
    format: Annotated[
        Literal["json", "csv"], Query(description="csv: the whole selection as a streamed download")
    ] = "json",
) -> Any:
    """Raw readings, or per local calendar `interval` the mean, min, max and count (flag N only)."""
    start, end = _utc(start, "start"), _utc(end, "end")
    filters = _filters(context, site, parameter)

    def query() -> pd.DataFrame:
        if interval is None:
            return context.store.read(**filters, start=start, end=end, statistics=statistic)
        return context.store.aggregate(
            interval, **filters, start=start, end=end, statistics=statistic, timezone=context.settings.timezone
        )

    if format == "csv":
        frame = await run_in_threadpool(query)
        name = f"readings-{interval or 'raw'}.csv"
        return StreamingResponse(
            _csv_chunks(frame),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    time_columns = ("time",) if interval is None else ("period",)

    def answer() -> tuple[bytes, int, int]:
        frame = query()
        part = frame.iloc[paging.offset : paging.offset + paging.limit]
        body = {
            "total": len(frame),
            "limit": paging.limit,
            "offset": paging.offset,
            "items": _records(part, time_columns),
        }
        if paging.offset + paging.limit < len(frame):
            following = request.url.include_query_params(offset=paging.offset + paging.limit)
            body["next"] = f"{following.path}?{following.query}"  # relative: never the Host header's
        # the span of times the answer read: a later write into it (of a statistic asked for) makes it stale
        span = (_ns(start, _FIRST_NS), _ns(end, _LAST_NS))
        return json_bytes(body), *span

    # An answer is kept until a write touches its times (service/compliance_cache.py): asked again,
    # it is sent from the event loop without a worker thread or a query.
    answers = context.readings_answers
    if answers is None:
        return _json_body((await run_in_threadpool(answer))[0])
    key = (
        tuple(statistic) if statistic else None,
        *(tuple(v) if v else None for v in filters.values()),
        start, end, interval, paging.offset, paging.limit,
    )  # fmt: skip
    body = answers.peek(key)
    if body is None:
        body = await run_in_threadpool(answers.answer, key, answer)
    return _json_body(body)


def _csv_chunks(frame: pd.DataFrame, rows: int = 50_000) -> Iterator[bytes]:
    """The selection as CSV, sent in slices of `rows` as they are written (UTF-8 with BOM for Excel).

    Text that reads as a formula is neutralised; rows end in CRLF (RFC 4180), so a CR inside a
    text cell is quoted, never a new row.
    """
    for start in range(0, max(len(frame), 1), rows):
        part = neutralised_frame(frame.iloc[start : start + rows])
        text = part.to_csv(index=False, header=start == 0, date_format="%Y-%m-%dT%H:%M:%SZ", lineterminator="\r\n")
        yield text.encode("utf-8-sig" if start == 0 else "utf-8")


def _json_body(body: bytes) -> Response:
    """A JSON response of a body already encoded."""
    return Response(body, media_type="application/json")


def _ns(instant: dt.datetime | None, default: int) -> int:
    return default if instant is None else pd.Timestamp(instant).value


_FIRST_NS, _LAST_NS = -(2**63), 2**63 - 1


@router.get("/series", summary="The series the store holds", response_model=dict[str, Any])
def get_series(context: Context, _key: Reader, paging: PageOf) -> Response:
    """One row per site, parameter and statistic: count, first and last time."""
    frame = context.store.series()
    part = frame.iloc[paging.offset : paging.offset + paging.limit]
    items = _records(part, ("first", "last"))
    return _json({"total": len(frame), "limit": paging.limit, "offset": paging.offset, "items": items})


def _utc(value: dt.datetime | None, name: str) -> dt.datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise InvalidInput(f"{name} {value.isoformat()!r} has no time zone; write e.g. 2025-06-01T00:00:00+08:00")
    value = value.astimezone(dt.UTC)
    if not (EARLIEST <= value <= LATEST):
        raise InvalidInput(f"{name} {value.isoformat()!r} is outside the years 1900 to 2200")
    return value
