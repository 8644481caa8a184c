"""What to fix, in points: for each indicator not 达标, the points at stake and what pulls it down.

Built from scored scorecard rows (models/rates/indicators.py) and the rates' ``failing`` entries
only: for a rate, how many more compliant units (months, sites, zones, days, m³) it needs to reach
its target and what one more would make it; for each failing site, the items over target with their
exceedance multiple ((value − limit) / limit, GB 3838-2002 usage, digest "Words") and the cut in
concentration that multiple means (multiple / (1 + multiple)). Ordered by points at stake, the
largest first: the list leadership asks for.
"""

import math
from typing import Any

# What one unit of each rate counts, in the words of a report (by rate id).
UNIT_WORDS: dict[str, str] = {
    "functional_zone_sections": "个断面",
    "functional_zones": "个功能区",
    "functional_zone_frequency": "次(月)监测",
    "drinking_water_sources": "m³",
    "outgoing_sections": "次(月)监测",
    "plant_outflow": "天",
}
CONTINUOUS = frozenset({"drinking_water_sources"})  # volumes: "one more" has no meaning


def what_to_fix(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """For each scored row not 达标: points at stake, the measures pulling it down, advice lines."""
    fixes = []
    for order, row in enumerate(rows):
        if row["status"] == "达标":
            continue
        measures = [_measure(m) for m in _measures(row) if m["status"] != "达标"]
        advice = [line for m in measures for line in m.pop("advice")]
        fixes.append(
            {
                "id": row["id"],
                "name": row["name"],
                "status": row["status"],
                "points_at_stake": row["points_at_stake"],
                "measures": measures,
                "advice": advice,
                "_order": order,
            }
        )
    fixes.sort(key=lambda f: (-f["points_at_stake"], f["_order"]))
    for fix in fixes:
        del fix["_order"]
    return fixes


def _measures(row: dict[str, Any]) -> list[dict[str, Any]]:
    if "parts" in row:
        return [{**part, "part": part["id"]} for part in row["parts"]]
    return [{**row, "part": None}]


def _measure(measure: dict[str, Any]) -> dict[str, Any]:
    name, status = measure["name"], measure["status"]
    entry: dict[str, Any] = {
        "part": measure["part"],
        "name": name,
        "status": status,
        "value": measure.get("value"),
        "target": measure.get("target"),
        "unit": measure.get("unit"),
    }
    if measure.get("rate_id") is None:  # hand-entered: a number short of its target, or a status
        entered = measure.get("entered")
        if measure["source"] == "status":
            said = "未录入" if entered is None else f"{entered['status']} ({entered['dated']}: {entered['evidence']})"
            entry["advice"] = [f"{name}: {said}"]
        elif measure.get("value") is None:
            entry["advice"] = [f"{name}: 未录入本期数值"]
        else:
            short = abs(float(measure["target"]) - float(measure["value"]))
            entry["shortfall"] = round(short, 4)
            entry["advice"] = [
                f"{name}: {measure['value']:g}{measure['unit']}, 距目标 {measure['target']:g} 差 {short:g}"
            ]
        return entry
    rate_id = str(measure["rate_id"])
    numerator, denominator = measure.get("numerator"), measure.get("denominator")
    entry["rate_id"] = rate_id
    entry["sites"] = [_site(site) for site in measure.get("failing", [])]
    advice = []
    if numerator is not None and denominator:
        unit = UNIT_WORDS.get(rate_id, "")
        needed = max(0.0, float(measure["target"]) * float(denominator) / 100.0 - float(numerator))
        entry["needed_to_meet"] = round(needed, 2) if rate_id in CONTINUOUS else math.ceil(needed - 1e-9)
        needed_text = f"{needed:,.0f} " if rate_id in CONTINUOUS else f"{entry['needed_to_meet']} "
        line = f"{name}: {measure['value']}%, 距目标 {measure['target']:g}% 还需 {needed_text}{unit}达标"
        if rate_id not in CONTINUOUS:
            entry["one_more_rate"] = round(100.0 * (float(numerator) + 1) / float(denominator), 1)
            line += f"; 再多 1 {unit}达标, 达标率升至 {entry['one_more_rate']:g}%"
        advice.append(line)
    elif measure.get("value") is None:
        advice.append(f"{name}: 本期无可判定数据")
    for site in entry["sites"]:
        items = "、".join(
            f"{i['name']} 超标 {i['exceedance_multiple']:g} 倍" + (f" ({i['times']} 次)" if i["times"] else "")
            for i in site["items"]
            if i["exceedance_multiple"] is not None
        )
        advice.append(f"  {site['name']}: {items or '未达标'}")
    entry["advice"] = advice
    return entry


def _site(site: dict[str, Any]) -> dict[str, Any]:
    items = []
    for item in site.get("items", []):
        multiple = item.get("exceedance_multiple", item.get("max_exceedance_multiple"))
        items.append(
            {
                "code": item.get("code"),
                "name": item.get("name"),
                "times": item.get("times", item.get("failing_days")),
                "exceedance_multiple": multiple,
                # the share by which the value must fall to meet its limit: m / (1 + m)
                "cut_needed_percent": None if multiple is None else round(100.0 * multiple / (1.0 + multiple), 1),
            }
        )
    items.sort(key=lambda i: -(i["exceedance_multiple"] or 0.0))
    return {"site": site.get("site"), "name": site.get("name"), "part": site.get("part"), "items": items}
