"""A watched folder of lab files: each file dropped in is imported, then moved with a report.

A file is moved to done/ when all of it was taken, to failed/ when any cell, row or the whole
file was rejected (its good rows are stored all the same); `<file>.report.json` beside it says
what was stored and lists every problem with its place. A file whose readings could not be
written (store down) stays where it is and is tried again at the next scan.
"""

import asyncio
import datetime as dt
import json
import logging
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pandas as pd

from ingest.delta import write_new
from ingest.lab.importer import import_lab_file
from ingest.lab.sheets import SUFFIXES
from ingest.problems import Problem
from models.configuration import Configuration
from store.base import Store

_log = logging.getLogger(__name__)


@dataclass
class InboxReport:
    """What became of one dropped file."""

    file: str
    outcome: Literal["done", "failed", "retry"]
    moved_to: Path | None = None
    readings: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    skipped: list[Problem] = field(default_factory=list)
    error: str | None = None

    def as_dict(self) -> dict[str, object]:
        """The report as JSON-ready data."""
        return {
            "file": self.file,
            "outcome": self.outcome,
            "imported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "readings": self.readings,
            "stored": {"new": self.new, "corrected": self.changed, "already_stored": self.unchanged},
            "problems": [p.as_dict() for p in self.problems],
            "skipped": [p.as_dict() for p in self.skipped],
            "error": self.error,
        }


def pending_files(folder: Path, *, min_age_seconds: float = 2.0, now: float | None = None) -> list[Path]:
    """Lab files in `folder` old enough to be complete (not still being copied), oldest first."""
    now = time.time() if now is None else now
    files = [
        p
        for p in folder.iterdir()
        if not p.is_symlink()  # a link may point anywhere: refused_links() reports it
        and p.is_file()
        and p.suffix.lower() in SUFFIXES
        and not p.name.startswith(("~$", "."))  # Excel lock files, hidden files
        and not p.name.endswith(".report.json")
        and now - p.stat().st_mtime >= min_age_seconds
    ]
    return sorted(files, key=lambda p: (p.stat().st_mtime, p.name))


def refused_links(folder: Path) -> list[Path]:
    """Symbolic links dropped into `folder`: never followed (they may point at any file the service can read)."""
    return sorted(p for p in folder.iterdir() if p.is_symlink())


def scan_inbox(
    folder: Path | str,
    *,
    config: Configuration,
    store: Store,
    timezone: str = "Asia/Shanghai",
    min_age_seconds: float = 2.0,
    on_stored: Callable[[pd.DataFrame], None] | None = None,
) -> list[InboxReport]:
    """Import every pending file of `folder` once and move it to done/ or failed/ with its report.

    `on_stored` is called with the readings each file wrote (new and corrected), as the HJ 212
    server and the pull sources call it: the service runs them through the alert rules there.
    """
    folder = Path(folder)
    reports = []
    for link in refused_links(folder):
        report = InboxReport(file=link.name, outcome="failed")
        report.error = "a symbolic link, not a file: links are not imported; copy the file itself into the inbox"
        _log.warning("inbox %s: %s: %s", folder, link.name, report.error)
        (folder / "failed").mkdir(exist_ok=True)
        report.moved_to = folder / "failed" / link.name
        if report.moved_to.is_symlink() or report.moved_to.exists():
            link.unlink()  # the same link dropped again: its report is there already
        else:
            link.replace(report.moved_to)  # moves the link itself, never its target
        report_path = report.moved_to.with_name(link.name + ".report.json")
        report_path.write_text(json.dumps(report.as_dict(), ensure_ascii=False, indent=2), encoding="utf-8")
        reports.append(report)
    for path in pending_files(folder, min_age_seconds=min_age_seconds):
        result = import_lab_file(path, config, timezone=timezone)
        report = InboxReport(file=path.name, outcome="failed" if result.problems else "done")
        report.readings, report.problems, report.skipped = len(result.readings), result.problems, result.skipped
        try:
            delta = write_new(store, result.readings, on_stored=on_stored)
        except Exception as error:  # the store is down: keep the file for the next scan
            report.outcome, report.error = "retry", f"readings not stored: {error}"
            _log.warning("inbox %s: %s: %s", folder, path.name, report.error)
            reports.append(report)
            continue
        report.new, report.changed, report.unchanged = delta.new, delta.changed, delta.unchanged
        report.moved_to = _move(path, folder / report.outcome)
        report_path = report.moved_to.with_name(report.moved_to.name + ".report.json")
        report_path.write_text(json.dumps(report.as_dict(), ensure_ascii=False, indent=2), encoding="utf-8")
        reports.append(report)
    return reports


async def watch_inbox(
    folder: Path | str,
    *,
    config: Configuration,
    store: Store,
    interval_seconds: float = 10.0,
    timezone: str = "Asia/Shanghai",
    min_age_seconds: float = 2.0,
    on_report: Callable[[InboxReport], None] | None = None,
    on_stored: Callable[[pd.DataFrame], None] | None = None,
    stop: asyncio.Event | None = None,
) -> None:
    """Scan `folder` every `interval_seconds` until `stop` is set (or the task is cancelled)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    stop = stop or asyncio.Event()
    while not stop.is_set():
        reports = await asyncio.to_thread(
            scan_inbox,
            folder,
            config=config,
            store=store,
            timezone=timezone,
            min_age_seconds=min_age_seconds,
            on_stored=on_stored,
        )
        for report in reports:
            if on_report is not None:
                on_report(report)
        try:
            await asyncio.wait_for(stop.wait(), timeout=interval_seconds)
        except TimeoutError:
            pass


def _move(path: Path, target_folder: Path) -> Path:
    target_folder.mkdir(parents=True, exist_ok=True)
    target = target_folder / path.name
    if target.exists():  # the same name dropped again (a corrected file): keep both
        stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S%f")
        target = target_folder / f"{path.stem}.{stamp}{path.suffix}"
    return Path(shutil.move(path, target))
