"""Model-city indicators (config/indicators.yaml): the indicator system as data, and the scorecard of a period.

An indicator takes its value from a compliance rate (models.rates.compliance), from a value
entered by hand with its evidence (``source: manual``), or is qualitative and entered as a status
with its evidence and date (``source: status``, e.g. 环境监测能力建设达标). A compound indicator
(``parts:``) is met only when every part is met — the stage-6 water indicator "水环境质量达到功能区
标准，且跨界断面出境水质达到要求" (standards digest §6.1) is one indicator of two parts, each
part's rate shown beneath it. Functional-zone compliance has forms (by zone, by site, by monitoring
frequency, digest §6.3); ``source: functional_zone_compliance`` with ``form:`` says which one the
assessment uses, and the others are shown beside it, not scored. Rates a bureau watches as evidence
of an indicator (plant outflow for sewage treatment) are listed in ``evidence_rates:`` and never
scored. Statuses become points by the system's scheme (models/rates/scoring.py); targets, bands and
points are data (digest §6: the national values are unverified), so none are written here.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from models.errors import ConfigError
from models.rates.compliance import RATE_NAMES
from models.rates.fixes import what_to_fix
from models.rates.scoring import STATUSES, EnteredStatus, Scheme, Status, per_unit_deduction

__all__ = ["STATUSES", "Status", "Indicator", "IndicatorSystem", "ManualValue", "ManualStatus", "scorecard"]

Direction = Literal["higher", "lower"]

# Forms of one measure: the assessment's config picks one (``form:``), the others are shown beside it.
FORMS: dict[str, dict[str, str]] = {
    "functional_zone_compliance": {
        "by_zone": "functional_zones",
        "by_site": "functional_zone_sections",
        "by_frequency": "functional_zone_frequency",
    },
}
VALUED = ("manual",)  # hand-entered numbers
QUALITATIVE = "status"  # hand-entered statuses
COMPOUND = "compound"


def _rate_source(source: str, form: str | None) -> str:
    """The rate id behind a rate or form-group source; ValueError naming what is allowed."""
    if source in FORMS:
        if form not in FORMS[source]:
            raise ValueError(f"source {source!r} needs form: one of {', '.join(FORMS[source])} (got {form!r})")
        return FORMS[source][form]
    if form is not None:
        raise ValueError(f"form applies to {', '.join(FORMS)}, not to source {source!r}")
    if source not in RATE_NAMES:
        allowed = ", ".join([*VALUED, QUALITATIVE, *RATE_NAMES, *FORMS])
        raise ValueError(f"{source!r} is not one of {allowed}")
    return source


def _check_bands(direction: str, target: float | None, basic: float | None) -> None:
    if target is None or basic is None:
        return
    if direction == "higher" and basic > target:
        raise ValueError(f"basic {basic} is above target {target} (direction higher)")
    if direction == "lower" and basic < target:
        raise ValueError(f"basic {basic} is below target {target} (direction lower)")


def _status_of(value: float | None, *, direction: str, target: float, basic: float | None) -> Status:
    if value is None:
        return "无数据"
    sign = 1.0 if direction == "higher" else -1.0
    if sign * value >= sign * target:
        return "达标"
    if basic is not None and sign * value >= sign * basic:
        return "基本达标"
    return "不达标"


class Part(BaseModel):
    """One measured part of a compound indicator."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^\S+$")
    name_zh: str
    source: str  # a rate id or a form group
    form: str | None = None
    unit: str = "%"
    direction: Direction = "higher"
    target: float
    basic: float | None = None  # no 基本达标 band when absent

    @model_validator(mode="after")
    def _consistent(self) -> "Part":
        _rate_source(self.source, self.form)
        _check_bands(self.direction, self.target, self.basic)
        return self

    @property
    def rate_id(self) -> str:
        return _rate_source(self.source, self.form)

    def status_of(self, value: float | None) -> Status:
        return _status_of(value, direction=self.direction, target=self.target, basic=self.basic)


