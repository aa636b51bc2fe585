"""Spatial and temporal extents of each collection, computed from its data.

A declared extent that does not contain the data makes QGIS zoom to the wrong
place (and fails its checks), so the extent is read from the table itself and
cached with the other public-data figures (``services.public_cache``).
``invalidate()`` is what imports and analysis runs call after they commit.
"""

from __future__ import annotations

import hashlib

from psycopg import sql

from ..public_cache import cached, invalidate
from ..reading import read_connection

__all__ = ["extents", "invalidate"]

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
GREGORIAN = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"


def _measure(table: str, geometry: str, time_field: str | None) -> dict:
    time = sql.Identifier(time_field) if time_field else sql.SQL("NULL::date")
    query = sql.SQL(
        "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e), t0, t1 "
        "FROM (SELECT ST_Extent({geom}) AS e, min({time}) AS t0, max({time}) AS t1 FROM {table}) s"
    ).format(geom=sql.Identifier(geometry), time=time, table=sql.Identifier(table))
    with read_connection().cursor() as cur:
        cur.execute(query.as_string(cur.connection))
        xmin, ymin, xmax, ymax, t0, t1 = cur.fetchone()
    block: dict = {}
    if xmin is not None:
        block["spatial"] = {"bbox": [xmin, ymin, xmax, ymax], "crs": CRS84}
    if t0 is not None:
        block["temporal"] = {"begin": t0.isoformat(), "end": t1.isoformat(), "trs": GREGORIAN}
    return block


def extents(providers: dict[str, dict]) -> dict[str, dict]:
    """pygeoapi's ``extents`` block of each collection (empty when its table holds no
    rows), from its provider's table, geometry and time fields.

    One cache entry for them all: every OGC request needs the extents of every
    collection (pygeoapi builds its API object from the whole configuration), and one
    cache read per collection was a third of an items page's time.
    """
    tables = ",".join(sorted(f"{cid}={p['table']}" for cid, p in providers.items()))
    key = "ogc-extents:" + hashlib.sha1(tables.encode()).hexdigest()  # a key has at most 250 characters
    return cached(key, lambda: {
        cid: _measure(p["table"], p.get("geom_field", "geom"), p.get("time_field")) for cid, p in providers.items()})
