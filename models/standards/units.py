"""Units of measure and conversion to the catalogue unit."""

from typing import Final

from models.errors import UnitError

# Spellings seen in lab files and on the wire, folded to one name.
_SPELLINGS: Final[dict[str, str]] = {
    "mg/l": "mg/L",
    "毫克/升": "mg/L",
    "µg/l": "µg/L",
    "μg/l": "µg/L",  # Greek mu (U+03BC) as well as the micro sign (U+00B5)
    "ug/l": "µg/L",
    "微克/升": "µg/L",
    "ng/l": "ng/L",
    "纳克/升": "ng/L",
    "个/l": "个/L",
    "mpn/l": "个/L",
    "cfu/l": "个/L",
    "个/100ml": "个/100mL",
    "mpn/100ml": "个/100mL",
    "cfu/100ml": "个/100mL",
    # mg/m³ is the same quantity as µg/L (1 m³ = 1000 L): chlorophyll a is often written so
    "mg/m3": "µg/L",
    "mg/m³": "µg/L",
    "μg/m3": "ng/L",
    "µg/m3": "ng/L",
    "µg/m³": "ng/L",
    "μg/m³": "ng/L",
    "g/l": "g/L",
    "bq/l": "Bq/L",
    "贝可/升": "Bq/L",
    "°c": "°C",
    "℃": "°C",
    "c": "°C",
    "1": "1",
    "无量纲": "1",
    "无": "1",
    "-": "1",
    "ph": "1",
    "l/s": "L/s",
    "m3/h": "m³/h",
    "m³/h": "m³/h",
    "m3": "m³",
    "m³": "m³",
    "倍": "倍",
    "稀释倍数": "倍",
    "度": "度",
    "µs/cm": "µS/cm",
    "μs/cm": "µS/cm",
    "us/cm": "µS/cm",
    "ms/m": "mS/m",
    "ntu": "NTU",
    "cells/l": "cells/L",
    "个/升": "个/L",
    "m": "m",
    "米": "m",
    "cm": "cm",
    "厘米": "cm",
    "kg": "kg",
    "g": "g",
    "mg": "mg",
}

# factor such that value_in_target = value_in_source * factor
_FACTORS: Final[dict[tuple[str, str], float]] = {
    ("µg/L", "mg/L"): 1e-3,
    ("ng/L", "mg/L"): 1e-6,
    ("ng/L", "µg/L"): 1e-3,
    ("mg/L", "µg/L"): 1e3,
    ("g/L", "mg/L"): 1e3,
    ("个/100mL", "个/L"): 10.0,  # 1 L = 10 × 100 mL
    ("cm", "m"): 1e-2,
    ("mS/m", "µS/cm"): 10.0,
    ("m³/h", "L/s"): 1000.0 / 3600.0,
}


def normalize_unit(unit: str) -> str:
    """The canonical spelling of `unit`; raises UnitError for a unit wqmon does not know."""
    key = unit.strip().replace(" ", "").lower()
    try:
        return _SPELLINGS[key]
    except KeyError:
        known = sorted(set(_SPELLINGS.values()))
        raise UnitError(f"unknown unit {unit!r}; known units are {', '.join(known)}") from None


def conversion_factor(source_unit: str, target_unit: str) -> float:
    """Multiply a value in `source_unit` by this to get it in `target_unit`."""
    source, target = normalize_unit(source_unit), normalize_unit(target_unit)
    if source == target:
        return 1.0
    try:
        return _FACTORS[(source, target)]
    except KeyError:
        raise UnitError(f"cannot convert {source} to {target}") from None
