"""What each column of a lab sheet holds, read from its header (Chinese or English).

Headers may span several rows (a merged group label such as "监测项目" above item names, a row
of units below them); a column is named by its lowest header cell, so one item the catalogue
does not know is one unrecognised column, not the end of the header. Item columns of a wide
table carry their unit in the header ("氨氮(mg/L)", "总磷（mg/L）", "铅[µg/L]", "NH3-N mg/L") or
in a units row. Units are matched as units and items as items: a cell of a units row is never an
item ("MPN/L"), an item name never a unit ("pH"). Role names match whatever the case, spaces,
underscores or hyphens ("Sampling date", "SAMPLE_DATE").
"""

import re
import unicodedata
from dataclasses import dataclass
from typing import Final, Literal

import pandas as pd

from ingest.cells import fold
from ingest.lab.sheets import column_letter
from models.errors import UnitError
from models.standards.catalogue import Catalogue
from models.standards.units import normalize_unit

Role = Literal["site", "time", "clock", "parameter", "value", "unit", "detection_limit", "item", "ignored"]

_ROLE_NAMES: Final[dict[str, tuple[str, ...]]] = {
    "site": (
        "断面名称", "断面", "断面编号", "点位", "点位名称", "点位编号", "监测点位", "采样点位", "采样点",
        "站点", "站点名称", "站点编号", "测站", "测站名称", "水源地", "水源地名称", "监测断面",
        "断面名", "点位名", "监测点", "监测点名称", "站名", "采样地点", "监测点位名称",
        "site", "siteid", "sitename", "station", "stationname", "stationid", "point", "samplingsite", "location",
    ),
    "time": (
        "采样时间", "监测时间", "采样日期时间", "采样日期", "监测日期", "日期", "时间", "检测时间", "取样时间",
        "取样日期", "采集时间", "采集日期", "日期时间", "采样年月日", "检测日期", "分析日期",
        "time", "date", "datetime", "date/time", "sampletime", "samplingtime", "sampledate", "samplingdate",
        "sampledatetime", "samplingdatetime", "collectiondate", "collectiontime",
    ),
    "clock": ("采样时刻", "时刻", "clock", "timeofday"),
    "parameter": (
        "项目", "指标", "监测项目", "检测项目", "分析项目", "项目名称", "指标名称", "监测指标", "检测指标",
        "parameter", "item", "analyte", "determinand",
    ),
    "value": (
        "结果", "监测值", "监测结果", "检测结果", "测定值", "分析结果", "浓度", "数值", "测定结果", "检测值",
        "value", "result", "concentration",
    ),
    "unit": ("单位", "计量单位", "unit", "units"),
    "detection_limit": (
        "检出限", "方法检出限", "检出限值", "最低检出限", "detectionlimit", "dl", "mdl", "lod",
    ),
    "ignored": (
        "序号", "编号", "备注", "省份", "省", "市", "县", "区县", "流域", "河流", "水系", "所属流域",
        "水质类别", "类别", "水质", "站点情况", "采样人", "分析人", "天气", "水期", "经度", "纬度", "采样深度",
        "样品编号", "样品状态", "检测方法", "分析方法", "方法", "评价", "达标情况", "是否达标", "超标倍数",
        "no", "no.", "remark", "remarks", "note", "notes", "province", "basin", "river", "class", "status",
        "sampleid", "method", "latitude", "longitude",
    ),
}  # fmt: skip


def role_key(text: object) -> str:
    """Header text folded for matching roles: case, spaces, underscores and hyphens do not count."""
    return fold(text).replace("_", "").replace("-", "").replace("　", "")


_ROLE_OF: Final[dict[str, Role]] = {
    role_key(name): role  # type: ignore[misc]
    for role, names in _ROLE_NAMES.items()
    for name in names
}
_TRAILING_GROUP = re.compile(r"^(?P<base>.*?)\s*[(\[](?P<inner>[^()\[\]]*)[)\]]\s*$")


@dataclass(frozen=True)
class Column:
    """One column of a sheet and what it holds."""

    position: int
    letter: str
    header: str
    role: Role | None  # None: not recognised
    parameter: str | None = None  # catalogue code of an item column
    unit: str | None = None  # unit as written in the header (or the units row), checked by the table reader

    @property
    def label(self) -> str:
        """Column letter and header, for problem places: "C 氨氮(mg/L)"."""
        return f"{self.letter} {self.header}".strip()


def _normal(text: object) -> str:
    return "" if text is None else unicodedata.normalize("NFKC", str(text)).strip()


def is_unit_text(text: str) -> bool:
    """True when `text` names a unit: one wqmon knows, or one written like a unit ("mg/kg")."""
    if not text or len(text) > 16:
        return False
    try:
        normalize_unit(text)
    except UnitError:
        return "/" in text and not any(ch.isspace() for ch in text.strip())
    return True


