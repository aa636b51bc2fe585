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

``SERVICE_ENVELOPE`` is the coarse box the database itself holds every incident to
(a CHECK constraint on ``geo_bco_incident.location``), so that no code path can store
an impossible point (infinite, NaN, a coordinate from another zone or hemisphere);
the exact area test above stays with the import.
"""

from __future__ import annotations

from pathlib import Path

import shapely
from django.conf import settings
from shapely import wkb

from .models import Boundary

NEIGHBOURS = Path(__file__).resolve().parent / "data" / "neighbours_land.geojson"
TERRITORIAL_SEA_M = 12 * 1852.0
#: (west, south, east, north) in WGS84 degrees. The area derived above from the
#: shipped data has the bounds (-89.44, 15.68, -87.57, 18.69); each side is padded by
#: 1 degree (about 110 km: room for an official maritime boundary reaching Lighthouse
#: Reef, Glover's Reef and beyond) and rounded outwards to half a degree.
#: tests/boundaries/test_service_area.py checks that it holds the derived area.
SERVICE_ENVELOPE = (-90.5, 14.5, -86.5, 20.0)


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
        import geopandas as gpd  # only here: models import this module for SERVICE_ENVELOPE

        neighbours = shapely.union_all(gpd.read_file(NEIGHBOURS).to_crs(32616).geometry.to_numpy())
        sea = land.buffer(TERRITORIAL_SEA_M).difference(neighbours)
        area = shapely.union(land.buffer(settings.BORDER_TOLERANCE_M), sea)
    shapely.prepare(area)
    return area
