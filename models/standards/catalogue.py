"""The parameter catalogue: canonical HJ 212 codes, names, units and aliases."""

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from models.errors import ConfigError, UnknownParameterError
from models.standards.units import conversion_factor, normalize_unit


class Parameter(BaseModel):
    """One measured item."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str
    zh: str
    en: str
    unit: str
    wire: dict[str, str] = Field(default_factory=dict)
    aliases: tuple[str, ...] = ()
    decimals: int | None = None  # digits an evaluation value keeps (环办监测函〔2020〕82号)
    reading_decimals: int | None = None  # digits a single reading is shown with, where finer than `decimals`
    plausible: tuple[float, float] | None = None
    amount_unit: str | None = None

    @field_validator("unit")
    @classmethod
    def _known_unit(cls, unit: str) -> str:
        return normalize_unit(unit)

    @field_validator("wire")
    @classmethod
    def _known_wire_units(cls, wire: dict[str, str]) -> dict[str, str]:
        return {code: normalize_unit(unit) for code, unit in wire.items()}

    @property
    def shown_decimals(self) -> int | None:
        """Digits a single reading is shown with (pH: 2, though evaluation keeps it as an integer)."""
        return self.reading_decimals if self.reading_decimals is not None else self.decimals

    def name(self, lang: str = "zh") -> str:
        """The display name in `lang` ("zh" or "en")."""
        return self.zh if lang == "zh" else self.en


class Catalogue:
    """All known parameters, looked up by canonical code, wire code, name or alias."""

    def __init__(self, parameters: Iterable[Parameter]) -> None:
        self._by_code: dict[str, Parameter] = {}
        self._lookup: dict[str, str] = {}
        for parameter in parameters:
            if parameter.code in self._by_code:
                raise ValueError(f"parameter {parameter.code!r} is listed twice")
            self._by_code[parameter.code] = parameter
        for parameter in self._by_code.values():
            names = (parameter.code, parameter.zh, parameter.en, *parameter.wire, *parameter.aliases)
            for name in names:
                key = _fold(name)
                other = self._lookup.get(key)
                if other is not None and other != parameter.code:
                    raise ValueError(f"name {name!r} of parameter {parameter.code!r} already means {other!r}")
                self._lookup[key] = parameter.code

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> "Catalogue":
        """Build from the parsed content of config/parameters.yaml; errors name the entry and field."""
        parameters = []
        for index, entry in enumerate(data.get("parameters") or []):
            try:
                parameters.append(Parameter.model_validate(entry))
            except ValidationError as error:
                first = error.errors()[0]
                field = ".".join(str(p) for p in first["loc"]) or "entry"
                code = entry.get("code", f"#{index + 1}") if isinstance(entry, Mapping) else f"#{index + 1}"
                raise ConfigError(f"parameter {code!r}: field {field}: {first['msg']}") from None
        return cls(parameters)

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and code in self._by_code

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._by_code.values())

    def __len__(self) -> int:
        return len(self._by_code)

    def __getitem__(self, code: str) -> Parameter:
        """The parameter for a canonical code, wire code, name or alias."""
        return self._by_code[self.resolve(code)]

    def resolve(self, name: str) -> str:
        """The canonical code for any code, name or alias; UnknownParameterError if none."""
        code = self._lookup.get(_fold(name))
        if code is None:
            raise UnknownParameterError(
                f"unknown parameter {name!r}; use an HJ 212 code (e.g. w01018), "
                "a Chinese or English name, or an alias listed in config/parameters.yaml"
            )
        return code

    def find(self, name: str) -> str | None:
        """The canonical code for `name`, or None when it is not known."""
        return self._lookup.get(_fold(name))

    def resolve_many(self, names: pd.Series) -> pd.Series:
        """Canonical codes for a column of names (vectorised over unique values); NA where unknown."""
        unique = pd.unique(names.dropna())
        mapping = {name: self._lookup.get(_fold(str(name))) for name in unique}
        return names.map(mapping).astype("string")

    def wire_factor(self, wire_code: str, unit: str | None = None) -> tuple[str, float]:
        """(canonical code, factor to the catalogue unit) for an HJ 212 code on the wire.

        The wire unit is `unit` when given (a logger's own, sites.yaml `logger.units`), else the
        unit HJ 212-2017 Table B.1 gives the code (`wire` in config/parameters.yaml).
        """
        code = self.resolve(wire_code)
        parameter = self._by_code[code]
        wire_unit = unit or parameter.wire.get(wire_code, parameter.unit)
        return code, conversion_factor(wire_unit, parameter.unit)

    def plausible_range(self, code: str) -> tuple[float, float]:
        """(low, high) plausible range of `code` in the catalogue unit; (0, inf) where none is given."""
        parameter = self._by_code.get(code)
        return (parameter.plausible if parameter is not None else None) or (0.0, np.inf)

    def to_catalogue_unit(self, code: str, values: np.ndarray, unit: str) -> np.ndarray:
        """`values` given in `unit`, converted to the catalogue unit of `code`."""
        return values * conversion_factor(unit, self[code].unit)

    def plausible_bounds(self, codes: pd.Series) -> tuple[np.ndarray, np.ndarray]:
        """(low, high) plausible range per code, in the catalogue unit.

        Where the catalogue gives no range a value only has to be non-negative (0, inf): every
        item wqmon stores is a concentration, count, depth or temperature in °C whose range is
        given. Unknown codes get (0, inf) too.
        """
        ranges = {code: self.plausible_range(code) for code in self._by_code}
        low = codes.map({k: v[0] for k, v in ranges.items()}).astype(float).fillna(0.0).to_numpy()
        high = codes.map({k: v[1] for k, v in ranges.items()}).astype(float).fillna(np.inf).to_numpy()
        return low, high

    def table(self) -> pd.DataFrame:
        """The catalogue as a frame indexed by code (for listings and the API)."""
        return pd.DataFrame([p.model_dump() for p in self._by_code.values()]).set_index("code", drop=False)


def _fold(name: str) -> str:
    return name.strip().lower().replace(" ", "").replace("（", "(").replace("）", ")")
