"""The map of sites: an SVG drawn by the service from the sites' locations, with no tile server.

A bureau's intranet reaches no map service, so the map is the county's own data: each site at its
`location` (sites.yaml, longitude and latitude), coloured by its class, over the county outline and
rivers of an optional `map.geojson` in the configuration folder (Polygon and MultiPolygon features
are outlines, LineString and MultiLineString features rivers, as any GIS exports them). The
projection is equirectangular with longitudes shortened by the cosine of the middle latitude,
which is true to a few per mille across a county.
"""

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

from models.configuration import Configuration
from models.errors import ConfigError
from models.methods.ratings import CLASS_COLOURS

WIDTH: Final = 800  # SVG units; the page scales it to the screen
MARGIN: Final = 40
GEOJSON_FILE: Final = "map.geojson"
Point = tuple[float, float]


def load_geojson(folder: Path) -> dict[str, Any] | None:
    """The county's outline and rivers (`folder`/map.geojson), or None when there is none."""
    path = folder / GEOJSON_FILE
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ConfigError(f"{path}: not GeoJSON ({error}); export the outline and rivers as GeoJSON") from None
    if not isinstance(data, dict) or data.get("type") not in ("FeatureCollection", "Feature"):
        raise ConfigError(f"{path}: a GeoJSON FeatureCollection or Feature is expected")
    return data


def site_map(
    config: Configuration, classes: Mapping[str, str | None], geojson: Mapping[str, Any] | None
) -> dict[str, Any]:
    """What the map page draws: the SVG size, outline and river paths, and each located site with its
    position, class and colour; sites without a location are listed as not placed."""
    outlines, rivers = _shapes(geojson)
    located = [site for site in config.sites.values() if site.location is not None]
    points = [p for shape in (*outlines, *rivers) for ring in shape for p in ring]
    points += [site.location for site in located if site.location is not None]
    if not points:
        return {"width": WIDTH, "height": WIDTH // 2, "outlines": [], "rivers": [], "sites": [], "unplaced": []}
    project, height = _projection(points)
    sites = []
    for site in located:
        assert site.location is not None
        x, y = project(site.location)
        name = classes.get(site.id)
        sites.append(
            {
                "site": site,
                "x": round(x, 1),
                "y": round(y, 1),
                "class": name,
                "colour": CLASS_COLOURS[name]["hex"] if name in CLASS_COLOURS else "#9e9e9e",
            }
        )
    return {
        "width": WIDTH,
        "height": height,
        "outlines": [_path(shape, project, closed=True) for shape in outlines],
        "rivers": [_path(shape, project, closed=False) for shape in rivers],
        "sites": sites,
        "unplaced": [site for site in config.sites.values() if site.location is None],
    }


def _shapes(geojson: Mapping[str, Any] | None) -> tuple[list[list[list[Point]]], list[list[list[Point]]]]:
    """Outlines (lists of rings) and rivers (lists of lines) of the features."""
    outlines: list[list[list[Point]]] = []
    rivers: list[list[list[Point]]] = []
    if geojson is None:
        return outlines, rivers
    features = geojson["features"] if geojson.get("type") == "FeatureCollection" else [geojson]
    for feature in features:
        geometry = (feature or {}).get("geometry") or {}
        kind, coordinates = geometry.get("type"), geometry.get("coordinates") or []
        if kind == "Polygon":
            outlines.append(_lines(coordinates))
        elif kind == "MultiPolygon":
            outlines.extend(_lines(polygon) for polygon in coordinates)
        elif kind == "LineString":
            rivers.append(_lines([coordinates]))
        elif kind == "MultiLineString":
            rivers.append(_lines(coordinates))
    return outlines, rivers


def _lines(rings: Iterable[Iterable[Sequence[float]]]) -> list[list[Point]]:
    return [[(float(p[0]), float(p[1])) for p in ring] for ring in rings]


def _projection(points: list[Point]) -> tuple[Any, int]:
    """A function from (longitude, latitude) to SVG (x, y) fitting `points`, and the SVG height."""
    west, east = min(p[0] for p in points), max(p[0] for p in points)
    south, north = min(p[1] for p in points), max(p[1] for p in points)
    shrink = math.cos(math.radians((south + north) / 2))
    span_x, span_y = max((east - west) * shrink, 1e-6), max(north - south, 1e-6)
    scale = (WIDTH - 2 * MARGIN) / max(span_x, span_y)
    height = int(round(span_y * scale + 2 * MARGIN))

    def project(point: Point) -> Point:
        return MARGIN + (point[0] - west) * shrink * scale, MARGIN + (north - point[1]) * scale

    return project, height


def _path(shape: list[list[Point]], project: Any, *, closed: bool) -> str:
    parts = []
    for ring in shape:
        xy = [project(p) for p in ring]
        if xy:
            parts.append("M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in xy) + (" Z" if closed else ""))
    return " ".join(parts)
