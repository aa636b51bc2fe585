"""What the tile servers serve: one small frozen record per tile layer, per audience.

Like ``services.ogc.collections``. The public tiles (``/tiles/``): the districts, the
public incidents and every public layer kind of the registry (``services/layers.py``),
each over its latest run. The analysts' tiles (``/analyst/tiles/``): the exact
incidents (time, every offence) and every layer kind in full, near-repeat roles
included. A kind's filters are read from the registry too: ``run_id`` (any run of the
kind the audience may read), the columns of the kind's ``map_filter`` (the rows the
map chooses among, e.g. counts per area by category and period) and a month range on
its ``time_field`` where the audience sees that column.
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


#: The analysts' exact incidents: counted into cells below street-block zoom (a national
#: view of every point would be one smear), each incident its own feature from zoom 12.
ANALYST_INCIDENTS = TileLayer(
    "incidents", "analyst_incidents", "Incidents (exact, analysts only)",
    ("id", "offence", "category", "sensitive", "occurred_at", "geocode_precision", "district"),
    points_from_zoom=12, filters=(choice("offence"), choice("category"), choice("geocode_precision"),
                                  *month_range("occurred_at")))

AUDIENCES = ("public", "analyst")


def tile_layers(audience: str = "public") -> tuple[TileLayer, ...]:
    """The layers ``audience`` reads: for the public, the base layers and one per public
    layer kind; for analysts, the exact incidents and one per layer kind, every column."""
    from ..layers import REGISTRY

    if audience == "public":
        return BASE_TILE_LAYERS + tuple(_kind_layer(kind, "public") for kind in REGISTRY.values() if kind.public)
    if audience == "analyst":
        return (ANALYST_INCIDENTS, *(_kind_layer(kind, "analyst") for kind in REGISTRY.values()))
    raise ValueError(f"tile_layers: no audience {audience!r} (one of {', '.join(AUDIENCES)})")


def _kind_layer(kind, audience: str) -> TileLayer:
    """A layer kind's latest run for ``audience``, with the columns that audience sees."""
    from ..projections import relation

    columns = kind.public_columns if audience == "public" else kind.columns
    dated = kind.time_field in columns
    filters = (RUN, *(choice(column) for column in kind.map_filter), *(month_range(kind.time_field) if dated else ()))
    return TileLayer(kind.name, relation(audience, kind, runs=False), f"{kind.title} (latest run)",
                     tuple(c for c in columns if c != "id") + ("run_id",), filters=filters,
                     runs_table=relation(audience, kind, runs=True), order=kind.order)


def tile_layer(layer_id: str, audience: str = "public") -> TileLayer | None:
    return next((layer for layer in tile_layers(audience) if layer.id == layer_id), None)
