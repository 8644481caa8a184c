"""Single-factor evaluation (单因子评价) of readings against a standard, vectorised.

`judge_readings` compares every reading of a frame with its item's limits in one pass (numpy
broadcasting of values against the limit table), giving each reading its class, whether it meets
the target, and its exceedance multiple. `classify_samples` reduces those to one class per
sample and picks the main pollutants. `judge_sample` is the convenience for one sample.

Conventions (each cites where it comes from):

* A value equal to a limit meets it: the standards write limits as "≤" / "≥".
* Where two classes share a limit the better class is taken (从优不从劣), since the class is the
  first, i.e. best, whose limit the value meets.
* A value worse than the last class is "worse than V" (劣V).
* A class without a limit for an item (a "—" in the table: GB 18918-2002 Table 1 gives class 2
  no total-nitrogen limit and class 3 none for NH3-N, TN and fecal coliform) sets no limit: at
  that class the item is not judged (``meets_target`` NA, not evaluated), never failed.
* Rows that apply at drinking-water sources only (GB 3838-2002 Tables 2 and 3, §3 and §5) are not
  in the limit table of any other site, so those items are reported there and never judged.
* A single non-detect sample takes the best class its detection limit can show, as published
  bulletins judge it: "Cd 0.002L" meets class II (0.005) but cannot show class I (0.001), so it
  is class II, and it fails a class I target. Only a detection limit that meets no class at all
  leaves the item not judgeable (``class_index`` -2, ``meets_target`` NA). A non-detect has no
  exceedance multiple. Period means take non-detects at half their detection limit instead
  (环办监测函〔2020〕82号 point 7, see models.period.statistics) and are judged as values.
* Exceedance multiple = (value − limit) / limit for upper-bound items that exceed; none for water
  temperature, pH and DO (地表水环境质量评价办法（试行）, 环办〔2011〕22号).
* Main pollutants (same method): only when the sample is worse than class III; up to three,
  ranked by class (worst first) then by the exceedance multiple over the class III limit. The
  items of the worst class that set the sample's class are always among them; cyanide and heavy
  metals that exceed class III take the remaining places before other items and are listed
  first (they take the places of weaker items, never of the worst class).
"""

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from models.standards.limits import LimitTable

NOT_JUDGED = -1  # item with no limit in this standard or situation, or a reference item
NOT_JUDGEABLE = -2  # non-detect whose detection limit is above every limit of the item

MAX_MAIN_POLLUTANTS = 3
CLASS_III = 2  # index of class III in GB 3838's class list


def judge_readings(
    codes: pd.Series | pd.Categorical | np.ndarray,
    values: np.ndarray,
    non_detect: np.ndarray,
    table: LimitTable,
    *,
    target: int,
) -> pd.DataFrame:
    """Judge readings against `table` in one vectorised pass.

    Parameters
    ----------
    codes : canonical parameter codes, one per reading
    values : float array, catalogue unit (mg/L unless the catalogue says otherwise); for a
        non-detect its detection limit
    non_detect : bool array, True where the value was below its detection limit
    table : limits of the standard in the situation of these readings
    target : index into ``table.standard.classes`` of the class the readings must meet (the
        site's target class, the plant's class, or III)

    Returns
    -------
    DataFrame aligned with the input, columns:
        ``class_index`` (int8: 0 = first class … len(classes) = worse than last, -1 not judged,
        -2 not judgeable), ``limit`` (the target class's upper limit, or lower limit for
        lower-bound items, NaN when none), ``meets_target`` (nullable boolean), ``exceedance_multiple``
        (float, NaN when not exceeding or undefined), ``multiple_iii`` (multiple over the class III
        limit where the standard has one, for ranking main pollutants), ``evaluated`` (bool: the
        item takes part in the sample's class).
    """
    values = np.asarray(values, dtype=float)
    non_detect = np.asarray(non_detect, dtype=bool)
    row = table.row_of(codes)
    known = row >= 0
    safe_row = np.where(known, row, 0)

    low = table.low[safe_row]
    high = table.high[safe_row]
    has_limit = table.has_limit[safe_row]
    column = values[:, None]
    # A class without a limit ("—") is passed by every value when looking for the best class.
    ok = (column >= np.where(has_limit, low, -np.inf)) & (column <= np.where(has_limit, high, np.inf))
    n_classes = low.shape[1]
    first_ok = ok.argmax(axis=1)
    any_ok = ok.any(axis=1)

    bound = table.bound[safe_row]
    graded = table.graded[safe_row]
    # A non-detect's value is its detection limit: the best class that limit can show. One that
    # meets no class shows nothing.
    class_index = np.where(any_ok, first_ok, np.where(non_detect, NOT_JUDGEABLE, n_classes))
    is_limit_item = known & (bound != "none") & (bound != "not_detected")
    judged_at_target = known & (has_limit[:, target] | ~is_limit_item)
    class_index = np.where(is_limit_item & graded, class_index, NOT_JUDGED).astype(np.int8)

    meets = ok[:, target].copy()
    must_not_detect = known & (bound == "not_detected")
    meets = np.where(must_not_detect, non_detect, meets)
    judgeable = judged_at_target & (bound != "none") & ~(non_detect & ~any_ok & ~must_not_detect)
    meets_target = pd.array(np.where(judgeable, meets, False), dtype="boolean")
    meets_target[~judgeable] = pd.NA

    target_high = high[:, target]
    target_low = low[:, target]
    limit = np.where(bound == "lower", target_low, target_high)
    limit = np.where(is_limit_item, limit, np.nan)
    limit[~np.isfinite(limit)] = np.nan

    has_multiple = table.has_multiple[safe_row] & known & ~non_detect
    with np.errstate(invalid="ignore", divide="ignore"):
        multiple = np.where(has_multiple & (values > target_high), (values - target_high) / target_high, np.nan)
        if n_classes > CLASS_III:
            high_iii = high[:, CLASS_III]
            multiple_iii = np.where(has_multiple & (values > high_iii), (values - high_iii) / high_iii, np.nan)
        else:
            multiple_iii = np.full(len(values), np.nan)

    evaluated = is_limit_item & judged_at_target & ~table.reference_only[safe_row]
    index = codes.index if isinstance(codes, pd.Series) else None
    return pd.DataFrame(
        {
            "class_index": class_index,
            "limit": limit,
            "meets_target": meets_target,
            "exceedance_multiple": multiple,
            "multiple_iii": multiple_iii,
            "evaluated": evaluated,
        },
        index=index,
    )


