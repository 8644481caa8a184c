"""Monitoring sites and water functional zones (config/sites.yaml, config/zones.yaml)."""

import datetime as dt
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from models.standards.limits import WaterBody
from models.standards.units import normalize_unit

SiteKind = Literal["plant", "section", "lake", "source"]
SITE_KIND_NAMES: dict[str, str] = {
    "plant": "污水处理厂出水",
    "section": "河流断面",
    "lake": "湖库点位",
    "source": "集中式饮用水水源地",
}
BoundaryRole = Literal["outgoing", "incoming"]
_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
# How often a site's manual (lab) samples are taken: one sample of each item per period.
SamplingPlan = Literal["monthly", "bimonthly", "quarterly", "semiannual", "annual"]
SAMPLING_MONTHS: dict[str, int] = {"monthly": 1, "bimonthly": 2, "quarterly": 3, "semiannual": 6, "annual": 12}


class Zone(BaseModel):
    """A water functional zone (水功能区) and the class its water must meet."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^\S+$")
    name: str
    target: str
    water_body: WaterBody = "river"


class Logger(BaseModel):
    """An HJ 212 data logger (数采仪) that reports for a site."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    mn: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=64)
    # The unit this logger really sends a wire code in, where it differs from HJ 212-2017 Table B.1
    # (e.g. {w20120: mg/L} for a station whose lead arrives in mg/L, not the table's µg/L).
    units: dict[str, str] = Field(default_factory=dict)

    @field_validator("units")
    @classmethod
    def _known_units(cls, units: dict[str, str]) -> dict[str, str]:
        return {code: normalize_unit(unit) for code, unit in units.items()}

    interval_minutes: int | None = Field(default=None, gt=0)  # how often it reports; else the site's interval


class Site(BaseModel):
    """A monitoring site and the standard, class and situation it is judged by."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^\S+$")
    name: str
    kind: SiteKind
    standard: str
    target: str | None = None  # class to meet; sections/lakes default to their zone's target
    zone: str | None = None
    water_body: WaterBody | None = None
    boundary: BoundaryRole | None = None  # cross-boundary section role (跨界断面)
    built: dt.date | None = None  # plant construction date (GB 18918 表1 第9项)
    withdrawal_m3_per_year: float | None = Field(default=None, ge=0)
    # Water drawn in each month ("2026-03": 1.2e6), where the bureau has it; other months take 1/12
    # of the yearly volume.
    withdrawal_m3_by_month: dict[str, float] | None = None
    items: tuple[str, ...] = ()  # items monitored (codes or names); a source must have them all each month
    logger: Logger | None = None
    expected_interval_minutes: int | None = Field(default=None, gt=0)
    river: str | None = None  # river (河流) the site is on: river ratings (环办〔2011〕22号)
    basin: str | None = None  # basin or water system (流域/水系): basin ratings
    lake: str | None = None  # lake or reservoir (湖库) of a lake point: its points are judged averaged
    # (longitude, latitude) in degrees, WGS 84 as a GPS reads it: where the map of sites draws it
    location: tuple[float, float] | None = None

    @field_validator("location")
    @classmethod
    def _on_earth(cls, location: tuple[float, float] | None) -> tuple[float, float] | None:
        if location is not None and not (-180 <= location[0] <= 180 and -90 <= location[1] <= 90):
            raise ValueError(f"location {list(location)} is not [longitude, latitude] in degrees")
        return location

    @field_validator("withdrawal_m3_by_month")
    @classmethod
    def _months(cls, value: dict[str, float] | None) -> dict[str, float] | None:
        for month, volume in (value or {}).items():
            if not _MONTH.fullmatch(month):
                raise ValueError(f"month {month!r} is not YYYY-MM")
            if volume < 0:
                raise ValueError(f"month {month}: volume {volume} is negative")
        return value

    sampling: SamplingPlan | None = None  # lab sampling plan; else config/alerts.yaml sample_overdue.plans

    @model_validator(mode="after")
    def _fits_kind(self) -> "Site":
        if self.kind == "plant" and self.target is None:
            raise ValueError("a plant needs 'target': its GB 18918 class (1A, 1B, 2 or 3)")
        if self.kind == "source" and self.withdrawal_m3_per_year is None:
            raise ValueError("a drinking-water source needs 'withdrawal_m3_per_year'")
        if self.boundary is not None and self.kind != "section":
            raise ValueError("only a river section can have a cross-boundary 'boundary' role")
        return self

    @property
    def effective_water_body(self) -> WaterBody:
        """Lake points and sources on lakes are judged with lake/reservoir limits."""
        if self.water_body is not None:
            return self.water_body
        return "lake" if self.kind == "lake" else "river"
