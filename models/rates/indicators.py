"""Model-city indicators (config/indicators.yaml) and the scorecard of a period.

An indicator takes its value from a compliance rate (models.rates.compliance) or from a hand-entered
value with evidence; its status is 达标 / 基本达标 / 不达标 by the configured bands, and it earns
its points, basic points or none. Targets, bands and points are data (digest §6: the national
values are unverified), so none are written here.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from models.errors import ConfigError
from models.rates.compliance import RATE_NAMES

Status = Literal["达标", "基本达标", "不达标", "无数据"]
STATUSES: tuple[Status, ...] = ("达标", "基本达标", "不达标", "无数据")
Direction = Literal["higher", "lower"]


class Indicator(BaseModel):
    """One indicator: where its value comes from, its target and bands, its points."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^\S+$")
    name_zh: str
    source: str  # a rate id (models.rates.compliance.RATE_NAMES) or "manual"
    unit: str = "%"
    direction: Direction = "higher"
    target: float
    basic: float
    points: float = Field(ge=0)
    basic_points: float | None = Field(default=None, ge=0)
    confirmed: bool = False
    basis: str | None = None

    @field_validator("source")
    @classmethod
    def _known_source(cls, source: str) -> str:
        if source != "manual" and source not in RATE_NAMES:
            allowed = ", ".join(["manual", *RATE_NAMES])
            raise ValueError(f"{source!r} is not one of {allowed}")
        return source

    @model_validator(mode="after")
    def _consistent(self) -> "Indicator":
        if self.direction == "higher" and self.basic > self.target:
            raise ValueError(f"basic {self.basic} is above target {self.target} (direction higher)")
        if self.direction == "lower" and self.basic < self.target:
            raise ValueError(f"basic {self.basic} is below target {self.target} (direction lower)")
        if self.basic_points is not None and self.basic_points > self.points:
            raise ValueError(f"basic_points {self.basic_points} exceed points {self.points}")
        return self

    @property
    def is_manual(self) -> bool:
        """Whether the value is entered by hand."""
        return self.source == "manual"

    def status_of(self, value: float | None) -> Status:
        """达标 at or beyond the target, 基本达标 at or beyond the basic band, else 不达标."""
        if value is None:
            return "无数据"
        sign = 1.0 if self.direction == "higher" else -1.0
        if sign * value >= sign * self.target:
            return "达标"
        if sign * value >= sign * self.basic:
            return "基本达标"
        return "不达标"

    def points_for(self, status: Status) -> float:
        """Points earned with `status`."""
        if status == "达标":
            return self.points
        if status == "基本达标":
            return self.basic_points if self.basic_points is not None else self.points / 2
        return 0.0


def indicators_from_mapping(data: Mapping[str, Any], *, origin: str) -> list[Indicator]:
    """Validate the parsed content of indicators.yaml; errors name the file, indicator and field."""
    result: list[Indicator] = []
    seen: set[str] = set()
    for index, entry in enumerate(data.get("indicators") or []):
        name = entry.get("id", f"#{index + 1}") if isinstance(entry, Mapping) else f"#{index + 1}"
        try:
            indicator = Indicator.model_validate(entry)
        except ValidationError as error:
            first = error.errors()[0]
            field = ".".join(str(p) for p in first["loc"])
            message = str(first["msg"]).removeprefix("Value error, ")
            where = f"field {field}: " if field else ""
            raise ConfigError(f"{origin}: indicator '{name}': {where}{message}") from None
        if indicator.id in seen:
            raise ConfigError(f"{origin}: indicator '{indicator.id}' is listed twice")
        seen.add(indicator.id)
        result.append(indicator)
    return result


@dataclass(frozen=True)
class ManualValue:
    """A hand-entered indicator value with its evidence and who entered it when."""

    value: float
    evidence: str
    entered_by: str
    entered_at: str  # ISO 8601, UTC


def scorecard(
    indicators: list[Indicator],
    rates: Mapping[str, Mapping[str, Any]],
    manual: Mapping[str, ManualValue],
    *,
    period: str,
) -> dict[str, Any]:
    """Each indicator's value, status and points for `period`, and the totals.

    `rates` maps rate ids to their JSON form (Rate.as_dict()); `manual` maps indicator ids to
    their hand-entered values.
    """
    rows: list[dict[str, Any]] = []
    for indicator in indicators:
        entry: dict[str, Any] = {
            "id": indicator.id,
            "name": indicator.name_zh,
            "source": indicator.source,
            "unit": indicator.unit,
            "target": indicator.target,
            "basic": indicator.basic,
            "confirmed": indicator.confirmed,
        }
        value: float | None
        if indicator.is_manual:
            hand = manual.get(indicator.id)
            value = None if hand is None else hand.value
            entry["entered"] = None if hand is None else vars(hand)
        else:
            rate = rates.get(indicator.source, {})
            value = rate.get("rate")
            entry.update(numerator=rate.get("numerator"), denominator=rate.get("denominator"))
            entry["failing"] = rate.get("failing", [])
        status = indicator.status_of(value)
        entry.update(value=value, status=status, points=indicator.points_for(status), max_points=indicator.points)
        rows.append(entry)
    counts = {status: sum(1 for r in rows if r["status"] == status) for status in STATUSES}
    total = round(sum(r["points"] for r in rows), 2)
    maximum = round(sum(r["max_points"] for r in rows), 2)
    summary = f"{counts['达标']} 达标, {counts['基本达标']} 基本达标, {counts['不达标']} 不达标"
    if counts["无数据"]:
        summary += f", {counts['无数据']} 无数据"
    summary += f", {_number(total)} 分"
    return {
        "period": period,
        "indicators": rows,
        "counts": counts,
        "points": total,
        "max_points": maximum,
        "summary": summary,
    }


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
