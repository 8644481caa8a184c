"""Import one lab file: every sheet read, the good rows kept, every rejected cell listed."""

import datetime as dt
import logging
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ingest.lab.sheets import LabFileError, read_sheets
from ingest.lab.tables import SheetLayout, read_sheet
from ingest.problems import Problem
from models.configuration import Configuration
from models.reading import empty_readings

_log = logging.getLogger(__name__)


@dataclass
class LabImport:
    """What a lab file holds: readings in the reading shape, and the problems of what was rejected."""

    file: str
    readings: pd.DataFrame = field(default_factory=empty_readings)
    problems: list[Problem] = field(default_factory=list)
    skipped: list[Problem] = field(default_factory=list)  # rows and sheets that are plainly not data
    layouts: list[tuple[str | None, SheetLayout]] = field(default_factory=list)  # (sheet, table found)


LAB_SOURCE = "lab"


def lab_source(path: Path | str | None = None) -> str:
    """The source of every lab file's readings: "lab", whatever the file.

    A lab sample is one (site, item, sampling time, statistic): the same results sent again in
    another file (a corrected file under a new name, a wide and a long copy) have the same keys
    in the store, so the later file replaces the earlier one and is reported as corrections,
    instead of storing a second copy that evaluation would count twice. The file a value came
    from is in the import report and the audit log.
    """
    return LAB_SOURCE


def import_lab_file(
    path: Path | str,
    config: Configuration,
    *,
    timezone: str = "Asia/Shanghai",
    name: str | None = None,
    xlsx_reader: str | None = None,
    now: dt.datetime | None = None,
) -> LabImport:
    """Read a CSV or XLSX lab file into readings.

    `name` overrides the file name (an upload saved under another name); `xlsx_reader` is
    "calamine" or "openpyxl" (default: calamine when installed). Sampling times more than an hour
    after `now` (default: the current time) are problems.
    """
    now = now or dt.datetime.now(dt.UTC)
    path = Path(path)
    name = name or path.name
    result = LabImport(file=name)
    try:
        sheets = read_sheets(path, xlsx_reader=xlsx_reader)
    except LabFileError as error:
        reason = str(error).removeprefix(f"{path.name}: ")
        result.problems.append(Problem(file=name, reason=reason, reason_zh=f"文件无法读取：{reason}"))
        return result
    except OSError as error:
        reason = f"cannot read the file: {error.strerror or error}"
        result.problems.append(Problem(file=name, reason=reason, reason_zh=f"文件无法读取：{error.strerror or error}"))
        return result
    except Exception as error:  # a reader library choking on a damaged file: report it, go on with the batch
        _log.exception("lab file %s could not be read", name)
        why = f"{type(error).__name__}: {error}"
        result.problems.append(
            Problem(file=name, reason=f"cannot read the file: {why}", reason_zh=f"文件无法读取：{why}")
        )
        return result
    frames = []
    for sheet in sheets:
        try:
            sheet_result = read_sheet(
                sheet, file=name, config=config, source=lab_source(name), timezone=timezone, now=now
            )
        except Exception as error:  # one odd sheet must not lose the others
            _log.exception("lab file %s sheet %s could not be read", name, sheet.name)
            reason = f"sheet not read: {type(error).__name__}: {error}"
            zh = f"工作表无法读取：{type(error).__name__}: {error}"
            result.problems.append(Problem(file=name, sheet=sheet.name, reason=reason, reason_zh=zh))
            continue
        frames.append(sheet_result.readings)
        result.skipped += sheet_result.skipped
        if sheet_result.layout is not None:
            result.layouts.append((sheet.name, sheet_result.layout))
        result.problems += sorted(sheet_result.problems, key=lambda p: (p.row or 0, p.column or ""))
    frames = [f for f in frames if not f.empty]
    if frames:
        readings = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
        result.readings = readings.drop_duplicates(["site", "parameter", "time"], keep="last").reset_index(drop=True)
    if result.readings.empty and not result.problems:
        result.problems.append(
            Problem(
                file=name,
                reason="the file holds no readings: no sheet has a table of results",
                reason_zh="文件中没有监测结果：没有工作表含有结果表",
            )
        )
    return result
