"""A period's evaluation spread by site over a Dask distributed cluster (`--dask`, WQMON_DASK_ADDRESS).

Loading a site's readings and judging them never looks at another site (models.period.evaluation
judges each row against its own site's limits and groups by site), so the sites are cut into one
part per worker thread, each worker reads its part from the shared store and judges it, and the
parts are put back together in site order. What combines sites (compliance rates, ratings,
not-judged lists) runs afterwards, on the gathered evaluation, exactly as in one process.

The workers open the store themselves, so it must be one several processes can read: InfluxDB, or
a DuckDB file that no process holds for writing (DuckDB lets any number of processes open a file
read-only, or one process open it read-write, never both; a running `wqmon serve` holds its file).
`dask.distributed` is imported only here, only when a cluster is used.
"""

import os
import tempfile
import urllib.parse
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from typing import Any, TypeVar

import pandas as pd

from models.configuration import Configuration
from models.methods.seasons import Seasons
from models.period.evaluation import Evaluations, PlantEvaluation, SurfaceEvaluation
from models.period.periods import Period
from service.period_data import PeriodData, PeriodEvaluation, evaluate_data, load_period
from store import open_store
from store.base import Store

CONNECT_TIMEOUT_S = 10.0

T = TypeVar("T")


class ClusterError(RuntimeError):
    """The Dask cluster cannot be reached or a part of the evaluation failed on it."""


@dataclass(frozen=True)
class SharedStore:
    """The store `store_url` names, read by the workers of the Dask scheduler at `address`."""

    address: str
    store_url: str = field(repr=False)  # may carry InfluxDB credentials

    def evaluate(
        self,
        config: Configuration,
        period: Period,
        *,
        sites: list[str] | None = None,
        min_valid_hours: int,
        seasons: Seasons | None = None,
    ) -> PeriodEvaluation:
        """load_period + evaluate_data of `sites` (None: all), spread by site over the cluster."""
        try:
            from distributed import Client  # imported on use: only --dask needs it, and it takes ~1 s
        except ImportError:
            raise ClusterError("--dask needs Dask: pip install 'wqmon[dask]' (dask and distributed)") from None

        chosen = sorted(sites if sites is not None else config.sites)
        try:
            client = Client(self.address, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
        except OSError as error:
            raise ClusterError(
                f"cannot reach the Dask scheduler at {self.address} ({error}); start one with `dask scheduler` "
                "and `dask worker ADDRESS`, or leave out --dask / WQMON_DASK_ADDRESS to evaluate in this process"
            ) from None
        with client:
            threads = sum(client.nthreads().values())
            if threads == 0:
                raise ClusterError(f"the Dask scheduler at {self.address} has no workers; start `dask worker`")
            parts = site_parts(chosen, threads)
            futures = client.map(
                evaluate_part,
                parts,
                store_url=self.store_url,
                config=config,
                period=period,
                min_valid_hours=min_valid_hours,
                seasons=seasons,
                pure=False,
            )
            try:
                results: list[PeriodEvaluation] = client.gather(futures)
            except (OSError, ValueError) as error:
                raise ClusterError(f"the evaluation on the Dask cluster at {self.address} failed: {error}") from error
        return merged(results)


def site_parts(sites: Sequence[str], n: int) -> list[list[str]]:
    """`sites` cut into at most `n` runs of consecutive sites, as even as can be."""
    n = max(1, min(n, len(sites)))
    size, extra = divmod(len(sites), n)
    parts, start = [], 0
    for index in range(n):
        stop = start + size + (1 if index < extra else 0)
        parts.append(list(sites[start:stop]))
        start = stop
    return parts


def evaluate_part(
    sites: list[str],
    *,
    store_url: str,
    config: Configuration,
    period: Period,
    min_valid_hours: int,
    seasons: Seasons | None,
) -> PeriodEvaluation:
    """On a worker: read `sites` from the shared store and judge them (service.period_data)."""
    with opened_reader(store_url) as store:
        data = load_period(store, config, period, sites=sites, min_valid_hours=min_valid_hours, seasons=seasons)
    return evaluate_data(data, config)


@contextmanager
def opened_reader(url: str) -> Iterator[Store]:
    """The store of `url` opened to read alongside other processes: a DuckDB file read-only, InfluxDB
    with a spool of its own, removed after (a reader writes nothing, and must not replay the owner's spool)."""
    scheme, separator, _ = url.partition("://")
    if not separator or scheme == "duckdb":
        from store.duckdb_store import DuckDBStore

        with DuckDBStore.from_url(url, read_only=True) as duck:
            yield duck
        return
    with tempfile.TemporaryDirectory(prefix="wqmon-reader-") as folder:
        parts = urllib.parse.urlsplit(url)
        options = {**dict(urllib.parse.parse_qsl(parts.query)), "spool": os.path.join(folder, "spool.sqlite")}
        store = open_store(urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(options))))
        try:
            yield store
        finally:
            store.close()


def merged(parts: Sequence[PeriodEvaluation]) -> PeriodEvaluation:
    """The evaluations of consecutive runs of sites put back together as one evaluation, site by site."""
    first = parts[0]
    data = PeriodData(
        period=first.data.period,
        **{
            item.name: _concat([getattr(p.data, item.name) for p in parts])
            for item in fields(PeriodData)
            if item.name != "period"
        },
    )
    evaluations = [p.evaluations for p in parts]
    together = Evaluations(
        period=_surface([e.period for e in evaluations]),
        monthly=_surface([e.monthly for e in evaluations]),
        events=_surface([e.events for e in evaluations]),
        plants=_joined(PlantEvaluation, [e.plants for e in evaluations]),
        timezone=first.evaluations.timezone,
    )
    return PeriodEvaluation(data=data, evaluations=together)


def _surface(parts: list[SurfaceEvaluation]) -> SurfaceEvaluation:
    return _joined(SurfaceEvaluation, parts)


def _joined(kind: Callable[..., T], parts: list[Any]) -> T:
    names = [item.name for item in fields(parts[0])]
    return kind(**{name: _concat([getattr(p, name) for p in parts]) for name in names})


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Frames of consecutive runs of sites, one after another: the frame of one process, re-indexed.

    Every frame of one process is in site order but the sampling events (automatic events, then
    manual ones), whose rows are only ever counted by site and item, so their order changes nothing."""
    filled = [frame for frame in frames if not frame.empty]
    if not filled:
        return frames[0]
    if len(filled) == 1:
        return filled[0]
    return pd.concat(filled, ignore_index=True)
