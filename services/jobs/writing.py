"""Bulk I/O shared by the jobs: a layer is written with one COPY, and boundary
polygons are read with one query, never row by row through the ORM."""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import shapely
from django.db import connection

from geo_bco.models import AnalysisRun


def _text(value) -> str | None:
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return None
    if isinstance(value, (bool, np.bool_)):
        return "t" if value else "f"
    return str(value)


def copy_layer(model, run: AnalysisRun, columns: Mapping[str, np.ndarray | list], geometry: np.ndarray,
               *, crs: int = 32616) -> int:
    """Write one row per geometry into ``model``'s table with a single COPY.

    ``geometry`` is an array of shapely geometries in ``crs`` (UTM by default); it
    is stored as EPSG:4326 EWKB. Non-finite floats become NULL. Returns the row count.
    """
    geoms = np.asarray(geometry, dtype=object)
    if geoms.size == 0:
        return 0
    wgs84 = gpd.GeoSeries(geoms, crs=crs).to_crs(4326).to_numpy()
    field = model._meta.get_field("geom")
    if field.geom_type == "MULTIPOLYGON":
        wgs84 = np.array([g if g.geom_type == "MultiPolygon" else shapely.MultiPolygon([g]) for g in wgs84], dtype=object)
    ewkb = shapely.to_wkb(shapely.set_srid(wgs84, 4326), hex=True, include_srid=True)
    names = ["run_id", *columns, "geom"]
    data = [np.full(geoms.size, run.pk), *(np.asarray(v, dtype=object) for v in columns.values()), ewkb]
    with connection.cursor() as cur:
        raw = cur.cursor  # the psycopg 3 cursor: COPY streams rows without building SQL
        quoted = ", ".join(connection.ops.quote_name(n) for n in names)
        with raw.copy(f"COPY {model._meta.db_table} ({quoted}) FROM STDIN") as copy:
            for row in zip(*data):
                copy.write_row([_text(v) for v in row])
    return int(geoms.size)


def boundary_frame(set_slug: str) -> gpd.GeoDataFrame:
    """A boundary set's polygons in EPSG:32616: id, code, name, geometry (one query)."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT b.id, b.code, b.name, ST_AsBinary(ST_Transform(b.geom, 32616)) FROM boundaries_boundary b "
            "JOIN boundaries_boundaryset s ON s.id = b.boundary_set_id WHERE s.slug = %s ORDER BY b.code",
            [set_slug],
        )
        rows = cur.fetchall()
    if not rows:
        raise ValueError(f"boundary set {set_slug!r} has no polygons; load it with `bco load-boundaries`")
    ids, codes, names, wkbs = zip(*rows)
    return gpd.GeoDataFrame({"id": ids, "code": codes, "name": names},
                            geometry=shapely.from_wkb([bytes(w) for w in wkbs]), crs=32616)
