"""What the tile server serves: one small frozen record per tile layer.

Like ``services.ogc.collections``, this is the interface the layer-kind registry
(``services/layers.py``) will feed; until then ``TILE_LAYERS`` declares the
districts, the public incidents and the latest kernel density bands.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TileLayer:
    """One vector tile layer over a table with a geometry in EPSG:4326.

    ``points_from_zoom``: for point layers, below this zoom the points are counted
    into square cells (``cells_per_tile`` across a tile, so a cell is a fixed size on
    screen) and each cell is one point feature with a ``count``; from this zoom on,
    the points are served with their ``properties``, those at the same place with the
    same properties as one feature with a ``count``. ``None`` serves the features as
    they are (districts, bands).
    """

    id: str
    table: str
    title: str
    properties: tuple[str, ...]
    geometry: str = "geom"
    minzoom: int = 0
    maxzoom: int = 16
    points_from_zoom: int | None = None
    cells_per_tile: int = 64


TILE_LAYERS: tuple[TileLayer, ...] = (
    TileLayer("districts", "ogc_districts", "Districts of Belize",
              ("code", "name", "population", "population_year", "population_kind")),
    TileLayer("incidents", "ogc_incidents", "Incidents (public)",
              ("offence", "offence_label", "category"), points_from_zoom=14),
    TileLayer("kde-contours", "ogc_kde_contours", "Kernel density hot spots (latest run)",
              ("run_id", "band", "top_share", "incident_share")),
)


def tile_layer(layer_id: str) -> TileLayer | None:
    return next((layer for layer in TILE_LAYERS if layer.id == layer_id), None)
