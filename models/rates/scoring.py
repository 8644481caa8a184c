"""Scoring schemes of an indicator system: how a status (or a shortfall) becomes points.

Assessments are written in one of two ways, and an indicator system (config/indicators.yaml,
``scheme:``) names the one it uses:

* ``points`` — each indicator carries its points; 达标 earns them all, 基本达标 a share (or the
  indicator's own ``basic_points``), 不达标 a share too where the assessment gives partial credit
  (``fail_share`` / ``fail_points``); the total is the sum.
* ``deduction`` (扣分) — the system starts from a full score and each indicator not 达标 takes
  points off: a fixed deduction per status, or so much per unit short of the target with a cap.

Basic conditions (基本条件) are not scored: one not met vetoes the title whatever the points
(stage-6 model-city rules, standards digest §6.1: the conditions come before the indicators).
None of the numbers are national values (digest §6.1: the public texts give pass/fail targets
only), so every number is configuration.
"""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Status = Literal["达标", "基本达标", "不达标", "无数据"]
STATUSES: tuple[Status, ...] = ("达标", "基本达标", "不达标", "无数据")
EnteredStatus = Literal["达标", "基本达标", "不达标"]
SchemeKind = Literal["points", "deduction"]


class Scheme(BaseModel):
    """The scoring scheme of one indicator system."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: SchemeKind = "points"
    name: str | None = None  # how the assessment calls it, shown on the scorecard
    # points: share of an indicator's points for 基本达标 / 不达标 (an indicator's own values win)
    basic_share: float = Field(default=0.5, ge=0, le=1)
    fail_share: float = Field(default=0.0, ge=0, le=1)
    # deduction: the full score and the deduction per status (无数据 counts as 不达标 unless given)
    full_score: float = Field(default=100.0, gt=0)
    deduct: dict[Status, float] = Field(default_factory=dict)
    note: str | None = None  # e.g. that the weights are an illustration

    @model_validator(mode="after")
    def _consistent(self) -> "Scheme":
        if self.kind == "points" and self.deduct:
            raise ValueError("deduct applies to scheme kind 'deduction', not 'points'")
        if any(v < 0 for v in self.deduct.values()):
            raise ValueError("a deduction is a positive number of points")
        if self.deduct.get("达标", 0) != 0:
            raise ValueError("达标 deducts nothing")
        return self

    def status_deduction(self, status: Status) -> float:
        """The scheme's deduction for `status` (deduction schemes)."""
        if status == "无数据" and "无数据" not in self.deduct:
            return self.deduct.get("不达标", 0.0)
        return self.deduct.get(status, 0.0)

    def describe(self) -> str:
        """One line saying how the numbers are made, for the scorecard."""
        if self.kind == "points":
            return (
                f"得分制: 达标得满分, 基本达标得 {self.basic_share:g} 倍, 不达标得 {self.fail_share:g} 倍"
                " (指标另有规定者从其规定)"
            )
        parts = ", ".join(f"{s} 扣 {v:g} 分" for s, v in self.deduct.items() if v)
        return f"扣分制: 满分 {self.full_score:g}, {parts or '不扣分'} (指标另有规定者从其规定)"


def per_unit_deduction(shortfall: float | None, *, per_unit: float, cap: float) -> float:
    """Points off for a value `shortfall` units short of its target: per_unit each, at most cap.

    No value (None) takes the cap: an indicator not shown to be met is scored as far from it.
    """
    if shortfall is None:
        return cap
    return min(cap, per_unit * max(0.0, shortfall))
