"""The cells a hot spot, emerging hot spot or forecast run scores: a hexagon or
square grid over the study area (zero cells inside it included), or the polygons
of a boundary set."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely

from spatial_analysis.grids import assign_cells, hex_grid, hex_side_for_area, square_grid

from ..params import param
from .selection import IncidentFilter
from .writing import boundary_frame


@dataclass(frozen=True)
class CellParams:
    cells: str = param("hexagon", "what is scored: grid cells or a boundary set's polygons",
                       choices=("hexagon", "square", "boundary"))
    cell_size: float = param(1000.0, "grid cell size in metres (a hexagon has the area of this square)",
                             minimum=50, maximum=20_000)
    boundary_set: str = param("districts", "boundary set scored when cells=boundary")


def study_area(flt: IncidentFilter) -> shapely.Geometry:
    """The filter's boundary if it names one, else the national outline (UTM)."""
    if flt.boundary:
        set_slug, _, code = flt.boundary.partition(":")
        frame = boundary_frame(set_slug)
        return shapely.union_all(frame.geometry[frame["code"] == code].to_numpy())
    return shapely.union_all(boundary_frame("country").geometry.to_numpy())


def study_cells(params: CellParams, flt: IncidentFilter) -> gpd.GeoDataFrame:
    """Cells numbered 0..n-1 (``cell``), with a ``name`` for boundary polygons."""
    if params.cells == "boundary":
        frame = boundary_frame(params.boundary_set)
        return gpd.GeoDataFrame({"cell": np.arange(len(frame)), "name": frame["name"].to_numpy()},
                                geometry=frame.geometry.to_numpy(), crs=32616)
    area = study_area(flt)
    if params.cells == "hexagon":
        grid = hex_grid(hex_side_for_area(params.cell_size**2), boundary=area, crs="EPSG:32616")
    else:
        grid = square_grid(params.cell_size, boundary=area, crs="EPSG:32616")
    grid = grid.reset_index(drop=True)
    return grid.assign(cell=np.arange(len(grid)), name="")


def cell_of(cells: gpd.GeoDataFrame, xy: np.ndarray) -> np.ndarray:
    """Row of ``cells`` holding each point, -1 outside every cell."""
    if "tessellation" in cells.attrs:
        return assign_cells(cells, xy)
    pos = np.full(len(xy), -1, dtype=np.int64)
    point_idx, cell_idx = shapely.STRtree(cells.geometry.to_numpy()).query(shapely.points(xy), predicate="within")
    pos[point_idx] = cell_idx
    return pos


def describe_cells(params: CellParams, n_cells: int) -> str:
    if params.cells == "boundary":
        return f"{n_cells} polygons of boundary set {params.boundary_set!r}"
    return f"{n_cells:,} {params.cells} cells of {params.cell_size ** 2 / 1e6:g} km2 over the study area"
