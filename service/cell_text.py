"""Text cells of downloads that no spreadsheet will run as a formula.

A cell whose text begins with `=`, `+`, `-`, `@`, a tab or a carriage return is taken by Excel and
LibreOffice as a formula (CSV injection): a site name, key name or note chosen by one user could
run a formula on the computer of another who opens the download. Such text is neutralised: in a
CSV it gets a leading apostrophe (shown by spreadsheets as text), in an XLSX it is written as a
string cell, never a formula. Numbers stay numbers.
"""

from typing import Final

import pandas as pd
from openpyxl import Workbook

FORMULA_STARTS: Final[tuple[str, ...]] = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet would read `text` as a formula."""
    return text.startswith(FORMULA_STARTS)


def neutralised_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with each text cell that reads as a formula prefixed by an apostrophe (numbers untouched)."""
    out = frame.copy(deep=False)
    for name in frame.columns:
        column = frame[name]
        if pd.api.types.is_object_dtype(column) or pd.api.types.is_string_dtype(column):
            text = column.astype("string")
            risky = text.str.startswith(FORMULA_STARTS).fillna(False).astype(bool)
            if risky.any():
                out[name] = column.where(~risky, "'" + text)
    return out


def neutralise_workbook(book: Workbook) -> None:
    """Make every text cell of `book` that reads as a formula a plain string cell."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and is_formula_like(cell.value):
                    cell.data_type = "s"
