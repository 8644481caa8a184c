"""A problem found while ingesting: where it was and why the data there was not taken."""

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Problem:
    """One rejected cell, row, sheet, file or page.

    `row` is the 1-based row (line) number as a spreadsheet or text editor shows it; `column` is
    the spreadsheet column letter followed by its header, e.g. "C 氨氮(mg/L)".
    """

    file: str
    reason: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None

    def place(self) -> str:
        """file[:sheet][:row][:column], for messages."""
        parts = [self.file]
        if self.sheet is not None:
            parts.append(self.sheet)
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column {self.column}")
        return ":".join(parts)

    def __str__(self) -> str:
        return f"{self.place()}: {self.reason}"

    def as_dict(self) -> dict[str, object]:
        """The problem as a JSON-ready mapping."""
        return asdict(self)
