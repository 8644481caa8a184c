"""Standards as data: limits per item and class, the conditions they apply under, their source.

A `Standard` is the validated content of one file in config/standards/. `limit_table()` resolves
its conditions for one situation (water body, water temperature, plant build date) into a
`LimitTable`: dense arrays that the classifier compares readings against in one pass.
"""

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from models.errors import ConfigError

Bound = Literal["upper", "lower", "range", "none", "not_detected"]
WaterBody = Literal["river", "lake"]
StandardKind = Literal["surface", "discharge", "groundwater"]


class Condition(BaseModel):
    """When a limit row applies. Every field that is set must hold."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    water_body: WaterBody | None = None
    water_temp_above_c: float | None = None
    water_temp_at_most_c: float | None = None
    built_before: dt.date | None = None
    built_from: dt.date | None = None
    drinking_water_source: bool | None = None

    def holds(self, situation: "Situation") -> bool:
        """Whether this condition holds in `situation` (see Situation for unknown values)."""
        if self.water_body is not None and self.water_body != situation.water_body:
            return False
        temp = situation.water_temp_c
        if self.water_temp_above_c is not None and temp is not None:
            if not temp > self.water_temp_above_c:
                return False
        if self.water_temp_at_most_c is not None and (temp is None or temp > self.water_temp_at_most_c):
            return False
        built = situation.built
        if self.built_before is not None and (built is None or built >= self.built_before):
            return False
        if self.built_from is not None and built is not None and built < self.built_from:
            return False
        if self.drinking_water_source is not None and self.drinking_water_source != situation.drinking_water_source:
            return False
        return True


@dataclass(frozen=True)
class Situation:
    """The facts that select among conditional limits.

    Unknown facts select the stricter row: an unknown water temperature takes the > 12 °C NH3-N
    limits of GB 18918, an unknown build date the limits for plants built from 2006-01-01.
    ``drinking_water_source`` selects the rows that apply at centralized drinking-water sources
    only (GB 3838-2002 Tables 2 and 3, §3 and §5 of the standard).
    """

    water_body: WaterBody = "river"
    water_temp_c: float | None = None
    built: dt.date | None = None
    drinking_water_source: bool = False


LimitValue = float | tuple[float, float]


class LimitRow(BaseModel):
    """One row of a standard's table: an item's limits by class, with its source clause."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str
    source: str
    bound: Bound
    graded: bool = True
    values: dict[str, LimitValue] = Field(default_factory=dict)
    limit: float | None = None
    when: Condition = Condition()
    note: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> "LimitRow":
        if self.bound in ("none", "not_detected"):
            return self
        if self.graded and not self.values:
            raise ValueError("a graded limit needs 'values' by class")
        if not self.graded and self.limit is None:
            raise ValueError("an ungraded limit needs 'limit'")
        for klass, value in self.values.items():
            is_range = isinstance(value, tuple)
            if is_range != (self.bound == "range"):
                raise ValueError(f"class {klass}: bound '{self.bound}' does not fit value {value!r}")
        return self


class Evaluation(BaseModel):
    """Evaluation-method rules attached to a standard (which items count, which rank first)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    reference_only: tuple[str, ...] = ()
    no_exceedance_multiple: tuple[str, ...] = ()
    priority_pollutants: tuple[str, ...] = ()


class Standard(BaseModel):
    """A standard file from config/standards/."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    title_zh: str
    title_en: str
    kind: StandardKind
    classes: tuple[str, ...]
    worse_than_last: str | None = None
    evaluation: Evaluation = Evaluation()
    limits: tuple[LimitRow, ...]

    @model_validator(mode="after")
    def _classes_known(self) -> "Standard":
        for row in self.limits:
            unknown = set(row.values) - set(self.classes)
            if unknown:
                raise ValueError(
                    f"item {row.code} ({row.source}): class {sorted(unknown)[0]!r} is not one of "
                    f"{', '.join(self.classes)}"
                )
        return self

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], *, origin: str) -> "Standard":
        """Validate parsed file content; errors name `origin`, the item and the field."""
        try:
            return cls.model_validate(data)
        except ValueError as error:
            raise ConfigError(f"{origin}: {_describe(error, data)}") from None

    @property
    def codes(self) -> list[str]:
        """Every item code the standard lists, in table order, once each."""
        return list(dict.fromkeys(row.code for row in self.limits))

    def class_index(self, klass: str) -> int:
        """Position of `klass` in the class list; ValueError naming the allowed classes."""
        try:
            return self.classes.index(klass)
        except ValueError:
            allowed = ", ".join(self.classes)
            raise ValueError(f"class {klass!r} is not one of {allowed} ({self.id})") from None

    def class_name(self, index: int) -> str | None:
        """Name of a class index as produced by the classifier (len(classes) = worse than last)."""
        if 0 <= index < len(self.classes):
            return self.classes[index]
        if index == len(self.classes):
            return self.worse_than_last
        return None

    def limit_table(self, situation: Situation = Situation()) -> "LimitTable":
        """Dense limit arrays for the rows that apply in `situation`."""
        rows: dict[str, LimitRow] = {}
        for row in self.limits:
            if not row.when.holds(situation):
                continue
            if row.code in rows:
                raise ConfigError(
                    f"{self.id}: item {row.code} has two rows that apply to {situation}: "
                    f"{rows[row.code].source!r} and {row.source!r}"
                )
            rows[row.code] = row
        return LimitTable.from_rows(self, list(rows.values()))


