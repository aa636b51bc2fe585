"""The area an incident must fall in to count as "in Belize": land and territorial waters.

If a deployment has loaded an official maritime boundary as boundary set
``maritime`` (any OGR file, ``bco load-boundaries``), that is used as it is. Otherwise
the area is derived from the shipped Natural Earth data:

    (national outline grown by BORDER_TOLERANCE_M)
    united with
    (national outline grown by 12 nautical miles, minus the land of Mexico,
     Guatemala and Honduras)

The first term forgives the 1:10M generalisation of the land border; the second is
the territorial sea (cayes and Turneffe included, Chetumal or Melchor de Mencos not).
Known limit: Lighthouse and Glover's Reef lie beyond 12 nm of the generalised land;
load an official maritime boundary to include them.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import shapely
from django.conf import settings
from shapely import wkb

from .models import Boundary

NEIGHBOURS = Path(__file__).resolve().parent / "data" / "neighbours_land.geojson"
TERRITORIAL_SEA_M = 12 * 1852.0


def _union_utm(slug: str) -> shapely.Geometry | None:
    geoms = [wkb.loads(bytes(g.transform(32616, clone=True).wkb))
             for g in Boundary.objects.filter(boundary_set__slug=slug).values_list("geom", flat=True)]
    return shapely.union_all(geoms) if geoms else None


def belize_area_utm() -> shapely.Geometry:
    """Belize's land and territorial waters in EPSG:32616, prepared for fast point tests."""
    area = _union_utm("maritime")
    if area is None:
        land = _union_utm("country")
        if land is None:
            raise RuntimeError("no national outline loaded: run `bco load-boundaries --belize` first")
        neighbours = shapely.union_all(gpd.read_file(NEIGHBOURS).to_crs(32616).geometry.to_numpy())
        sea = land.buffer(TERRITORIAL_SEA_M).difference(neighbours)
        area = shapely.union(land.buffer(settings.BORDER_TOLERANCE_M), sea)
    shapely.prepare(area)
    return area
