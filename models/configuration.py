"""The configuration a bureau edits: catalogue, standards, zones and sites, validated together.

`Configuration.load(folder)` is the one place that reads config files. A folder may hold only
the files a bureau changes (sites.yaml, zones.yaml, extra standards); the catalogue and the
national standards shipped with wqmon fill in the rest.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from models.errors import ConfigError, UnknownSiteError
from models.sites import Site, Zone
from models.standards.catalogue import Catalogue
from models.standards.limits import Situation, Standard

BUILTIN_CONFIG = Path(__file__).resolve().parents[1] / "config"


@dataclass(frozen=True)
class Configuration:
    """Validated configuration; cross-references between files are checked on construction."""

    catalogue: Catalogue
    standards: dict[str, Standard]
    zones: dict[str, Zone] = field(default_factory=dict)
    sites: dict[str, Site] = field(default_factory=dict)
    folder: Path = BUILTIN_CONFIG

    def __post_init__(self) -> None:
        for standard in self.standards.values():
            for code in standard.codes:
                if code not in self.catalogue:
                    raise ConfigError(f"standard {standard.id}: item {code!r} is not in the parameter catalogue")
        for zone in self.zones.values():
            self._check_class(f"zones.yaml: zone '{zone.id}'", "GB3838-2002", zone.target)
        seen_mn: dict[str, str] = {}
        for site in self.sites.values():
            where = f"sites.yaml: site '{site.id}'"
            if site.standard not in self.standards:
                known = ", ".join(sorted(self.standards))
                raise ConfigError(f"{where}: standard {site.standard!r} is not one of {known}")
            if site.zone is not None and site.zone not in self.zones:
                raise ConfigError(f"{where}: zone {site.zone!r} is not in zones.yaml")
            if self.target_of(site) is None:
                raise ConfigError(f"{where}: no target class; set 'target' or a 'zone' that has one")
            self._check_class(where, site.standard, self.target_of(site))
            unknown = [item for item in site.items if self.catalogue.find(item) is None]
            if unknown:
                raise ConfigError(
                    f"{where}: item {unknown[0]!r} is not in the parameter catalogue (a code such as w21011, "
                    "a Chinese or English name, or an alias of config/parameters.yaml)"
                )
            if site.logger is not None:
                other = seen_mn.get(site.logger.mn)
                if other is not None:
                    raise ConfigError(f"{where}: logger MN {site.logger.mn!r} is already used by site '{other}'")
                seen_mn[site.logger.mn] = site.id

    def _check_class(self, where: str, standard_id: str, klass: str | None) -> None:
        standard = self.standards[standard_id]
        if klass is not None and klass not in standard.classes:
            allowed = ", ".join(standard.classes)
            raise ConfigError(f"{where}: class {klass!r} is not one of {allowed} ({standard_id})")

    @classmethod
    def load(cls, folder: Path | str | None = None) -> "Configuration":
        """Read and validate the configuration in `folder` (default: the one shipped with wqmon)."""
        folder = Path(folder) if folder is not None else BUILTIN_CONFIG
        if not folder.is_dir():
            raise ConfigError(f"configuration folder {folder} does not exist")
        parameters_file = _first_existing(folder / "parameters.yaml", BUILTIN_CONFIG / "parameters.yaml")
        try:
            catalogue = Catalogue.from_mapping(read_config_file(parameters_file))
        except (ValidationError, ValueError, KeyError) as error:
            raise ConfigError(f"{parameters_file}: {error}") from None
        standards: dict[str, Standard] = {}
        for path in _standard_files(folder):
            standard = Standard.from_mapping(read_config_file(path), origin=str(path))
            standards[standard.id] = standard  # a bureau's file of the same id replaces ours
        zones = _load_entries(folder / "zones.yaml", "zones", Zone)
        sites = _load_entries(folder / "sites.yaml", "sites", Site)
        return cls(catalogue=catalogue, standards=standards, zones=zones, sites=sites, folder=folder)

    def site(self, key: str) -> Site:
        """A site by id or name; UnknownSiteError listing how to find the ids."""
        site = self.sites.get(key)
        if site is None:
            site = next((s for s in self.sites.values() if s.name == key), None)
        if site is None:
            raise UnknownSiteError(f"unknown site {key!r}; sites are listed in {self.folder / 'sites.yaml'}")
        return site

    def site_by_mn(self, mn: str) -> Site | None:
        """The site whose HJ 212 logger has this MN, if any."""
        return next((s for s in self.sites.values() if s.logger is not None and s.logger.mn == mn), None)

    def target_of(self, site: Site) -> str | None:
        """The class a site must meet: its own target, else its zone's; a drinking-water source with
        neither is held to class III, the class its compliance is judged by (standards digest §6.3)."""
        if site.target is not None:
            return site.target
        if site.zone is not None and site.zone in self.zones:
            return self.zones[site.zone].target
        if site.kind == "source" and site.standard in self.standards and "III" in self.standards[site.standard].classes:
            return "III"
        return None

    def items_of(self, site: Site) -> list[str]:
        """Canonical codes of the items a site monitors (config 'items'), in the order given."""
        return [self.catalogue.resolve(item) for item in site.items]

    def situation_of(self, site: Site, *, water_temp_c: float | None = None) -> Situation:
        """The facts that select a site's conditional limits."""
        return Situation(
            water_body=site.effective_water_body,
            water_temp_c=water_temp_c,
            built=site.built,
            drinking_water_source=site.kind == "source",
        )


def read_config_file(path: Path, *, allow_empty: bool = False) -> Mapping[str, Any]:
    """The mapping in a YAML config file; ConfigError naming the file when it is not one.

    With `allow_empty`, an empty file is an empty mapping (files whose every key is optional).
    """
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise ConfigError(f"{path}: not valid YAML: {error}") from None
    if data is None and allow_empty:
        return {}
    if not isinstance(data, Mapping):
        raise ConfigError(f"{path}: expected a mapping at the top level")
    return data


def _first_existing(*paths: Path) -> Path:
    return next(p for p in paths if p.exists())


def _standard_files(folder: Path) -> list[Path]:
    files = {p.name: p for p in sorted((BUILTIN_CONFIG / "standards").glob("*.yaml"))}
    files.update({p.name: p for p in sorted((folder / "standards").glob("*.yaml"))})
    return list(files.values())


def _load_entries(path: Path, key: str, model: type[Zone] | type[Site]) -> dict[str, Any]:
    if not path.exists():
        return {}
    data = read_config_file(path)
    entries: dict[str, Any] = {}
    for index, entry in enumerate(data.get(key) or []):
        name = entry.get("id", f"#{index + 1}") if isinstance(entry, Mapping) else f"#{index + 1}"
        try:
            item = model.model_validate(entry)
        except ValidationError as error:
            first = error.errors()[0]
            loc = ".".join(str(p) for p in first["loc"]) or "entry"
            raise ConfigError(f"{path}: {key[:-1]} '{name}': field {loc}: {first['msg']}") from None
        if item.id in entries:
            raise ConfigError(f"{path}: {key[:-1]} '{item.id}' is listed twice")
        entries[item.id] = item
    return entries