@dataclass(frozen=True)
class LimitTable:
    """Limits of one standard in one situation, as arrays indexed [item, class].

    `low` and `high` bound the values that meet each class (-inf / +inf where open). An item that
    has no limit for a class (a "—" in the table, e.g. GB 18918-2002 Table 1 total nitrogen for
    classes 2 and 3) has NaN there: the item is not judged at that class (`has_limit` is False),
    and every value passes that class when a class is looked for.
    """

    standard: Standard
    codes: pd.Index
    bound: np.ndarray  # (items,) of Bound strings
    graded: np.ndarray  # (items,) bool
    low: np.ndarray  # (items, classes) float
    high: np.ndarray  # (items, classes) float
    sources: tuple[str, ...]
    reference_only: np.ndarray  # (items,) bool: reported, not used for the sample's class
    has_multiple: np.ndarray  # (items,) bool: an exceedance multiple is defined
    priority: np.ndarray  # (items,) bool: listed first among main pollutants when exceeding

    @classmethod
    def from_rows(cls, standard: Standard, rows: list[LimitRow]) -> "LimitTable":
        n_classes = len(standard.classes)
        low = np.full((len(rows), n_classes), -np.inf)
        high = np.full((len(rows), n_classes), np.inf)
        for i, row in enumerate(rows):
            if row.bound in ("none", "not_detected"):
                continue
            if not row.graded:
                assert row.limit is not None
                high[i, :] = row.limit
                continue
            for j, klass in enumerate(standard.classes):
                value = row.values.get(klass)
                if value is None:
                    low[i, j] = high[i, j] = np.nan
                elif isinstance(value, tuple):
                    low[i, j], high[i, j] = value
                elif row.bound == "lower":
                    low[i, j] = value
                else:
                    high[i, j] = value
        rules = standard.evaluation
        codes = [row.code for row in rows]
        return cls(
            standard=standard,
            codes=pd.Index(codes, dtype="string"),
            bound=np.array([row.bound for row in rows], dtype=object),
            graded=np.array([row.graded for row in rows], dtype=bool),
            low=low,
            high=high,
            sources=tuple(f"{standard.id} {row.source}" for row in rows),
            reference_only=np.isin(codes, rules.reference_only),
            has_multiple=np.array(
                [row.bound == "upper" and row.code not in rules.no_exceedance_multiple for row in rows]
            ),
            priority=np.isin(codes, rules.priority_pollutants),
        )

    @property
    def has_limit(self) -> np.ndarray:
        """(items, classes) bool: the standard sets a limit for the item at the class."""
        return ~(np.isnan(self.low) | np.isnan(self.high))

    def row_of(self, codes: pd.Series | pd.Categorical | np.ndarray) -> np.ndarray:
        """Row index of each code in this table, -1 where the standard has no limit for it.

        Categorical codes are looked up once per category, which is what makes millions cheap.
        """
        if isinstance(codes, pd.Series) and isinstance(codes.dtype, pd.CategoricalDtype):
            codes = codes.array
        if isinstance(codes, pd.Categorical):
            per_category = self.codes.get_indexer(pd.Index(codes.categories.astype(str), dtype="string"))
            return np.where(codes.codes >= 0, np.append(per_category, -1)[codes.codes], -1)
        return self.codes.get_indexer(pd.Index(codes, dtype="string"))


def _describe(error: ValueError, data: Mapping[str, Any]) -> str:
    """Turn a pydantic error into 'item <code>, field <name>: <problem>'."""
    from pydantic import ValidationError

    if not isinstance(error, ValidationError):
        return str(error)
    first = error.errors()[0]
    location = list(first["loc"])
    where = ".".join(str(part) for part in location)
    if len(location) >= 2 and location[0] == "limits" and isinstance(location[1], int):
        limits = data.get("limits") or []
        index = location[1]
        code = limits[index].get("code") if index < len(limits) and isinstance(limits[index], dict) else None
        field = ".".join(str(part) for part in location[2:]) or "entry"
        where = f"limits[{index}] (item {code}), field {field}"
    return f"{where}: {first['msg']}"