class Indicator(BaseModel):
    """One indicator: where its value comes from, its target and bands, how it scores."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^\S+$")
    name_zh: str
    source: str  # a rate id, a form group (with form), "manual", "status" or "compound" (with parts)
    form: str | None = None
    parts: tuple[Part, ...] = ()
    evidence_rates: tuple[str, ...] = ()  # rates shown beneath as evidence, never scored
    group: str | None = None  # e.g. 环境质量, as the assessment groups its indicators
    unit: str = "%"
    direction: Direction = "higher"
    target: float | None = None
    basic: float | None = None
    points: float = Field(default=0.0, ge=0)
    basic_points: float | None = Field(default=None, ge=0)
    fail_points: float | None = Field(default=None, ge=0)
    deduct: dict[Status, float] | None = None  # deduction schemes: this indicator's deduction per status
    deduct_per_unit: float | None = Field(default=None, gt=0)  # deduction schemes: per unit short of target
    deduct_cap: float | None = Field(default=None, gt=0)
    confirmed: bool = False
    basis: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _compound_by_default(cls, data: Any) -> Any:
        if isinstance(data, Mapping) and data.get("parts") and "source" not in data:
            return {**data, "source": COMPOUND}
        return data

    @field_validator("source")
    @classmethod
    def _known_source(cls, source: str) -> str:
        allowed = [*VALUED, QUALITATIVE, COMPOUND, *RATE_NAMES, *FORMS]
        if source not in allowed:
            raise ValueError(f"{source!r} is not one of {', '.join(allowed)}")
        return source

    @field_validator("evidence_rates")
    @classmethod
    def _known_rates(cls, rates: tuple[str, ...]) -> tuple[str, ...]:
        for rate in rates:
            if rate not in RATE_NAMES:
                raise ValueError(f"{rate!r} is not one of {', '.join(RATE_NAMES)}")
        return rates

    @model_validator(mode="after")
    def _consistent(self) -> "Indicator":
        if self.source == COMPOUND:
            if not self.parts:
                raise ValueError("a compound indicator lists its parts")
        elif self.parts:
            raise ValueError(f"parts make a compound indicator; source {self.source!r} must be left out")
        elif self.source != QUALITATIVE:
            if self.source not in VALUED:
                _rate_source(self.source, self.form)
            if self.target is None or self.basic is None:
                raise ValueError(f"source {self.source!r} needs target and basic")
        _check_bands(self.direction, self.target, self.basic)
        if self.basic_points is not None and self.basic_points > self.points:
            raise ValueError(f"basic_points {self.basic_points} exceed points {self.points}")
        if self.fail_points is not None and self.fail_points > (self.basic_points or self.points):
            raise ValueError(f"fail_points {self.fail_points} exceed the points of 基本达标")
        if (self.deduct_per_unit is None) != (self.deduct_cap is None):
            raise ValueError("deduct_per_unit and deduct_cap go together (per unit short of target, at most cap)")
        if self.deduct_per_unit is not None and (self.target is None or self.source in (QUALITATIVE, COMPOUND)):
            raise ValueError("deduct_per_unit needs a numeric value and target (not a status or compound indicator)")
        if self.deduct is not None and self.deduct.get("达标", 0) != 0:
            raise ValueError("达标 deducts nothing")
        return self

    @property
    def is_manual(self) -> bool:
        """Whether the value is entered by hand (a number or a status)."""
        return self.source in VALUED or self.source == QUALITATIVE

    @property
    def is_qualitative(self) -> bool:
        """Whether the indicator is entered as a status (with evidence and a date)."""
        return self.source == QUALITATIVE

    @property
    def rate_id(self) -> str | None:
        """The rate the value comes from (None for hand-entered and compound indicators)."""
        if self.is_manual or self.source == COMPOUND:
            return None
        return _rate_source(self.source, self.form)

    def status_of(self, value: float | None) -> Status:
        """达标 at or beyond the target, 基本达标 at or beyond the basic band, else 不达标."""
        if self.target is None:
            return "无数据"
        return _status_of(value, direction=self.direction, target=self.target, basic=self.basic)

    def shortfall(self, value: float | None) -> float | None:
        """How far `value` is short of the target, in the indicator's unit (0 when met)."""
        if value is None or self.target is None:
            return None
        sign = 1.0 if self.direction == "higher" else -1.0
        return max(0.0, sign * (self.target - value))

    def points_for(self, status: Status, scheme: Scheme | None = None) -> float:
        """Points earned with `status` under a points scheme."""
        scheme = scheme or Scheme()
        if status == "达标":
            return self.points
        if status == "基本达标":
            return self.basic_points if self.basic_points is not None else self.points * scheme.basic_share
        if status == "不达标":
            return self.fail_points if self.fail_points is not None else self.points * scheme.fail_share
        return 0.0