def classify_samples(readings: pd.DataFrame, judged: pd.DataFrame, *, by: list[str]) -> pd.DataFrame:
    """One row per sample (group of `by` columns): its class and whether it meets its target.

    ``class_index`` is the worst class among evaluated, graded items (单因子评价); items that are
    not judgeable do not raise it. ``meets_target`` is False when any evaluated item fails, NA
    when none fails but some could not be judged, True otherwise.
    """
    frame = readings[by].copy()
    frame["class_index"] = judged["class_index"].where(judged["evaluated"], NOT_JUDGED).to_numpy()
    fails = (judged["meets_target"] == False) & judged["evaluated"]  # noqa: E712 (nullable)
    unknown = judged["meets_target"].isna() & judged["evaluated"]
    frame["fails"] = fails.fillna(False).to_numpy()
    frame["unknown"] = unknown.to_numpy()
    grouped = frame.groupby(by, sort=True, observed=True)
    result = grouped.agg(class_index=("class_index", "max"), fails=("fails", "any"), unknown=("unknown", "any"))
    meets = pd.array(~result["fails"].to_numpy(), dtype="boolean")
    meets[(~result["fails"] & result["unknown"]).to_numpy()] = pd.NA
    result["meets_target"] = meets
    return result.drop(columns=["fails", "unknown"]).reset_index()


def main_pollutants(codes: np.ndarray, judged: pd.DataFrame, table: LimitTable) -> list[str]:
    """Main pollutants of one sample (up to three), per 环办〔2011〕22号; empty when class I–III."""
    codes = np.asarray(codes)
    frame = pd.DataFrame(
        {
            "sample": 0,
            "code": codes,
            "class_index": judged["class_index"].to_numpy(),
            "multiple_iii": judged["multiple_iii"].to_numpy(),
            "evaluated": judged["evaluated"].to_numpy(),
            "priority": table.priority[np.maximum(table.row_of(codes), 0)] & (table.row_of(codes) >= 0),
        }
    )
    ranked = rank_main_pollutants(frame, ["sample"])
    return ranked["code"].tolist()


