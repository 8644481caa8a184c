"""The watched folder: dropped files are imported and moved to done/ or failed/ with a report."""

import asyncio
import json
import os
import time
from pathlib import Path

from ingest.lab.inbox import InboxReport, scan_inbox, watch_inbox
from models.configuration import Configuration
from store.base import Store

GOOD = "断面名称,采样时间,氨氮(mg/L),总磷(mg/L)\n河西断面,2024-05-06 10:00,0.5,0.05L\n"
BAD = "断面名称,采样时间,氨氮(mg/L)\n河西断面,2024-05-07 10:00,0.4\n无此断面,2024-05-07 10:00,0.3\n"


def drop(folder: Path, name: str, text: str, *, age_seconds: float = 60) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    then = time.time() - age_seconds
    os.utime(path, (then, then))
    return path


def test_scan_moves_files_with_reports(tmp_path: Path, site_config: Configuration, store: Store) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    drop(inbox, "good.csv", GOOD)
    drop(inbox, "bad.csv", BAD)
    drop(inbox, "broken.xlsx", "not a workbook")
    drop(inbox, "still-copying.csv", GOOD, age_seconds=0)
    drop(inbox, "notes.docx", "ignored")

    reports = {r.file: r for r in scan_inbox(inbox, config=site_config, store=store)}
    assert set(reports) == {"good.csv", "bad.csv", "broken.xlsx"}
    assert (inbox / "done" / "good.csv").exists() and reports["good.csv"].new == 2
    assert (inbox / "failed" / "bad.csv").exists() and reports["bad.csv"].new == 1  # good row stored
    assert (inbox / "failed" / "broken.xlsx").exists()
    assert (inbox / "still-copying.csv").exists() and (inbox / "notes.docx").exists()
    report = json.loads((inbox / "failed" / "bad.csv.report.json").read_text(encoding="utf-8"))
    assert report["stored"] == {"new": 1, "corrected": 0, "already_stored": 0}
    [problem] = report["problems"]
    assert (problem["file"], problem["row"], problem["column"]) == ("bad.csv", 3, "A 断面名称")
    assert "无此断面" in problem["reason"]
    assert len(store.read()) == 3

    drop(inbox, "good.csv", GOOD)  # the same file again: nothing new, kept beside the first
    [again] = scan_inbox(inbox, config=site_config, store=store)
    assert (again.outcome, again.new, again.unchanged) == ("done", 0, 2)
    assert again.moved_to is not None and again.moved_to.name != "good.csv"
    assert len(list((inbox / "done").glob("good*.csv"))) == 2
    assert len(store.read()) == 3


def test_watch_loop_imports_until_stopped(tmp_path: Path, site_config: Configuration, store: Store) -> None:
    inbox = tmp_path / "inbox"
    seen: list[InboxReport] = []

    async def run() -> None:
        stop = asyncio.Event()

        def on_report(report: InboxReport) -> None:
            seen.append(report)
            stop.set()

        task = asyncio.create_task(
            watch_inbox(inbox, config=site_config, store=store, interval_seconds=0.02, on_report=on_report, stop=stop)
        )
        while not inbox.exists():
            await asyncio.sleep(0.01)
        drop(inbox, "good.csv", GOOD)
        await asyncio.wait_for(task, timeout=30)

    asyncio.run(run())
    assert [r.file for r in seen] == ["good.csv"] and seen[0].outcome == "done"
    assert len(store.read()) == 2
