"""Run pull sources on their intervals (asyncio), each kept incremental by its watermark.

One pull: ask for records since the watermark (less the source's overlap), map them to
readings, write what is new or corrected, then move the watermark to the newest time written.
The watermark moves only after the write, so a crash repeats a pull rather than losing one; the
comparison with the store makes a repeated pull store nothing twice. A source that fails is
reported through `on_source_error(source_name, message)` and the others go on.
"""

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pandas as pd

from ingest.delta import compare
from ingest.problems import Problem
from ingest.pull.http import HttpSource
from ingest.pull.mapping import map_records
from ingest.pull.sources import load_sources
from models.configuration import Configuration
from store.base import Store
from store.watermarks import Watermarks

SourceErrorHook = Callable[[str, str], None]
ReadingsHook = Callable[[pd.DataFrame], None]
_log = logging.getLogger(__name__)


@dataclass
class PullResult:
    """What one pull of one source did."""

    source: str
    since: pd.Timestamp
    records: int = 0
    written: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    watermark: pd.Timestamp | None = None
    problems: list[Problem] = field(default_factory=list)
    error: str | None = None


class PullScheduler:
    """Pulls every source on its interval; `start()` in a running loop, `await stop()` to end."""

    def __init__(
        self,
        sources: Sequence[HttpSource],
        *,
        store: Store,
        watermarks: Watermarks,
        config: Configuration,
        on_source_error: SourceErrorHook | None = None,
        on_readings: ReadingsHook | None = None,
        clock: Callable[[], pd.Timestamp] = lambda: pd.Timestamp.now(tz="UTC"),
    ) -> None:
        names = [s.name for s in sources]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"pull sources {duplicates} are given twice")
        self.sources = list(sources)
        self._store = store
        self._watermarks = watermarks
        self._config = config
        self._on_source_error = on_source_error
        self._on_readings = on_readings
        self._clock = clock
        self._store_lock = asyncio.Lock()
        self._tasks: list[asyncio.Task[None]] = []
        self._client: httpx.AsyncClient | None = None

    @classmethod
    def from_file(
        cls,
        path: Path | str,
        *,
        store: Store,
        watermarks: Watermarks,
        config: Configuration,
        on_source_error: SourceErrorHook | None = None,
        on_readings: ReadingsHook | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> "PullScheduler":
        """A scheduler for the sources of a sources.yaml (none when the file does not exist)."""
        sources = [HttpSource(s, environ=environ) for s in load_sources(path)]
        return cls(
            sources,
            store=store,
            watermarks=watermarks,
            config=config,
            on_source_error=on_source_error,
            on_readings=on_readings,
        )

    def start(self) -> None:
        """Start one task per enabled source in the running event loop."""
        if self._tasks:
            raise RuntimeError("the pull scheduler is already running")
        loop = asyncio.get_running_loop()
        self._client = httpx.AsyncClient(follow_redirects=True)
        for source in self.sources:
            if source.config.enabled:
                self._tasks.append(loop.create_task(self._loop(source), name=f"pull:{source.name}"))

    async def stop(self) -> None:
        """Cancel the source tasks and close the HTTP client; a pull in progress is abandoned unstored."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    @property
    def running(self) -> bool:
        """True between start() and stop()."""
        return bool(self._tasks)

    async def run_all_once(self) -> list[PullResult]:
        """Pull every enabled source once, side by side; a failing source does not stop the others."""
        async with httpx.AsyncClient(follow_redirects=True) as client:
            enabled = [s for s in self.sources if s.config.enabled]
            return list(await asyncio.gather(*(self.run_once(s, client) for s in enabled)))

    async def run_once(self, source: HttpSource, client: httpx.AsyncClient) -> PullResult:
        """One pull of `source`: fetch since its watermark, store what is new, move the watermark."""
        config = source.config
        watermark = self._watermarks.get(source.name)
        if watermark is None:
            since = self._clock() - pd.Timedelta(hours=config.lookback_hours)
        else:
            since = watermark - pd.Timedelta(seconds=config.overlap_seconds)
        result = PullResult(source=source.name, since=since, watermark=watermark)
        try:
            records = await source.fetch(since, client)
            result.records = len(records)
            readings, result.problems = map_records(
                records,
                config.mapping,
                self._config,
                source=source.source,
                statistic=config.statistic,
                now=self._clock(),
            )
            # A platform that ignores the time filter sends older data again: drop what is before `since`.
            readings = readings.loc[readings["time"] >= since]
            async with self._store_lock:
                delta = await asyncio.to_thread(compare, self._store, readings)
                if not delta.to_write.empty:
                    await asyncio.to_thread(self._store.write, delta.to_write)
            result.written, result.new, result.changed, result.unchanged = (
                len(delta.to_write),
                delta.new,
                delta.changed,
                delta.unchanged,
            )
            if not readings.empty:
                result.watermark = self._watermarks.advance(source.name, readings["time"].max())
            if self._on_readings is not None and not delta.to_write.empty:
                self._on_readings(delta.to_write)
        except Exception as error:  # down, garbage, or a store failure: report it, keep the watermark
            result.error = str(error)
            self._report(source.name, result.error)
            return result
        if result.problems:
            first = result.problems[0]
            self._report(
                source.name,
                f"{len(result.problems)} record value(s) rejected, e.g. {first}",
            )
        return result

    def _report(self, name: str, message: str) -> None:
        _log.warning("pull source %s: %s", name, message)
        if self._on_source_error is not None:
            try:
                self._on_source_error(name, message)
            except Exception:  # the alert hook must not stop the pulls
                _log.exception("on_source_error hook failed for source %s", name)

    async def _loop(self, source: HttpSource) -> None:
        assert self._client is not None
        while True:
            try:
                await self.run_once(source, self._client)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # one source's bug must not end the others' pulls
                _log.exception("pull source %s failed", source.name)
                self._report(source.name, f"unexpected error: {error!r}")
            await asyncio.sleep(source.config.interval_seconds)