def split_unit(text: str) -> tuple[str, str | None]:
    """("氨氮", "mg/L") for "氨氮(mg/L)" or "NH3-N mg/L"; a group that is not a unit ("以P计") stays in the name.

    The unit is returned as written, so that one the catalogue does not know is reported, not dropped.
    """
    normal = _normal(text)
    match = _TRAILING_GROUP.match(normal)
    if match is not None and is_unit_text(match["inner"].strip()):
        return match["base"].strip(), match["inner"].strip()
    if match is None and " " in normal:
        base, _, last = normal.rpartition(" ")
        if base.strip() and is_unit_text(last) and role_key(last) not in _ROLE_OF:
            return base.strip(), last
    return normal, None


def as_unit(text: object, catalogue: Catalogue) -> str | None:
    """The unit a header cell names on its own (a cell of a units row), as written; else None.

    An item name is never a unit ("pH"), and a unit never an item: "MPN/L" is a unit.
    """
    normal = _normal(text)
    if not normal or role_key(normal) in _ROLE_OF or catalogue.find(normal) is not None:
        return None
    return normal if is_unit_text(normal) else None


def classify_header(text: object, catalogue: Catalogue) -> tuple[Role | None, str | None, str | None]:
    """(role, parameter code, unit as written) for one header cell; role None when it is not recognised."""
    raw = _normal(text)
    if not raw:
        return None, None, None
    base, unit = split_unit(raw)
    for candidate in (raw, base, _strip_groups(base)):
        role = _ROLE_OF.get(role_key(candidate))
        if role is not None:
            return role, None, unit
        code = catalogue.find(candidate)
        if code is not None:
            return "item", code, unit
    return None, None, unit


def _strip_groups(text: str) -> str:
    return re.sub(r"[(\[][^()\[\]]*[)\]]", "", text).strip()


def _is_header_text(cell: object) -> bool:
    """Header cells are text: a number or a date below the header row starts the data."""
    return cell is None or isinstance(cell, str) or (isinstance(cell, float) and pd.isna(cell))


def find_header(cells: pd.DataFrame, catalogue: Catalogue, *, scan_rows: int = 20) -> list[int] | None:
    """Row numbers of the header block.

    The block starts at the first row naming a site column and at least one other known column
    (a time, an item, a parameter column). Rows below it belong to the block while they hold only
    text and their site cell is empty or repeats a header (a merged cell): item names under a
    group label such as "监测项目", a row of units. At most three rows are added.
    """
    rows = list(cells.index[:scan_rows])
    for i, row in enumerate(rows):
        classified = [classify_header(v, catalogue)[0] for v in cells.loc[row]]
        if "site" not in classified or sum(r is not None and r != "ignored" for r in classified) < 2:
            continue
        site_position = cells.columns[classified.index("site")]
        block = [row]
        for below in rows[i + 1 : i + 4]:
            values = cells.loc[below]
            filled = [v for v in values if fold(v)]
            site_cell = values[site_position]
            site_is_header = not fold(site_cell) or classify_header(site_cell, catalogue)[0] in ("site", "unit")
            if filled and site_is_header and all(_is_header_text(v) for v in values):
                block.append(below)
            else:
                break
        return block
    return None


def units_rows(cells: pd.DataFrame, header_rows: list[int], catalogue: Catalogue) -> set[int]:
    """The rows of a header block that are a row of units: every cell a unit, a "单位" label or empty."""
    found = set()
    for row in header_rows[1:]:
        kinds = []
        for value in cells.loc[row]:
            if not fold(value):
                continue
            if as_unit(value, catalogue) is not None:
                kinds.append("unit")
            elif classify_header(value, catalogue)[0] in ("unit", "site", "time", "clock", "ignored"):
                kinds.append("label")  # "单位" under the site column, or a merged header cell
            else:
                kinds.append("other")
        if "unit" in kinds and "other" not in kinds:
            found.add(row)
    return found


def read_columns(cells: pd.DataFrame, header_rows: list[int], catalogue: Catalogue) -> list[Column]:
    """The columns named by the header block.

    A column is named by its lowest header cell (a group label above it does not name it) and
    takes its unit from that cell ("氨氮(mg/L)") or from a row of units below it.
    """
    unit_rows = units_rows(cells, header_rows, catalogue)
    name_rows = [row for row in header_rows if row not in unit_rows]
    columns = []
    for position in cells.columns:
        texts = [cells.at[row, position] for row in name_rows]
        texts = [t for t in texts if fold(t)]
        units = [as_unit(cells.at[row, position], catalogue) for row in sorted(unit_rows)]
        row_unit = next((u for u in units if u is not None), None)
        if not texts:
            if row_unit is None:
                continue
            texts = [row_unit]
        header = _normal(texts[-1])
        role, code, header_unit = classify_header(header, catalogue)
        columns.append(Column(int(position), column_letter(int(position)), header, role, code, header_unit or row_unit))
    return columns
