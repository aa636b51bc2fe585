"""What the tile server serves: one small frozen record per tile layer.

Like ``services.ogc.collections``: the districts and the public incidents are
declared here, and every public layer kind of the registry (``services/layers.py``)
adds one layer over its latest run, with its filters read from the registry too:
``run_id`` (any public run of the kind), the columns of the kind's ``map_filter`` (the
rows the map chooses among, e.g. counts per area by category and period) and a month
range on its ``time_field`` where that is a public column.
"""

from __future__ import annotations

from dataclasses import dataclass

from .filters import RUN, Query, TileFilter, choice, month_range


@dataclass(frozen=True)
class TileLayer:
    """One vector tile layer over a table with a geometry in EPSG:4326.

    ``points_from_zoom``: for point layers, below this zoom the points are counted
    into square cells (``cells_per_tile`` across a tile, so a cell is a fixed size on
    screen) and each cell is one point feature with a ``count``; from this zoom on,
    the points are served with their ``properties``, those at the same place with the
    same properties as one feature with a ``count``. ``None`` serves the features as
    they are (districts, bands). ``count_column``: the rows are counts already (public
    incidents), so a ``count`` adds up this column instead of counting rows.
    ``filters``: the query parameters that choose the rows (``services.tiles.filters``);
    ``runs_table``: the table of every run, read when ``run_id`` is given. ``order``:
    the features' order in a tile (SQL over the table's columns), so the last drawn is on
    top as the kind declares (the top 1% band over the top 5%).
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
    count_column: str | None = None
    filters: tuple[TileFilter, ...] = ()
    runs_table: str | None = None
    order: str | None = None

    def table_for(self, query: Query) -> str:
        """The latest run's table, or every run's when the query names a run."""
        return self.runs_table if query.get("run") is not None else self.table


BASE_TILE_LAYERS: tuple[TileLayer, ...] = (
    TileLayer("districts", "public_districts", "Districts of Belize",
              ("code", "name", "population", "population_year", "population_kind")),
    TileLayer("incidents", "public_incidents", "Incidents (public counts per cell and month)",
              ("category", "period_start", "cell_size_m"), points_from_zoom=14, count_column="incident_count",
              filters=(choice("category"), *month_range("period_start"))),
)


def tile_layers() -> tuple[TileLayer, ...]:
    """The base layers and one per public layer kind (its latest run, its public columns)."""
    from ..layers import REGISTRY
    from ..projections import relation

    kinds = tuple(
        TileLayer(kind.name, relation("public", kind, runs=False), f"{kind.title} (latest run)",
                  tuple(c for c in kind.public_columns if c != "id") + ("run_id",),
                  filters=_kind_filters(kind), runs_table=relation("public", kind, runs=True), order=kind.order)
        for kind in REGISTRY.values() if kind.public)
    return BASE_TILE_LAYERS + kinds


def _kind_filters(kind) -> tuple[TileFilter, ...]:
    dated = kind.time_field in kind.public_columns
    return (RUN, *(choice(column) for column in kind.map_filter), *(month_range(kind.time_field) if dated else ()))


def tile_layer(layer_id: str) -> TileLayer | None:
    return next((layer for layer in tile_layers() if layer.id == layer_id), None)