class BasicCondition(BaseModel):
    """A basic condition (基本条件): entered as 达标 (met) or 不达标; one not met vetoes the title."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^\S+$")
    name_zh: str
    basis: str | None = None


@dataclass(frozen=True)
class IndicatorSystem:
    """An indicator system as its file states it: indicators, basic conditions, the scoring scheme."""

    indicators: list[Indicator]
    scheme: Scheme = field(default_factory=Scheme)
    basic_conditions: list[BasicCondition] = field(default_factory=list)
    name: str | None = None

    def entered(self, entry_id: str) -> Indicator | BasicCondition | None:
        """The indicator or basic condition a hand entry may be made for, by id."""
        items: list[Indicator | BasicCondition] = [*self.indicators, *self.basic_conditions]
        return next((item for item in items if item.id == entry_id), None)


def _validated(model: type[BaseModel], entry: Any, *, origin: str, what: str, name: str) -> Any:
    try:
        return model.model_validate(entry)
    except ValidationError as error:
        first = error.errors()[0]
        place = ".".join(str(p) for p in first["loc"])
        message = str(first["msg"]).removeprefix("Value error, ")
        where = f"field {place}: " if place else ""
        raise ConfigError(f"{origin}: {what} '{name}': {where}{message}") from None


def system_from_mapping(data: Mapping[str, Any], *, origin: str) -> IndicatorSystem:
    """Validate the parsed content of indicators.yaml; errors name the file, entry and field."""
    indicators: list[Indicator] = []
    conditions: list[BasicCondition] = []
    seen: set[str] = set()
    for key, model, out in (("indicators", Indicator, indicators), ("basic_conditions", BasicCondition, conditions)):
        what = "indicator" if key == "indicators" else "basic condition"
        for index, entry in enumerate(data.get(key) or []):
            name = entry.get("id", f"#{index + 1}") if isinstance(entry, Mapping) else f"#{index + 1}"
            item = _validated(model, entry, origin=origin, what=what, name=name)
            if item.id in seen:
                raise ConfigError(f"{origin}: {what} '{item.id}' is listed twice (ids of indicators and conditions)")
            seen.add(item.id)
            out.append(item)
    scheme = _validated(Scheme, data.get("scheme") or {}, origin=origin, what="scheme", name="scheme")
    if scheme.kind == "points":
        for item in indicators:
            if item.deduct is not None or item.deduct_per_unit is not None:
                raise ConfigError(f"{origin}: indicator '{item.id}': deductions need scheme kind 'deduction'")
    name = data.get("name")
    return IndicatorSystem(indicators, scheme, conditions, None if name is None else str(name))


def indicators_from_mapping(data: Mapping[str, Any], *, origin: str) -> list[Indicator]:
    """The indicators of a parsed indicators.yaml (see system_from_mapping)."""
    return system_from_mapping(data, origin=origin).indicators


@dataclass(frozen=True)
class ManualValue:
    """A hand-entered indicator value with its evidence and who entered it when."""

    value: float
    evidence: str
    entered_by: str
    entered_at: str  # ISO 8601, UTC


@dataclass(frozen=True)
class ManualStatus:
    """A hand-entered status (qualitative indicator or basic condition) with its evidence and date."""

    status: EnteredStatus
    evidence: str
    dated: str  # the date of the evidence, ISO 8601 (YYYY-MM-DD)
    entered_by: str
    entered_at: str  # ISO 8601, UTC


def scorecard(
    indicators: list[Indicator] | IndicatorSystem,
    rates: Mapping[str, Mapping[str, Any]],
    manual: Mapping[str, ManualValue],
    *,
    period: str,
    statuses: Mapping[str, ManualStatus] | None = None,
) -> dict[str, Any]:
    """Each indicator's value, status and points for `period`, the totals, the title and what to fix.

    `rates` maps rate ids to their JSON form (Rate.as_dict()); `manual` maps indicator ids to their
    hand-entered values, `statuses` indicator and condition ids to their hand-entered statuses.
    """
    system = indicators if isinstance(indicators, IndicatorSystem) else IndicatorSystem(indicators)
    scheme, statuses = system.scheme, statuses or {}
    rows = [_scored(_row(i, rates, manual, statuses), i, scheme) for i in system.indicators]
    counts = {status: sum(1 for r in rows if r["status"] == status) for status in STATUSES}
    base = scheme.full_score if scheme.kind == "deduction" else 0.0
    total = round(base + sum(r["points"] for r in rows), 2)
    maximum = round(base + sum(r["max_points"] for r in rows), 2)
    summary = f"{counts['达标']} 达标, {counts['基本达标']} 基本达标, {counts['不达标']} 不达标"
    if counts["无数据"]:
        summary += f", {counts['无数据']} 无数据"
    summary += f", {_number(total)} 分"
    conditions = [_condition(c, statuses.get(c.id)) for c in system.basic_conditions]
    return {
        "period": period,
        "system": system.name,
        "scheme": {
            "kind": scheme.kind,
            "name": scheme.name,
            "description": scheme.describe(),
            "base_points": base,
            "note": scheme.note,
        },
        "indicators": rows,
        "counts": counts,
        "points": total,
        "max_points": maximum,
        "summary": summary,
        "basic_conditions": conditions,
        "title": _title(conditions),
        "fixes": what_to_fix(rows),
    }


def _rate_fields(rate: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "value": rate.get("rate"),
        "numerator": rate.get("numerator"),
        "denominator": rate.get("denominator"),
        "failing": rate.get("failing", []),
        "not_judged": rate.get("not_judged", []),
    }


def _row(
    indicator: Indicator,
    rates: Mapping[str, Mapping[str, Any]],
    manual: Mapping[str, ManualValue],
    statuses: Mapping[str, ManualStatus],
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": indicator.id,
        "name": indicator.name_zh,
        "source": indicator.source,
        "unit": indicator.unit,
        "target": indicator.target,
        "basic": indicator.basic,
        "confirmed": indicator.confirmed,
        "group": indicator.group,
        "direction": indicator.direction,
    }
    if indicator.is_qualitative:
        hand_status = statuses.get(indicator.id)
        entry.update(value=None, entered=None if hand_status is None else vars(hand_status))
        entry["status"] = "无数据" if hand_status is None else hand_status.status
    elif indicator.is_manual:
        hand = manual.get(indicator.id)
        entry.update(value=None if hand is None else hand.value, entered=None if hand is None else vars(hand))
        entry["status"] = indicator.status_of(entry["value"])
    elif indicator.source == COMPOUND:
        parts = [_part(part, rates) for part in indicator.parts]
        entry.update(value=None, parts=parts, status=_all_of([p["status"] for p in parts]))
        entry["failing"] = [{**site, "part": p["id"]} for p in parts for site in p["failing"]]
    else:
        rate_id = str(indicator.rate_id)
        entry.update(_rate_fields(rates.get(rate_id, {})), rate_id=rate_id, form=indicator.form)
        entry["status"] = indicator.status_of(entry["value"])
        if indicator.source in FORMS:
            entry["other_forms"] = {
                form: rates.get(other, {}).get("rate")
                for form, other in FORMS[indicator.source].items()
                if form != indicator.form
            }
    if indicator.evidence_rates:
        entry["evidence"] = [
            {"rate_id": r, "name": RATE_NAMES[r], **_rate_fields(rates.get(r, {}))} for r in indicator.evidence_rates
        ]
    return entry


def _part(part: Part, rates: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    fields = _rate_fields(rates.get(part.rate_id, {}))
    return {
        "id": part.id,
        "name": part.name_zh,
        "rate_id": part.rate_id,
        "form": part.form,
        "unit": part.unit,
        "direction": part.direction,
        "target": part.target,
        "basic": part.basic,
        **fields,
        "status": part.status_of(fields["value"]),
    }


def _all_of(statuses: list[Status]) -> Status:
    """A compound indicator is met only when all its parts are: its status is its worst part's."""
    for status in ("不达标", "无数据", "基本达标"):
        if status in statuses:
            return status  # type: ignore[return-value]
    return "达标"


