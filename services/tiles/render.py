"""One tile = one SQL statement: PostGIS clips, simplifies, aggregates and encodes.

The spatial filter is on the stored geometry (``geom && envelope``, in EPSG:4326) so
the GIST index of the public table serves it; only the rows inside the tile are
transformed to Web Mercator. The layer's filters (``services.tiles.filters``) add their
clauses to the same statement, so a cell's ``count`` adds up only the rows they
choose. The same statement counts the features it encodes, for the analysts' audit
trail. Tiles are cached in ``services.public_cache`` under the audience, the layer, the
tile and the normalised filters; ``invalidate()``, which imports and runs call, retires
them all.
"""

from __future__ import annotations

import hashlib
from typing import NamedTuple

from psycopg import sql

from ..public_cache import cached
from ..reading import read_connection, short_reads
from .filters import Query
from .layers import TileLayer

EXTENT = 4096  # MVT coordinate units per tile side
BUFFER = 64  # units drawn beyond the tile edge, so symbols and lines do not clip at seams
#: Web Mercator's origin: cell grids start here, so every tile holds whole cells
ORIGIN = -20037508.342789244
WORLD = 2 * -ORIGIN

_ENVELOPE = sql.SQL(
    "WITH bounds AS (SELECT ST_TileEnvelope(%(z)s, %(x)s, %(y)s) AS env, "
    "ST_Transform(ST_TileEnvelope(%(z)s, %(x)s, %(y)s, margin => %(margin)s), 4326) AS env4326) "
)


def _rows_sql(layer: TileLayer, query: Query) -> sql.Composed:
    """The rows inside the tile (with its buffer) that the filters choose, as ``t``."""
    where, _ = query.where()
    return sql.SQL("{table} t, bounds WHERE t.{geom} && bounds.env4326{where}").format(
        table=sql.Identifier(layer.table_for(query)), geom=sql.Identifier(layer.geometry), where=where)


def _features_sql(layer: TileLayer, query: Query) -> sql.Composed:
    """Features clipped to the tile. For point layers, points at the same place with the
    same properties are one feature with a ``count``: public points sit on a 250 m
    grid, and a street-zoom tile over Belize City holds ~33,000 points at ~90 places."""
    columns = sql.SQL(", ").join(sql.SQL("t.{}").format(sql.Identifier(p)) for p in layer.properties)
    grouped = layer.points_from_zoom is not None
    return sql.SQL(
        "SELECT ST_AsMVTGeom(ST_Transform(t.{geom}, 3857), bounds.env, {extent}, {buffer}, true) AS geom, {columns}"
        "{count} FROM {rows}{group}{order}"
    ).format(order=sql.SQL(" ORDER BY {}").format(sql.SQL(layer.order)) if layer.order and not grouped else sql.SQL(""),
             geom=sql.Identifier(layer.geometry), rows=_rows_sql(layer, query), columns=columns,
             extent=sql.Literal(EXTENT), buffer=sql.Literal(BUFFER),
             count=sql.SQL(", {} AS count").format(_count(layer)) if grouped else sql.SQL(""),
             group=sql.SQL(" GROUP BY bounds.env, t.{}, {}").format(sql.Identifier(layer.geometry), columns) if grouped else sql.SQL(""))


def _count(layer: TileLayer) -> sql.Composable:
    """How many incidents a group of rows holds: its rows, or the sum of their counts."""
    if layer.count_column:
        return sql.SQL("sum(t.{})::int").format(sql.Identifier(layer.count_column))
    return sql.SQL("count(*)")


def _cells_sql(layer: TileLayer, query: Query) -> sql.Composed:
    """Points counted into square cells aligned on the tile grid; each cell becomes its centre."""
    return sql.SQL(
        "SELECT ST_AsMVTGeom(ST_Point(cx, cy, 3857), bounds.env, {extent}, {buffer}, true) AS geom, n AS count "
        "FROM bounds, ("
        "  SELECT floor((ST_X(m) - {origin}) / %(cell)s) * %(cell)s + {origin} + %(cell)s / 2 AS cx,"
        "         floor((ST_Y(m) - {origin}) / %(cell)s) * %(cell)s + {origin} + %(cell)s / 2 AS cy, {count} AS n"
        "  FROM (SELECT ST_Transform(t.{geom}, 3857) AS m, t.* FROM {rows}) t"
        "  GROUP BY 1, 2) cells"
    ).format(geom=sql.Identifier(layer.geometry), rows=_rows_sql(layer, query),
             extent=sql.Literal(EXTENT), buffer=sql.Literal(BUFFER), origin=sql.Literal(ORIGIN), count=_count(layer))


def aggregated(layer: TileLayer, z: int) -> bool:
    return layer.points_from_zoom is not None and z < layer.points_from_zoom


class Tile(NamedTuple):
    """A rendered tile: its MVT bytes (empty for an empty tile) and how many features they hold."""

    data: bytes
    features: int


def _render(layer: TileLayer, query: Query, z: int, x: int, y: int) -> Tile:
    inner = _cells_sql(layer, query) if aggregated(layer, z) else _features_sql(layer, query)
    # ST_AsMVT leaves out the rows whose geometry ST_AsMVTGeom clipped away (NULL): count(f.geom) counts the rest
    statement = _ENVELOPE + sql.SQL("SELECT ST_AsMVT(f, {name}, {extent}, 'geom'), count(f.geom) FROM ({inner}) f").format(
        name=sql.Literal(layer.id), extent=sql.Literal(EXTENT), inner=inner)
    params = {"z": z, "x": x, "y": y, "margin": BUFFER / EXTENT, "cell": WORLD / 2**z / layer.cells_per_tile,
              **query.where()[1]}
    with short_reads(), read_connection().cursor() as cur:
        cur.execute(statement.as_string(cur.connection), params)
        data, features = cur.fetchone()
        return Tile(bytes(data or b""), features)


def cache_key(kind: str, layer: TileLayer, query: Query, *parts: str) -> str:
    """``kind:layer:parts?filters`` (the normalised filters, so equal queries share an entry);
    a long one is hashed, since cache keys stay under 250 characters."""
    key = f"{kind}:{layer.id}:{':'.join(parts)}?{query.key}"
    return key if len(key) <= 200 else f"{kind}:{layer.id}:{hashlib.sha256(key.encode()).hexdigest()}"


#: Seconds a tile stays cached. The cache is shared (PostgreSQL, settings.CACHES) and an
#: import or a run retires every tile at once, so this only bounds the cache's size: a day
#: keeps the national zooms pre-rendered after a refresh (services.tiles.prerender) warm.
TILE_TIMEOUT = 24 * 3600


def tile(layer: TileLayer, query: Query, z: int, x: int, y: int, audience: str = "public") -> Tile:
    """Tile ``z/x/y`` of ``layer`` with the rows ``query`` chooses (cached per audience:
    the two audiences' layers share ids, not rows)."""
    return cached(cache_key(f"{audience}-tile", layer, query, f"{z}/{x}/{y}"), lambda: _render(layer, query, z, x, y),
                  timeout=TILE_TIMEOUT)
