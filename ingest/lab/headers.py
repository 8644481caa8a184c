"""What each column of a lab sheet holds, read from its header (Chinese or English).

Headers may span several rows (a merged group label such as "监测项目" above item names, a row
of units below them); a column is named by its lowest recognised header cell. Item columns of a
wide table carry their unit in the header: "氨氮(mg/L)", "总磷（mg/L）", "铅[µg/L]".
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
        "site", "siteid", "sitename", "site_id", "station", "stationname", "point",
    ),
    "time": (
        "采样时间", "监测时间", "采样日期时间", "采样日期", "监测日期", "日期", "时间", "检测时间", "取样时间",
        "time", "date", "datetime", "sampletime", "samplingtime", "sampledat", "sample_time", "sampling_date",
    ),
    "clock": ("采样时刻", "时刻", "clock"),
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
        "检出限", "方法检出限", "检出限值", "最低检出限", "detectionlimit", "detection_limit", "dl", "mdl", "lod",
    ),
    "ignored": (
        "序号", "编号", "备注", "省份", "省", "市", "县", "区县", "流域", "河流", "水系", "所属流域",
        "水质类别", "类别", "水质", "站点情况", "采样人", "分析人", "天气", "水期", "经度", "纬度", "采样深度",
        "样品编号", "样品状态", "检测方法", "分析方法", "方法", "评价", "达标情况", "是否达标", "超标倍数",
        "no", "no.", "remark", "remarks", "note", "notes", "province", "basin", "river", "class", "status",
        "sampleid", "method", "latitude", "longitude",
    ),
}  # fmt: skip
_ROLE_OF: Final[dict[str, Role]] = {
    name.lower(): role  # type: ignore[misc]
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
    unit: str | None = None  # unit named in the header (or the units row)

    @property
    def label(self) -> str:
        """Column letter and header, for problem places: "C 氨氮(mg/L)"."""
        return f"{self.letter} {self.header}".strip()


def split_unit(text: str) -> tuple[str, str | None]:
    """("氨氮", "mg/L") for "氨氮(mg/L)"; a trailing group that is not a unit stays in the name."""
    normal = unicodedata.normalize("NFKC", text).strip()
    match = _TRAILING_GROUP.match(normal)
    if match is None:
        return normal, None
    try:
        return match["base"], normalize_unit(match["inner"])
    except UnitError:
        return normal, None


def as_unit(text: object) -> str | None:
    """The unit a header cell names on its own (a units row), else None."""
    folded = fold(text)
    if not folded or folded in _ROLE_OF:
        return None
    try:
        return normalize_unit(unicodedata.normalize("NFKC", str(text)))
    except UnitError:
        return None


def classify_header(text: object, catalogue: Catalogue) -> tuple[Role | None, str | None, str | None]:
    """(role, parameter code, unit) for one header cell; role None when it is not recognised."""
    raw = "" if text is None else unicodedata.normalize("NFKC", str(text)).strip()
    if not raw:
        return None, None, None
    base, unit = split_unit(raw)
    for candidate in (raw, base, _strip_groups(base)):
        role = _ROLE_OF.get(fold(candidate))
        if role is not None:
            return role, None, unit
        code = catalogue.find(candidate)
        if code is not None:
            return "item", code, unit
    return None, None, unit


def _strip_groups(text: str) -> str:
    return re.sub(r"[(\[][^()\[\]]*[)\]]", "", text).strip()


def find_header(cells: pd.DataFrame, catalogue: Catalogue, *, scan_rows: int = 20) -> list[int] | None:
    """Row numbers of the header block: the first row naming a site column, plus any rows below it
    that hold only header text (item names under a merged group label, a row of units)."""
    rows = list(cells.index[:scan_rows])
    for i, row in enumerate(rows):
        roles = {classify_header(v, catalogue)[0] for v in cells.loc[row]}
        if "site" not in roles:
            continue
        block = [row]
        for below in rows[i + 1 : i + 4]:
            values = [v for v in cells.loc[below] if fold(v)]
            if values and all(classify_header(v, catalogue)[0] or as_unit(v) for v in values):
                block.append(below)
            else:
                break
        return block
    return None


def read_columns(cells: pd.DataFrame, header_rows: list[int], catalogue: Catalogue) -> list[Column]:
    """The columns named by the header block, lowest recognised header cell first."""
    columns = []
    for position in cells.columns:
        texts = [cells.at[row, position] for row in header_rows]
        texts = [t for t in texts if fold(t)]
        unit = None
        chosen: tuple[Role | None, str | None, str | None] = (None, None, None)
        header = ""
        for text in reversed(texts):
            classified = classify_header(text, catalogue)
            row_unit = as_unit(text) if classified[0] is None else None
            if row_unit is not None and unit is None:
                unit = row_unit  # a cell of a units row below the item names
                continue
            chosen = classified
            header = unicodedata.normalize("NFKC", str(text)).strip()
            if chosen[0] is not None:
                break
        if not texts:
            continue
        if not header:  # only a unit: a units-row cell under an empty header
            header = unicodedata.normalize("NFKC", str(texts[-1])).strip()
        role, code, header_unit = chosen
        columns.append(Column(int(position), column_letter(int(position)), header, role, code, header_unit or unit))
    return columns
