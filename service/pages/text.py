"""Page labels in Chinese (the default) and English (?lang=en or the wqmon_lang cookie)."""

import math
from typing import Final, Literal

import numpy as np
from fastapi import Request

Language = Literal["zh", "en"]
LANG_COOKIE: Final[str] = "wqmon_lang"

LABELS: Final[dict[str, tuple[str, str]]] = {
    "app": ("水质监测", "Water quality"),
    "overview": ("总览", "Overview"),
    "sites": ("站点", "Sites"),
    "alerts": ("报警", "Alerts"),
    "upload": ("上传化验数据", "Upload lab data"),
    "report": ("月报", "Monthly report"),
    "login": ("登录", "Log in"),
    "logout": ("退出", "Log out"),
    "api_key": ("API 密钥", "API key"),
    "login_hint": ("请输入管理员分配的 API 密钥。", "Enter the API key an administrator gave you."),
    "bad_key": ("密钥无效或已被吊销。", "The key is not known or has been revoked."),
    "too_many": (
        "登录失败次数过多，请稍后再试。",
        "Too many failed logins from here; try again later.",
    ),
    "no_read": ("该密钥的角色无权查看页面。", "This key's role may not view the pages."),
    "scorecard": ("指标考核", "Indicator scorecard"),
    "ranking": ("各县考核排名", "County ranking"),
    "period": ("考核期", "Period"),
    "asked_at": ("查询时间", "Asked at"),
    "rank": ("名次", "Rank"),
    "county": ("县", "County"),
    "answer": ("应答", "Answer"),
    "answered": ("已应答", "Answered"),
    "not_answering": ("未应答", "Not answering"),
    "last_good_answer": ("最近一次成功应答", "Last good answer"),
    "never": ("从未", "never"),
    "stale": ("上次结果", "last answer"),
    "vetoed": ("一票否决", "Vetoed"),
    "no_cwqi": ("各县均未发布城市水质指数 (CWQI)。", "No county publishes its CWQI."),
    "what_to_fix": ("整改清单（按分值排序）", "What to fix, in points"),
    "points_at_stake": ("涉及分值", "Points at stake"),
    "month": ("月份", "Month"),
    "year": ("年度", "Year"),
    "indicator": ("指标", "Indicator"),
    "value": ("数值", "Value"),
    "target": ("目标", "Target"),
    "status": ("状态", "Status"),
    "points": ("得分", "Points"),
    "pulled_down_by": ("拉低的站点", "Sites pulling it down"),
    "site": ("站点", "Site"),
    "kind": ("类型", "Kind"),
    "class": ("类别", "Class"),
    "target_class": ("目标类别", "Target class"),
    "meets": ("达标", "Meets"),
    "fails": ("不达标", "Fails"),
    "unknown": ("无法判定", "Unknown"),
    "latest": ("最新数据", "Latest values"),
    "open_alerts": ("未处理报警", "Open alerts"),
    "month_classes": ("逐月类别", "Class by month"),
    "time_series": ("时间序列", "Time series"),
    "limit": ("限值", "Limit"),
    "exceedance": ("超标", "Exceedance"),
    "daily_mean": ("日均值", "Daily mean"),
    "monthly_value": ("月均值", "Monthly value"),
    "recent_alerts": ("近期报警", "Recent alerts"),
    "critical": ("严重", "Critical"),
    "warning": ("警告", "Warning"),
    "active": ("未关闭", "Active"),
    "all": ("全部", "All"),
    "rule": ("规则", "Rule"),
    "filter": ("筛选", "Filter"),
    "repeats": ("重复", "Repeats"),
    "acknowledge_selected": ("确认所选报警", "Acknowledge selected"),
    "open_counts": ("未确认报警", "Unacknowledged"),
    "opened": ("发生时间", "Opened"),
    "parameter": ("项目", "Parameter"),
    "message": ("内容", "Message"),
    "severity": ("级别", "Severity"),
    "note": ("处理说明", "Note"),
    "acknowledge": ("确认", "Acknowledge"),
    "acknowledged": ("已确认", "Acknowledged"),
    "open": ("未确认", "Open"),
    "resolved": ("已解除", "Resolved"),
    "by": ("确认人", "By"),
    "operator_only": ("确认报警需要 operator 角色。", "Acknowledging needs the operator role."),
    "file": ("文件", "File"),
    "send": ("上传", "Upload"),
    "accepted": ("已入库", "Stored"),
    "rejected": ("被拒绝的行", "Rejected rows"),
    "where": ("位置", "Where"),
    "row": ("行", "row"),
    "column": ("列", "column"),
    "problem": ("问题", "Problem"),
    "writer_only": ("上传需要 operator 或 ingest 角色。", "Uploading needs the operator or ingest role."),
    "no_data": ("无数据", "No data"),
    "plant_days": ("达标天数", "Compliant days"),
    "none": ("无", "None"),
    "main_pollutants": ("主要污染物", "Main pollutants"),
    "language": ("English", "中文"),
    "ratings": ("河流、流域与全县水质评价", "River, basin and county ratings"),
    "rated_water": ("河流/流域", "River / basin"),
    "rating": ("水质状况", "Rating"),
    "class_shares": ("各类断面比例", "Sections by class"),
    "no_worse_than_v": ("无劣Ⅴ类", "None worse than V"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "bad_form": ("表单已过期，请重试。", "The form has expired; try again."),
    "class_legend": ("水质类别", "Water-quality class"),
    "over_by": ("超标", "over by"),
    "menu": ("菜单", "Menu"),
    "map": ("点位地图", "Map"),
    "map_hint": ("按点位坐标绘制，颜色为当月水质类别", "sites by their coordinates, in the month's class colour"),
    "map_unplaced": ("未配置坐标的点位", "Sites without a location"),
    "latest_hint": ("自动站最新小时值及水质类别", "each automatic station's latest hourly values and classes"),
    "time": ("时间", "Time"),
    "show_charts": ("显示所选项目", "Show the chosen parameters"),
    "zone": ("水功能区", "Functional zone"),
    "boundary": ("跨界", "Cross-boundary"),
    "incoming": ("入境", "incoming"),
    "outgoing": ("出境", "outgoing"),
    "river": ("河流 / 流域", "River / basin"),
    "standard": ("执行标准", "Standard"),
    "built": ("建成日期", "Built"),
    "withdrawal": ("取水量（m³/月）", "Withdrawal (m³/month)"),
    "placeholder": ("占位目标", "placeholder target"),
    "placeholder_targets": (
        "以下指标的目标值、分档与分值是占位值，尚未经本局确认（confirmed: false），得分仅供参考",
        "These indicators' targets, bands and points are placeholders not yet confirmed by the bureau "
        "(confirmed: false); their points are only indicative",
    ),
    "placeholder_fix": (
        "核定后在配置目录的 indicators.yaml 中改为 confirmed: true。",
        "Set confirmed: true in indicators.yaml in the configuration folder once checked.",
    ),
    "times": ("倍", "times"),
    "status_legend": ("考核状态", "Status"),
}

KINDS: Final[dict[str, tuple[str, str]]] = {
    "plant": ("污水处理厂", "Treatment plant"),
    "section": ("断面", "Section"),
    "source": ("饮用水源地", "Drinking-water source"),
}

STATUS_COLOURS: Final[dict[str, str]] = {"达标": "green", "基本达标": "amber", "不达标": "red", "无数据": "grey"}
STATUS_EN: Final[dict[str, str]] = {"达标": "met", "基本达标": "nearly met", "不达标": "not met", "无数据": "no data"}


def language(request: Request) -> Language:
    """?lang= wins, then the cookie, then Chinese."""
    asked = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
    return "en" if asked == "en" else "zh"


def label(key: str, lang: Language) -> str:
    """The label `key` in `lang` (the key itself when unknown, so a missing label shows)."""
    pair = LABELS.get(key) or KINDS.get(key)
    if pair is None:
        return key
    return pair[1] if lang == "en" else pair[0]


def status_text(status: str, lang: Language) -> str:
    """A scorecard status (达标 / 基本达标 / 不达标 / 无数据) in `lang`."""
    return STATUS_EN.get(status, status) if lang == "en" else status


def plain(value: float | int | None, significant: int = 4) -> str:
    """A number as a table shows it: never scientific notation (4e-05 → 0.00004), up to
    `significant` digits below 1000, whole numbers from 1000 on ("—" for none)."""
    if value is None:
        return "—"
    number = float(value)
    if not math.isfinite(number):
        return "—"
    if abs(number) >= 1000:
        return f"{number:.0f}"
    return np.format_float_positional(number, precision=significant, unique=False, fractional=False, trim="-")