def _scored(entry: dict[str, Any], indicator: Indicator, scheme: Scheme) -> dict[str, Any]:
    status: Status = entry["status"]
    if scheme.kind == "points":
        points, maximum = indicator.points_for(status, scheme), indicator.points
        rule = f"得分制: {status} 得 {_number(points)} / {_number(maximum)} 分"
    else:
        maximum = 0.0
        if indicator.deduct_per_unit is not None and indicator.deduct_cap is not None:
            short = None if status == "无数据" else indicator.shortfall(entry["value"])
            deduction = 0.0 if status == "达标" else per_unit_deduction(
                short, per_unit=indicator.deduct_per_unit, cap=indicator.deduct_cap
            )  # fmt: skip
            per, cap = indicator.deduct_per_unit, indicator.deduct_cap
            rule = f"扣分制: 每差 1{indicator.unit} 扣 {per:g} 分, 最多扣 {cap:g} 分 → 扣 {_number(deduction)} 分"
        elif indicator.deduct is not None and status in indicator.deduct:
            deduction = indicator.deduct[status]
            rule = f"扣分制 (本指标): {status} 扣 {_number(deduction)} 分"
        else:
            deduction = scheme.status_deduction(status)
            rule = f"扣分制: {status} 扣 {_number(deduction)} 分"
        points = -round(deduction, 4)
    entry.update(
        points=round(points, 4),
        max_points=maximum,
        scheme=scheme.kind,
        score_rule=rule,
        points_at_stake=round(maximum - points, 4),
    )
    return entry


def _condition(condition: BasicCondition, entered: ManualStatus | None) -> dict[str, Any]:
    met = None if entered is None else entered.status == "达标"
    return {
        "id": condition.id,
        "name": condition.name_zh,
        "met": met,
        "entered": None if entered is None else vars(entered),
        "basis": condition.basis,
    }


def _title(conditions: list[dict[str, Any]]) -> dict[str, Any]:
    unmet = [c["id"] for c in conditions if c["met"] is False]
    pending = [c["id"] for c in conditions if c["met"] is None]
    if unmet:
        verdict = "基本条件未满足, 一票否决 (不论得分)"
    elif pending:
        verdict = "基本条件待确认"
    else:
        verdict = "基本条件满足" if conditions else "无基本条件"
    return {"vetoed": bool(unmet), "unmet": unmet, "pending": pending, "verdict": verdict}


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
