"""Alert messages for people: Chinese by default, English on request. Pure.

Example: "城东污水处理厂 化学需氧量 小时均值 62.0 mg/L 超过一级A标准限值 50 mg/L，超标 0.24 倍".
"""

import math
from collections.abc import Mapping
from typing import Final, Literal

import pandas as pd

from models.configuration import Configuration
from models.reading import FLAG_MEANINGS

Language = Literal["zh", "en"]
LOCAL_ZONE: Final = "Asia/Shanghai"

STATISTIC_NAMES: Final[dict[str, tuple[str, str]]] = {
    "sample": ("监测值", "sample"),
    "rtd": ("实时值", "real-time value"),
    "minute_avg": ("分钟均值", "minute mean"),
    "hour_avg": ("小时均值", "hourly mean"),
    "day_avg": ("日均值", "daily mean"),
}
_GB18918_CLASSES: Final[dict[str, str]] = {"1A": "一级A", "1B": "一级B", "2": "二级", "3": "三级"}
_ROMAN: Final[dict[str, str]] = {"I": "Ⅰ", "II": "Ⅱ", "III": "Ⅲ", "IV": "Ⅳ", "V": "Ⅴ"}
FLAG_MEANINGS_EN: Final[dict[str, str]] = {
    "N": "instrument normal",
    "F": "instrument stopped",
    "M": "maintenance",
    "S": "manually set value",
    "D": "instrument fault",
    "C": "calibration",
    "T": "above measuring range",
    "B": "instrument-logger communication fault",
    "P": "power failure",
}


def class_label(configuration: Configuration, site_id: str, lang: Language = "zh") -> str:
    """The class a site is judged by, as people write it: "一级A", "Ⅲ类" (en: "class 1A")."""
    site = configuration.sites.get(site_id)
    klass = configuration.target_of(site) if site is not None else None
    if klass is None:
        return ""
    if lang == "en":
        return f"class {klass}"
    if site is not None and configuration.standards[site.standard].kind == "discharge":
        return _GB18918_CLASSES.get(klass, klass)
    return f"{_ROMAN.get(klass, klass)}类"


