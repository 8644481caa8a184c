"""A problem found while ingesting: where it was and why the data there was not taken."""

from dataclasses import asdict, dataclass
from typing import Literal

Lang = Literal["zh", "en"]


@dataclass(frozen=True)
class Problem:
    """One rejected cell, row, sheet, file or page (or, in a list of skipped parts, one skipped).

    `row` is the 1-based row (line) number as a spreadsheet or text editor shows it; `column` is
    the spreadsheet column letter followed by its header, e.g. "C 氨氮(mg/L)". `reason` is in
    English; `reason_zh`, where given, says the same in Chinese.
    """

    file: str
    reason: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    reason_zh: str | None = None

    def place(self, lang: Lang = "en") -> str:
        """file[:sheet][:row][:column], for messages; in Chinese "文件…，工作表…，第 n 行，…列"."""
        if lang == "zh":
            parts = [f"文件 {self.file}"]
            if self.sheet is not None:
                parts.append(f"工作表 {self.sheet}")
            if self.row is not None:
                parts.append(f"第 {self.row} 行")
            if self.column is not None:
                parts.append(f"{self.column} 列")
            return "，".join(parts)
        parts = [self.file]
        if self.sheet is not None:
            parts.append(self.sheet)
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column {self.column}")
        return ":".join(parts)

    def message(self, lang: Lang = "zh") -> str:
        """Place and reason in `lang` (English where no Chinese text was given)."""
        if lang == "zh" and self.reason_zh:
            return f"{self.place('zh')}：{self.reason_zh}"
        return f"{self.place()}: {self.reason}"

    def __str__(self) -> str:
        return f"{self.place()}: {self.reason}"

    def as_dict(self) -> dict[str, object]:
        """The problem as a JSON-ready mapping."""
        return asdict(self)
