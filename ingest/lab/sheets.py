"""Raw cells of lab files: CSV (UTF-8, UTF-8 with BOM, GBK/GB18030) and workbooks (every sheet).

A sheet is a frame of cell values (object dtype) indexed by the 1-based row number the user
sees, with one column per spreadsheet column (0-based position). Merged cells of an XLSX sheet
are filled with the value of their top-left cell, as a reader of the sheet sees them.
"""

import csv
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import openpyxl
import pandas as pd

XLSX_SUFFIXES: Final[frozenset[str]] = frozenset({".xlsx", ".xlsm", ".xls"})
CSV_SUFFIXES: Final[frozenset[str]] = frozenset({".csv", ".txt"})
SUFFIXES: Final[frozenset[str]] = XLSX_SUFFIXES | CSV_SUFFIXES
_MERGE = re.compile(rb'<mergeCell\s+ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')


class LabFileError(ValueError):
    """A lab file cannot be read at all (unknown type, undecodable text, broken workbook)."""


@dataclass(frozen=True)
class RawSheet:
    """The cells of one sheet (a CSV file is one sheet named None)."""

    name: str | None
    cells: pd.DataFrame


def read_sheets(path: Path, *, xlsx_reader: str | None = None) -> list[RawSheet]:
    """Every sheet of a CSV or XLSX lab file; LabFileError naming the file when it cannot be read."""
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return [RawSheet(None, read_csv_cells(path))]
    if suffix in XLSX_SUFFIXES:
        return read_xlsx_sheets(path, reader=xlsx_reader)
    allowed = ", ".join(sorted(SUFFIXES))
    raise LabFileError(f"{path.name}: file type {suffix or '(none)'!r} is not one of {allowed}")


def decode_text(data: bytes, *, name: str) -> str:
    """Text of a CSV file: UTF-8 (with or without BOM), else GBK/GB18030 as Windows Excel saves it."""
    if data.startswith(b"\xef\xbb\xbf"):  # a BOM before GBK text (some tools add one): drop it
        data = data[3:]
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise LabFileError(f"{name}: text is neither UTF-8 nor GBK/GB18030; save the file as CSV UTF-8")


def read_csv_cells(path: Path) -> pd.DataFrame:
    """The cells of a CSV file as strings ('' where empty), indexed by line number.

    Rows may have different lengths (a title line above the header is common).
    """
    text = decode_text(path.read_bytes(), name=path.name)
    if not text.strip():
        return pd.DataFrame()
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text))
    rows: list[list[str]] = []
    lines: list[int] = []
    try:
        for row in reader:  # one step per row (not per cell): the C reader does the splitting
            rows.append(row)
            lines.append(reader.line_num)
    except csv.Error as error:
        raise LabFileError(f"{path.name}: line {reader.line_num}: not readable as CSV: {error}") from None
    width = max((len(row) for row in rows), default=0)
    cells = pd.DataFrame([row + [""] * (width - len(row)) for row in rows], dtype=object)
    cells.index = pd.Index(lines)
    return cells


def _sniff_delimiter(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    try:
        return csv.Sniffer().sniff(first, delimiters=",;\t").delimiter
    except csv.Error:
        return ","


def read_xlsx_sheets(path: Path, *, reader: str | None = None) -> list[RawSheet]:
    """The cells of every worksheet of a workbook.

    `reader` is "calamine" (python-calamine, about seven times faster than openpyxl, and reads old
    .xls files too) or "openpyxl" (read-only mode); by default calamine when it is installed.
    """
    if reader is None:
        reader = "calamine" if _has_calamine() else "openpyxl"
    if reader == "calamine":
        return _read_with_calamine(path)
    if path.suffix.lower() == ".xls":
        raise LabFileError(f"{path.name}: old .xls workbooks need python-calamine; save the file as .xlsx")
    return _read_with_openpyxl(path)


def _has_calamine() -> bool:
    try:
        import python_calamine  # noqa: F401
    except ImportError:
        return False
    return True


def _read_with_calamine(path: Path) -> list[RawSheet]:
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheets = []
        for name in workbook.sheet_names:
            sheet = workbook.get_sheet_by_name(name)
            cells = _frame(sheet.to_python(skip_empty_area=False))
            ranges = [
                (top + 1, left, bottom + 1, right) for (top, left), (bottom, right) in sheet.merged_cell_ranges or []
            ]
            _fill_merged(cells, ranges)
            sheets.append(RawSheet(name, cells))
    except (CalamineError, OSError, ValueError) as error:
        raise LabFileError(f"{path.name}: not a readable workbook: {error}") from None
    return sheets


def _read_with_openpyxl(path: Path) -> list[RawSheet]:
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise LabFileError(f"{path.name}: not a readable XLSX workbook: {error}") from None
    sheets = []
    try:
        with zipfile.ZipFile(path) as archive:
            for worksheet in workbook.worksheets:
                cells = _frame(list(worksheet.iter_rows(values_only=True)))
                xml_path = getattr(worksheet, "_worksheet_path", None)
                if xml_path and not cells.empty:
                    _fill_merged(cells, _merged_ranges(archive.read(xml_path)))
                sheets.append(RawSheet(worksheet.title, cells))
    finally:
        workbook.close()
    return sheets


def _frame(rows: Sequence[Sequence[Any]]) -> pd.DataFrame:
    cells = pd.DataFrame(rows, dtype=object)
    cells.index = pd.RangeIndex(1, len(cells) + 1)
    return cells


def _merged_ranges(xml: bytes) -> list[tuple[int, int, int, int]]:
    """(top row, left column, bottom row, right column) of each merged range; rows 1-based, columns 0-based."""
    # Read-only openpyxl does not expose merged ranges; they sit after the rows in the sheet XML.
    start = xml.rfind(b"<mergeCells")
    if start < 0:
        return []
    return [
        (int(top), _column_index(left), int(bottom), _column_index(right))
        for left, top, right, bottom in _MERGE.findall(xml, start)
    ]


def _fill_merged(cells: pd.DataFrame, ranges: list[tuple[int, int, int, int]]) -> None:
    """Give every cell of a merged range the value of its top-left cell, as the reader sees it."""
    for top, left, bottom, right in ranges:
        if top > len(cells) or left >= cells.shape[1]:
            continue
        value = cells.at[top, left]
        bottom, right = min(bottom, len(cells)), min(right, cells.shape[1] - 1)
        cells.iloc[top - 1 : bottom, left : right + 1] = value  # type: ignore[index,assignment]  # rows from 1


def _column_index(letters: bytes) -> int:
    index = 0
    for char in letters.decode():
        index = index * 26 + (ord(char) - 64)
    return index - 1


def column_letter(position: int) -> str:
    """Spreadsheet letter of a 0-based column position (0 → A, 27 → AB)."""
    letters = ""
    position += 1
    while position:
        position, rest = divmod(position - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
