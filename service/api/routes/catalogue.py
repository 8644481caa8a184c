"""Sites, zones, parameters and standards: the configuration the service judges by."""

from typing import Any

from fastapi import APIRouter

from service.api.access import Catalogue, Context
from service.api.pages import Page, PageOf, page
from service.api.problems import NotFound

router = APIRouter(tags=["catalogue"])


def _site(context: Context, site_id: str) -> dict[str, Any]:
    site = context.config.site(site_id)
    body = site.model_dump(mode="json", exclude={"logger"})
    body["logger_mn"] = site.logger.mn if site.logger else None  # never the logger's password
    body["target"] = context.config.target_of(site)
    return body


@router.get("/sites", response_model=Page[dict[str, Any]], summary="Monitoring sites")
def list_sites(context: Context, _key: Catalogue, paging: PageOf, kind: str | None = None) -> dict[str, Any]:
    """Sites with their standard, target class and zone; filter by `kind` (plant, section, lake, source)."""
    items = [_site(context, s.id) for s in context.config.sites.values() if kind is None or s.kind == kind]
    return page(items, paging)


@router.get("/sites/{site_id}", summary="One monitoring site")
def get_site(site_id: str, context: Context, _key: Catalogue) -> dict[str, Any]:
    """A site by id or name."""
    return _site(context, site_id)


@router.get("/zones", response_model=Page[dict[str, Any]], summary="Water functional zones")
def list_zones(context: Context, _key: Catalogue, paging: PageOf) -> dict[str, Any]:
    """Zones and their target classes."""
    return page([z.model_dump(mode="json") for z in context.config.zones.values()], paging)


@router.get("/zones/{zone_id}", summary="One water functional zone")
def get_zone(zone_id: str, context: Context, _key: Catalogue) -> dict[str, Any]:
    """A zone by id."""
    zone = context.config.zones.get(zone_id)
    if zone is None:
        raise NotFound(f"unknown zone {zone_id!r}; known: {', '.join(sorted(context.config.zones)) or '(none)'}")
    return zone.model_dump(mode="json")


@router.get("/parameters", response_model=Page[dict[str, Any]], summary="The parameter catalogue")
def list_parameters(context: Context, _key: Catalogue, paging: PageOf) -> dict[str, Any]:
    """Parameters with code, names, unit, aliases and plausible range."""
    return page([p.model_dump(mode="json") for p in context.config.catalogue], paging)


@router.get("/parameters/{name}", summary="One parameter")
def get_parameter(name: str, context: Context, _key: Catalogue) -> dict[str, Any]:
    """A parameter by HJ 212 code, name or alias."""
    return context.config.catalogue[name].model_dump(mode="json")


@router.get("/standards", response_model=Page[dict[str, Any]], summary="Standards")
def list_standards(context: Context, _key: Catalogue, paging: PageOf) -> dict[str, Any]:
    """Standards (without their limit rows; ask for one standard to see them)."""
    items = [
        s.model_dump(mode="json", include={"id", "title_zh", "title_en", "kind", "classes"})
        for s in context.config.standards.values()
    ]
    return page(items, paging)


@router.get("/standards/{standard_id}", summary="One standard with its limits")
def get_standard(standard_id: str, context: Context, _key: Catalogue) -> dict[str, Any]:
    """A standard and every limit row, each citing its table and item."""
    standard = context.config.standards.get(standard_id)
    if standard is None:
        raise NotFound(f"unknown standard {standard_id!r}; known: {', '.join(sorted(context.config.standards))}")
    return standard.model_dump(mode="json")