def rank_main_pollutants(items: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Main pollutants of every sample (group of `keys`) at once: the chosen rows, in listed order.

    `items` has `keys` + code, class_index, multiple_iii, evaluated, priority (cyanide or a heavy
    metal, per the standard's ``priority_pollutants``). Candidates are evaluated items worse than
    class III. The worst-class items (ranked by multiple) keep their places; priority items fill
    the remaining places before the others; the list shows priority items first, then by class
    and multiple. Multiples are compared to six decimals so that floating-point noise never
    decides a tie; a tie keeps the table order of the items.
    """
    candidates = items.loc[items["evaluated"].to_numpy(bool) & (items["class_index"].to_numpy() > CLASS_III)]
    if candidates.empty:
        return candidates[[*keys, "code"]]
    multiple_iii = candidates["multiple_iii"].to_numpy(float)
    work = candidates[[*keys, "code"]].assign(
        order=np.arange(len(candidates)),
        # A metal counts as exceeding class III only on a measured value (a non-detect has no multiple).
        priority=candidates["priority"].to_numpy(bool) & ~np.isnan(multiple_iii),
        class_index=candidates["class_index"].to_numpy(),
        multiple=np.round(np.nan_to_num(multiple_iii, nan=-1.0), 6),
    )
    grouped = work.groupby(keys, sort=False, observed=True)
    is_worst = work["class_index"].to_numpy() == grouped["class_index"].transform("max").to_numpy()
    by_rank = work.sort_values(["multiple", "order"], ascending=[False, True], kind="stable")
    worst_rank = by_rank.loc[is_worst[by_rank["order"].to_numpy()]].groupby(keys, observed=True).cumcount()
    work["protected"] = False
    work.loc[worst_rank.index[worst_rank.to_numpy() < MAX_MAIN_POLLUTANTS], "protected"] = True
    chosen = (
        work.sort_values(
            [*keys, "protected", "priority", "class_index", "multiple", "order"],
            ascending=[True] * len(keys) + [False, False, False, False, True],
            kind="stable",
        )
        .groupby(keys, sort=False, observed=True)
        .head(MAX_MAIN_POLLUTANTS)
    )
    return chosen.sort_values(
        [*keys, "priority", "class_index", "multiple", "order"],
        ascending=[True] * len(keys) + [False, False, False, True],
        kind="stable",
    )[[*keys, "code"]]


@dataclass(frozen=True)
class SampleJudgement:
    """The judgement of one sample: its items, class and main pollutants."""

    items: pd.DataFrame  # code, value, non_detect + the judge_readings columns
    class_index: int
    meets_target: bool | None
    main_pollutants: list[str]


def judge_sample(
    values: Mapping[str, float],
    table: LimitTable,
    *,
    target: int,
    non_detect: Mapping[str, bool] | None = None,
) -> SampleJudgement:
    """Judge one sample given as {canonical code: value}."""
    codes = np.array(list(values), dtype=object)
    numbers = np.array([values[c] for c in codes], dtype=float)
    nd = np.array([bool((non_detect or {}).get(c, False)) for c in codes])
    judged = judge_readings(codes, numbers, nd, table, target=target)
    items = pd.concat([pd.DataFrame({"code": codes, "value": numbers, "non_detect": nd}), judged], axis=1)
    samples = classify_samples(items.assign(sample=0), judged, by=["sample"])
    meets = samples["meets_target"].iloc[0]
    return SampleJudgement(
        items=items,
        class_index=int(samples["class_index"].iloc[0]),
        meets_target=None if pd.isna(meets) else bool(meets),
        main_pollutants=main_pollutants(codes, judged, table) if table.standard.kind == "surface" else [],
    )


def describe_sample(judgement: SampleJudgement, table: LimitTable, *, target: int) -> dict[str, object]:
    """A JSON-ready account of one sample's judgement (used by the CLI and the API).

    For a surface-water standard ``class`` is the sample's class; for a discharge standard it is
    the plant's class, and each item says whether it ``meets`` its limit.
    """
    standard = table.standard
    discharge = standard.kind == "discharge"
    rows = table.row_of(judgement.items["code"].to_numpy())
    items: list[dict[str, object]] = []
    for row, item in zip(rows, judgement.items.to_dict("records"), strict=True):
        meets = None if pd.isna(item["meets_target"]) else bool(item["meets_target"])
        multiple = item["exceedance_multiple"]
        entry: dict[str, object] = {
            "code": item["code"],
            "value": float(item["value"]),
            "non_detect": bool(item["non_detect"]),
            "limit": limit_of(table, row, target),
            "exceedance_multiple": None if np.isnan(multiple) else round(float(multiple), 3),
            "source": table.sources[row] if row >= 0 else None,
        }
        if discharge:
            entry["meets"] = meets
            entry["evaluated"] = bool(item["evaluated"])
        else:
            entry["class"] = standard.class_name(int(item["class_index"]))
            entry["meets_target"] = meets
            entry["evaluated"] = bool(item["evaluated"])
        items.append(entry)
    result: dict[str, object] = {"standard": standard.id}
    if discharge:
        result["class"] = standard.classes[target]
        result["meets"] = judgement.meets_target
    else:
        result["class"] = standard.class_name(judgement.class_index)
        result["target"] = standard.classes[target]
        result["meets_target"] = judgement.meets_target
    result["items"] = items
    result["main_pollutants"] = judgement.main_pollutants
    return result


def limit_of(table: LimitTable, row: int, target: int) -> float | list[float] | None:
    """The limit of a table row at class `target` as shown to users: a number, [low, high] for a
    range (pH 6-9), None where there is none."""
    if row < 0 or table.bound[row] in ("none", "not_detected"):
        return None
    low, high = float(table.low[row, target]), float(table.high[row, target])
    if np.isnan(low) or np.isnan(high):
        return None
    if table.bound[row] == "range":
        return [low, high]
    return low if table.bound[row] == "lower" else high
