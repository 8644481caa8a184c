"""What the monthly report rests on: the standards and methods applied (with their numbers) and
how much data each result rests on, with the sites not judged and why."""

from typing import Any, Final

from models.configuration import Configuration

JSON = dict[str, Any]
KIND_ZH: Final[dict[str, str]] = {
    "section": "河流断面",
    "lake": "湖库点位",
    "source": "饮用水水源地",
    "plant": "污水处理厂",
    "groundwater": "地下水点位",
}

RECOMMENDED: Final[dict[str, str]] = {"GB14848-2017": "GB/T 14848-2017"}  # recommended (GB/T), not mandatory


def evaluation_basis(config: Configuration, *, min_valid_hours: int, with_ratings: bool) -> list[JSON]:
    """The standards the configured sites are judged by, then the methods applied, each with its number."""
    used = sorted({site.standard for site in config.sites.values()})
    rows: list[JSON] = [
        {"kind": "标准", "number": _number(standard_id), "title": config.standards[standard_id].title_zh,
         "applied_to": "、".join(sorted({KIND_ZH.get(s.kind, s.kind) for s in config.sites.values()
                                        if s.standard == standard_id}))}
        for standard_id in used
    ]  # fmt: skip
    rows += [
        {"kind": "方法", "number": "环办〔2011〕22号", "title": "地表水环境质量评价办法（试行）",
         "applied_to": "断面水质类别、超标倍数、主要污染物、河流与流域水质状况"},
        {"kind": "方法", "number": "环办监测函〔2020〕82号", "title": "地表水环境质量监测数据统计技术规定（试行）",
         "applied_to": "月均值（未检出按检出限一半参与计算）"},
        {"kind": "方法", "number": "HJ/T 356-2007",
         "title": f"日均值有效性：每日有效小时值不少于 {min_valid_hours} 个",
         "applied_to": "污水处理厂出水日均值达标率"},
        {"kind": "方法", "number": "GB/T 8170-2008", "title": "数值修约规则与极限数值的表示和判定",
         "applied_to": "均值修约后再与限值比较"},
    ]  # fmt: skip
    if with_ratings:
        rows.append(
            {"kind": "方法", "number": "环办监测〔2017〕51号", "title": "城市地表水环境质量排名技术规定（试行）",
             "applied_to": "城市水质指数 CWQI 及其变化"}
        )  # fmt: skip
    return rows


def data_coverage(config: Configuration, evaluations: JSON) -> list[JSON]:
    """One row per site: how many values (or days) its result rests on, or why it was not judged."""
    surface = {entry["site"]: entry for entry in evaluations["sites"]}
    plants = {entry["site"]: entry for entry in evaluations["plants"]}
    reasons = {entry["site"]: entry["text"] for entry in evaluations.get("not_judged", [])}
    rows: list[JSON] = []
    for site in config.sites.values():
        row: JSON = {"site": site.id, "name": site.name, "kind": KIND_ZH.get(site.kind, site.kind)}
        if site.id in plants:
            plant = plants[site.id]
            row |= {
                "values": f"{plant['days_with_data']} 天有数据，{plant['valid_days']} 个有效日",
                "result": "—" if plant["rate"] is None else f"日均值达标率 {plant['rate']:.2f}%",
                "reason": "" if plant["valid_days"] else "本时段无有效日（有效小时数不足）",
            }
        elif site.id in surface:
            entry = surface[site.id]
            items = [i for i in entry["items"] if i["evaluated"]]
            row |= {
                "values": f"{entry['n_values']} 个数值（{len(items)} 个评价项目）",
                "result": f"{entry['class']} 类" if entry["class"] else "—",
                "reason": "",
            }
        else:
            row |= {"values": "0", "result": "未参评", "reason": reasons.get(site.id, "本时段无监测数据")}
        rows.append(row)
    return rows


def _number(standard_id: str) -> str:
    """GB3838-2002 → GB 3838-2002 (the way the number is printed)."""
    if standard_id in RECOMMENDED:
        return RECOMMENDED[standard_id]
    head = standard_id.rstrip("0123456789-")
    return f"{head} {standard_id[len(head) :]}" if head and not head.endswith(" ") else standard_id
