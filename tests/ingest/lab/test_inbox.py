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


def test_a_corrected_file_under_a_new_name_is_reported_as_corrections_and_handed_on(
    tmp_path: Path, site_config: Configuration, store: Store
) -> None:
    """What a file writes (new and corrected, not unchanged) goes to `on_stored`, where the service
    runs the alert rules; the report says how many samples were corrected."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    handed: list[int] = []
    drop(inbox, "五月.csv", GOOD)
    scan_inbox(inbox, config=site_config, store=store, on_stored=lambda frame: handed.append(len(frame)))
    drop(inbox, "五月-更正.csv", GOOD.replace("0.5,", "0.55,") + "注：L表示低于检出限\n")
    [report] = scan_inbox(inbox, config=site_config, store=store, on_stored=lambda frame: handed.append(len(frame)))
    assert (report.outcome, report.new, report.changed, report.unchanged) == ("done", 0, 1, 1)
    assert handed == [2, 1]
    assert [p.row for p in report.skipped] == [3]
    saved = json.loads((inbox / "done" / "五月-更正.csv.report.json").read_text(encoding="utf-8"))
    assert saved["stored"] == {"new": 0, "corrected": 1, "already_stored": 1}
    assert saved["skipped"][0]["reason_zh"] == "脚注行，不是样品数据"
    assert store.read(parameters=["w21003"])["value"].tolist() == [0.55]


def test_a_symbolic_link_is_refused_never_followed(tmp_path: Path, site_config: Configuration, store: Store) -> None:
    """A link to a file elsewhere (any file the service can read) is neither imported nor copied."""
    elsewhere = tmp_path / "private"
    elsewhere.mkdir()
    secret = drop(elsewhere, "secret.csv", GOOD)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "linked.csv").symlink_to(secret)
    [report] = scan_inbox(inbox, config=site_config, store=store)
    assert (report.file, report.outcome) == ("linked.csv", "failed")
    assert report.error is not None and "symbolic link" in report.error
    assert store.read().empty
    moved = inbox / "failed" / "linked.csv"
    assert moved.is_symlink()  # the link itself was moved aside; no copy of what it pointed at
    assert secret.read_text(encoding="utf-8") == GOOD and secret.exists()