def render_message(alert: Mapping[str, object], configuration: Configuration, lang: Language = "zh") -> str:
    """One sentence for an alert or condition (keys as in CONDITION_COLUMNS)."""
    en = lang == "en"
    site_id = str(alert["site"])
    rule = str(alert["rule"])
    site = configuration.sites.get(site_id)
    site_name = site.name if site is not None else site_id
    code = str(alert.get("parameter") or "")
    parameter = configuration.catalogue[code] if code and configuration.catalogue.find(code) else None
    name = parameter.name(lang) if parameter is not None else code
    unit = parameter.unit if parameter is not None else ""
    unit = "" if unit == "1" else unit
    decimals = parameter.shown_decimals if parameter is not None else None
    statistic = STATISTIC_NAMES.get(str(alert.get("statistic") or ""), ("", ""))[1 if en else 0]
    value = _number(alert.get("value"), decimals, unit)
    limit = _number(alert.get("limit"), None, unit)
    reference = _float(alert.get("reference"))
    multiple = _float(alert.get("multiple"))
    detail = str(alert.get("detail") or "")
    head = " ".join(p for p in (site_name, name, statistic, value) if p)
    label = class_label(configuration, site_id, lang)

    if rule in ("exceedance", "daily_exceedance"):
        below = detail == "lower"
        if not limit:  # 不得检出 items (GB 18918 表2 烷基汞)
            return f"{head} detected; {label} requires not detected" if en else f"{head} 检出，{label}标准要求不得检出"
        if en:
            text = f"{head} is {'below' if below else 'above'} the {label} limit {limit}"
            return text + (f", {multiple:.2f} times over" if not math.isnan(multiple) else "")
        text = f"{head} {'低于' if below else '超过'}{label}标准限值 {limit}"
        return text + (f"，超标 {multiple:.2f} 倍" if not math.isnan(multiple) else "")
    if rule == "early_warning":
        share = _float(alert.get("value")) / _float(alert.get("limit")) * 100
        if en:
            return f"{head} has reached {share:.0f}% of the {label} limit {limit} (warning at {reference:.0%})"
        return f"{head} 已达{label}标准限值 {limit} 的 {share:.0f}%（预警线 {reference:.0%}）"
    if rule == "gap":
        hours = _float(alert.get("value")) / 60
        last = _local(detail)
        every = f"{reference:g}"
        if en:
            return f"{site_name} {name}: no data for {hours:.1f} h (last {last}; expected every {every} min)"
        return f"{site_name} {name} 已 {hours:.1f} 小时无数据（最后数据 {last}，应每 {every} 分钟一次）"
    if rule == "offline":
        mn, _, never = detail.partition(" ")
        hours = _float(alert.get("value")) / 60
        every = f"{reference:g}"
        if never:
            if en:
                return f"{site_name}: logger {mn} has never reported ({hours:.1f} h; expected every {every} min)"
            return f"{site_name} 数采仪 {mn} 从未上报（已 {hours:.1f} 小时，应每 {every} 分钟一次）"
        if en:
            return f"{site_name}: logger {mn} offline, nothing for {hours:.1f} h (expected every {every} min)"
        return f"{site_name} 数采仪 {mn} 离线，已 {hours:.1f} 小时无任何上报（应每 {every} 分钟一次）"
    if rule == "sample_overdue":
        days = _float(alert.get("value"))
        last = _local(detail)
        plan = {1: ("monthly", "每月"), 2: ("every two months", "每两月"), 3: ("quarterly", "每季度"),
                6: ("half-yearly", "每半年"), 12: ("yearly", "每年")}.get(int(reference), ("", ""))  # fmt: skip
        if en:
            return f"{site_name} {name}: sample overdue (last {last}, {days:.0f} days ago; sampled {plan[0]})"
        return f"{site_name} {name} 手工监测逾期未采样（最后采样 {last}，已 {days:.0f} 天；应{plan[1]}采样）"
    if rule == "constant":
        if en:
            return f"{head}: the same value {int(reference)} times in a row (stuck or faked analyser?)"
        return f"{head} 连续 {int(reference)} 次数值相同，疑似仪器卡滞或数据异常"
    if rule == "implausible":
        low, high = _float(reference), _float(alert.get("limit"))
        if math.isnan(high) or math.isinf(high):  # no plausible range in the catalogue: only negatives
            return f"{head} is negative" if en else f"{head} 为负值，不可能出现"
        span = f"{_number(low, None, '')}–{_number(high, None, '')} {unit}".rstrip()
        return f"{head} is outside the plausible range {span}" if en else f"{head} 超出合理范围 {span}"
    if rule == "spike":
        median = _number(reference, decimals, unit)
        if en:
            return f"{head} jumps away from the recent median {median}"
        return f"{head} 突变（近期中位数 {median}）"
    if rule == "fault_flag":
        flag = str(alert.get("flag") or "")
        meaning = (FLAG_MEANINGS_EN if en else FLAG_MEANINGS).get(flag, "")
        if en:
            return f"{site_name} {name}: data flag {flag} ({meaning})"
        return f"{site_name} {name} 数据标记 {flag}（{meaning}）"
    if rule == "source_error":
        return f"data source {site_id} failed: {detail}" if en else f"数据源 {site_id} 出错：{detail}"
    return f"{head} {rule}"


def _float(value: object) -> float:
    if value is None or value is pd.NA:
        return math.nan
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan


def _number(value: object, decimals: int | None, unit: str) -> str:
    number = _float(value)
    if math.isnan(number):
        return ""
    text = f"{number:.{decimals}f}" if decimals is not None else f"{number:g}"
    return f"{text} {unit}".rstrip()


def _local(iso: str) -> str:
    try:
        return pd.Timestamp(iso).tz_convert(LOCAL_ZONE).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return iso
