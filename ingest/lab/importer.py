"""Import one lab file: every sheet read, the good rows kept, every rejected cell listed."""

import logging
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ingest.lab.sheets import LabFileError, read_sheets
from ingest.lab.tables import read_sheet
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


def lab_source(path: Path | str) -> str:
    """The source of a lab file's readings: "lab:<file name>".

    It depends on the name only, so a file imported again (or a corrected file of the same name)
    has the same keys in the store: the same values store nothing new, changed values replace.
    """
    return f"lab:{Path(path).name}"


def import_lab_file(
    path: Path | str,
    config: Configuration,
    *,
    timezone: str = "Asia/Shanghai",
    name: str | None = None,
    xlsx_reader: str | None = None,
) -> LabImport:
    """Read a CSV or XLSX lab file into readings.

    `name` overrides the file name (an upload saved under another name); `xlsx_reader` is
    "calamine" or "openpyxl" (default: calamine when installed).
    """
    path = Path(path)
    name = name or path.name
    result = LabImport(file=name)
    try:
        sheets = read_sheets(path, xlsx_reader=xlsx_reader)
    except LabFileError as error:
        result.problems.append(Problem(file=name, reason=str(error).removeprefix(f"{path.name}: ")))
        return result
    except OSError as error:
        result.problems.append(Problem(file=name, reason=f"cannot read the file: {error.strerror or error}"))
        return result
    except Exception as error:  # a reader library choking on a damaged file: report it, go on with the batch
        _log.exception("lab file %s could not be read", name)
        result.problems.append(Problem(file=name, reason=f"cannot read the file: {type(error).__name__}: {error}"))
        return result
    frames = []
    for sheet in sheets:
        try:
            sheet_result = read_sheet(sheet, file=name, config=config, source=lab_source(name), timezone=timezone)
        except Exception as error:  # one odd sheet must not lose the others
            _log.exception("lab file %s sheet %s could not be read", name, sheet.name)
            reason = f"sheet not read: {type(error).__name__}: {error}"
            result.problems.append(Problem(file=name, sheet=sheet.name, reason=reason))
            continue
        frames.append(sheet_result.readings)
        result.problems += sorted(sheet_result.problems, key=lambda p: (p.row or 0, p.column or ""))
    frames = [f for f in frames if not f.empty]
    if frames:
        readings = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
        result.readings = readings.drop_duplicates(["site", "parameter", "time"], keep="last").reset_index(drop=True)
    if result.readings.empty and not result.problems:
        result.problems.append(Problem(file=name, reason="the file holds no readings"))
    return result
