"""The size of an uploaded table, measured before anything loads it.

A workbook states its sheets' extent in a few bytes: one cell at XFD1048576 makes a 1.6 KB file
whose dense grid no reader can hold (16,384 columns × 1,048,576 rows), and a CSV line with a
million commas is a million columns. So a table is measured first, from the CSV's lines or from
each sheet's declared `<dimension>` and the cell references it really holds, and refused when it
exceeds the configured rows, columns or cells (rows × columns, the grid a reader builds).
"""

import re
import zipfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import PurePath

_DIMENSION = re.compile(rb'<dimension\s+ref="(?:[A-Z]{1,3}\d{1,7}:)?([A-Z]{1,3})(\d{1,7})"')
_CELL = re.compile(rb'<c\s+r="([A-Z]{1,3})(\d{1,7})"')
_SHEET = re.compile(r"xl/worksheets/[^/]+\.xml")


class TableTooLarge(ValueError):
    """An uploaded table exceeds a configured size limit; the message names the limit and its setting."""


@dataclass(frozen=True)
class TableLimits:
    """The largest table an upload may hold, and the largest a workbook may unpack to (bytes)."""

    rows: int
    columns: int
    cells: int
    unpacked_bytes: int


def check_table_size(content: bytes, filename: str, limits: TableLimits) -> None:
    """Raise TableTooLarge naming the sheet and the limit when the table is beyond `limits`."""
    suffix = PurePath(filename).suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        for sheet, rows, columns in _workbook_extents(content, filename, limits):
            _check(f"{filename}: sheet {sheet}", rows, columns, limits)
    elif suffix in (".csv", ".txt"):
        lines = content.splitlines()
        columns = max((max(line.count(b","), line.count(b";"), line.count(b"\t")) + 1 for line in lines), default=0)
        _check(filename, len(lines), columns, limits)


def _check(where: str, rows: int, columns: int, limits: TableLimits) -> None:
    if rows > limits.rows:
        raise TableTooLarge(f"{where} has {rows} rows; the limit is {limits.rows} (WQMON_MAX_UPLOAD_ROWS)")
    if columns > limits.columns:
        raise TableTooLarge(f"{where} has {columns} columns; the limit is {limits.columns} (WQMON_MAX_UPLOAD_COLUMNS)")
    if rows * columns > limits.cells:
        raise TableTooLarge(
            f"{where} spans {rows} rows × {columns} columns = {rows * columns} cells; "
            f"the limit is {limits.cells} (WQMON_MAX_UPLOAD_CELLS); split the file"
        )


def _workbook_extents(content: bytes, filename: str, limits: TableLimits) -> list[tuple[str, int, int]]:
    """(sheet part, rows, columns) of each worksheet: the larger of the declared and the used extent."""
    try:
        book = zipfile.ZipFile(BytesIO(content))
    except zipfile.BadZipFile:
        return []  # not a workbook: the reader says so in its own words
    with book:
        parts = [info for info in book.infolist() if _SHEET.fullmatch(info.filename)]
        unpacked = sum(info.file_size for info in book.infolist())
        if unpacked > limits.unpacked_bytes:
            raise TableTooLarge(
                f"{filename} unpacks to {unpacked} bytes; the limit is {limits.unpacked_bytes} "
                "(20 × WQMON_MAX_UPLOAD_BYTES); split the workbook"
            )
        extents = []
        for info in parts:
            xml = book.read(info)
            rows = columns = 0
            declared = _DIMENSION.search(xml)
            if declared:
                columns, rows = _column_number(declared.group(1)), int(declared.group(2))
            for match in _CELL.finditer(xml):
                rows = max(rows, int(match.group(2)))
                columns = max(columns, _column_number(match.group(1)))
            extents.append((PurePath(info.filename).stem, rows, columns))
        return extents


def _column_number(letters: bytes) -> int:
    """A spreadsheet column's 1-based number: A is 1, Z 26, AA 27, XFD 16384."""
    number = 0
    for letter in letters:
        number = number * 26 + letter - ord("A") + 1
    return number
