"""Fetch the records of an HTTP source since a time: pages, auth from the environment, retries."""

import asyncio
import io
import json
import os
from collections.abc import Mapping
from typing import Any

import httpx
import pandas as pd

from ingest.lab.sheets import decode_text
from ingest.pull.sources import HttpSourceConfig

PAGE_FIELD = "_page"  # added to every record: the page it came on, and its number there
RECORD_FIELD = "_record"
_RETRY_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})


class SourceError(RuntimeError):
    """A source is down, refuses us, or answers with something that is not its data."""


class HttpSource:
    """One configured HTTP source; `fetch(since, client)` returns its records as a frame of objects."""

    def __init__(self, config: HttpSourceConfig, *, environ: Mapping[str, str] | None = None) -> None:
        self.config = config
        self._environ = os.environ if environ is None else environ

    @property
    def name(self) -> str:
        """The configured name; readings carry the source "pull:<name>"."""
        return self.config.name

    @property
    def source(self) -> str:
        """The `source` column of this source's readings."""
        return f"pull:{self.config.name}"

    def headers(self) -> dict[str, str]:
        """Request headers, with the auth header's secret read from the environment now."""
        auth = self.config.auth
        if auth is None:
            return {}
        secret = self._environ.get(auth.env)
        if not secret:
            raise SourceError(f"source '{self.name}': environment variable {auth.env} (auth.env) is not set")
        return {auth.header: f"{auth.prefix}{secret}"}

    async def fetch(self, since: pd.Timestamp, client: httpx.AsyncClient) -> pd.DataFrame:
        """Every record since `since` (UTC), all pages; SourceError when any page fails.

        Each record carries its page (`_page`) and its number on that page (`_record`).
        """
        headers = self.headers()
        pagination = self.config.pagination
        frames: list[pd.DataFrame] = []
        page = pagination.start if pagination else None
        for _ in range(pagination.max_pages if pagination else 1):
            params = self._params(since, page)
            body = await self._request(client, params, headers, page)
            frame = self._records(body, page)
            frame[PAGE_FIELD] = page if page is not None else 1
            frame[RECORD_FIELD] = range(1, len(frame) + 1)
            frames.append(frame)
            if pagination is None or len(frame) < pagination.size or frame.empty:
                break
            assert page is not None
            page += 1
        else:
            if pagination is not None:
                raise SourceError(
                    f"source '{self.name}': more than {pagination.max_pages} pages (pagination.max_pages)"
                )
        frames = [f for f in frames if not f.empty]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    def _params(self, since: pd.Timestamp, page: int | None) -> dict[str, Any]:
        local = since.tz_convert(self.config.mapping.timezone)
        values = {
            "since": since.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "since_local": local.strftime("%Y-%m-%d %H:%M:%S"),
            "since_epoch": str(int(since.timestamp())),
        }
        params: dict[str, Any] = {k: v.format(**values) for k, v in self.config.params.items()}
        pagination = self.config.pagination
        if pagination is not None:
            params[pagination.param] = page
            if pagination.size_param:
                params[pagination.size_param] = pagination.size
        return params

    async def _request(
        self, client: httpx.AsyncClient, params: dict[str, Any], headers: dict[str, str], page: int | None
    ) -> httpx.Response:
        config = self.config
        where = f"source '{self.name}'" + (f" page {page}" if page is not None else "")
        last = ""
        for attempt in range(config.retries + 1):
            if attempt:
                await asyncio.sleep(min(config.backoff_seconds * 2 ** (attempt - 1), 300))
            try:
                if config.method == "GET":
                    response = await client.get(
                        config.url, params=params, headers=headers, timeout=config.timeout_seconds
                    )
                else:
                    response = await client.post(
                        config.url, json=params, headers=headers, timeout=config.timeout_seconds
                    )
            except httpx.TimeoutException:
                last = f"no answer within {config.timeout_seconds:g} s"
                continue
            except httpx.TransportError as error:
                last = f"cannot connect: {error}"
                continue
            if response.status_code in _RETRY_STATUS:
                last = f"HTTP {response.status_code}"
                continue
            if response.status_code >= 400:
                raise SourceError(f"{where}: HTTP {response.status_code} from {config.url} (not retried)")
            return response
        raise SourceError(f"{where}: {last} from {config.url}, after {config.retries + 1} attempt(s)")

    def _records(self, response: httpx.Response, page: int | None) -> pd.DataFrame:
        where = f"source '{self.name}'" + (f" page {page}" if page is not None else "")
        if self.config.format == "csv":
            try:
                if self.config.encoding:
                    text = response.content.decode(self.config.encoding)
                elif response.charset_encoding:
                    text = response.text
                else:  # no charset: UTF-8, else GBK/GB18030
                    text = decode_text(response.content, name=where)
            except (UnicodeDecodeError, LookupError, ValueError) as error:
                raise SourceError(f"{where}: CSV body cannot be decoded: {error}") from None
            if not text.strip():
                return pd.DataFrame()
            try:
                return pd.read_csv(io.StringIO(text), dtype=object, keep_default_na=False)
            except (pd.errors.ParserError, ValueError) as error:
                raise SourceError(f"{where}: body is not CSV: {error}") from None
        try:
            body = json.loads(response.content)
        except ValueError as error:
            snippet = response.content[:60].decode("utf-8", "replace")
            raise SourceError(f"{where}: body is not JSON ({error}); it starts {snippet!r}") from None
        records = body
        for key in (self.config.mapping.records or "").split("."):
            if not key:
                continue
            if not isinstance(records, dict) or key not in records:
                raise SourceError(
                    f"{where}: JSON has no '{key}' on the path mapping.records={self.config.mapping.records!r}"
                )
            records = records[key]
        if records is None:
            return pd.DataFrame()
        if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            raise SourceError(
                f"{where}: expected a list of records (objects) at mapping.records, got {type(records).__name__}"
            )
        return pd.DataFrame.from_records(records).astype(object)
