"""Square (fishnet) and hexagon tessellations in metres, and point counts per cell.

A tessellation is a GeoDataFrame of cells with integer ``row`` and ``col``
columns (row 0 on the north side, column 0 on the west side) and a stable
``cell_id``. The grid's exact parameters are kept in
``cells.attrs["tessellation"]`` (a plain, JSON-serialisable dict), so that
points are assigned to cells by arithmetic on their coordinates (vectorised,
exact, each point in exactly one cell) rather than by a spatial join. Row
filtering, sorting and copying keep ``attrs``; counting works on any subset of
the cells.

Public API
----------
- :func:`square_grid`, :func:`hex_grid`, :func:`hex_side_for_area`
- :func:`align_extent`, the origin rule square cells share with
  :func:`spatial_analysis.kde.kernel_density`
- :func:`assign_cells`, :func:`count_points`, :func:`count_points_by_time`
"""

from __future__ import annotations

import math
import warnings
from typing import Literal

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import pyproj
import shapely

from spatial_analysis._validation import (
    check_extent,
    check_geodataframe_projected,
    check_points,
    check_positive,
    check_projected_metres,
    check_weights,
)

__all__ = [
    "MAX_CELLS",
    "align_extent",
    "assign_cells",
    "count_points",
    "count_points_by_time",
    "hex_grid",
    "hex_side_for_area",
    "square_grid",
]

MAX_CELLS = 5_000_000
"""Largest tessellation built as polygons (about 2 GB of geometries).

Belize at 250 m squares is about 0.4 million cells over its land boundary.
"""

_SQRT3 = math.sqrt(3.0)
_ATTRS_KEY = "tessellation"


# --------------------------------------------------------------------------- inputs


def _resolve_crs(crs: object, boundary: object) -> pyproj.CRS:
    b_crs = getattr(boundary, "crs", None)
    if crs is None:
        if b_crs is None:
            warnings.warn(
                "no crs given and the area has none; assuming EPSG:32616 (UTM 16N, Belize). Pass crs= to be explicit",
                stacklevel=3,
            )
        out = pyproj.CRS.from_user_input(b_crs) if b_crs is not None else pyproj.CRS.from_epsg(32616)
    else:
        try:
            out = pyproj.CRS.from_user_input(crs)
        except pyproj.exceptions.CRSError as exc:
            raise ValueError(f"crs is not a valid CRS: {crs!r} ({exc})") from None
        if b_crs is not None and not out.equals(b_crs):
            raise ValueError(f"crs {crs!r} differs from the boundary's CRS {b_crs.to_string()}; reproject one of them")
    if out.is_geographic:
        raise ValueError(f"crs must be projected in metres (EPSG:32616 for Belize); got geographic {crs!r}")
    return out


def _boundary_geometry(boundary: object) -> shapely.Geometry:
    if isinstance(boundary, gpd.GeoDataFrame | gpd.GeoSeries):
        check_geodataframe_projected(boundary, name="boundary")
        geom = boundary.union_all()
    elif isinstance(boundary, shapely.Geometry):
        geom = boundary
    else:
        raise TypeError(f"boundary must be a shapely geometry, GeoSeries or GeoDataFrame; got {type(boundary).__name__}")
    if geom.is_empty or geom.area <= 0:
        raise ValueError("boundary must be a non-empty polygonal geometry with positive area")
    minx, miny, maxx, maxy = geom.bounds
    check_projected_metres(np.array([[minx, miny], [maxx, maxy]]), name="boundary")
    return geom


def _area_of_interest(
    extent: object, boundary: object
) -> tuple[tuple[float, float, float, float], shapely.Geometry | None]:
    if (extent is None) == (boundary is None):
        raise ValueError("give exactly one of extent=(xmin, ymin, xmax, ymax) or boundary=<polygon>")
    if boundary is not None:
        geom = _boundary_geometry(boundary)
        return tuple(float(v) for v in geom.bounds), geom  # type: ignore[return-value]
    return check_extent(extent), None


def _check_n_cells(n_rows: int, n_cols: int, cell_size: float) -> None:
    if n_rows * n_cols > MAX_CELLS:
        raise ValueError(
            f"cell_size={cell_size!r} m gives {n_rows} x {n_cols} = {n_rows * n_cols} candidate cells, above the "
            f"limit of {MAX_CELLS}; use a larger cell_size or a smaller area"
        )


def _finish(
    geoms: np.ndarray,
    rows: np.ndarray,
    cols: np.ndarray,
    spec: dict,
    crs: pyproj.CRS,
    region: shapely.Geometry,
) -> gpd.GeoDataFrame:
    shapely.prepare(region)
    keep = shapely.intersects(region, geoms)
    # Touching the area only along an edge or at a corner does not count.
    keep &= ~shapely.touches(region, geoms)
    rows, cols, geoms = rows[keep], cols[keep], geoms[keep]
    cells = gpd.GeoDataFrame(
        {"cell_id": rows.astype(np.int64) * spec["n_cols"] + cols, "row": rows, "col": cols},
        geometry=geoms,
        crs=crs,
    )
    cells.attrs[_ATTRS_KEY] = spec
    return cells


# --------------------------------------------------------------------------- tessellations

_SNAP = 1e-9
"""Relative tolerance of :func:`align_extent`: an edge within this many cells of a
multiple of the cell size is taken to be on it (floating-point noise)."""


def align_extent(
    extent: tuple[float, float, float, float], cell_size: float
) -> tuple[tuple[float, float, float, float], int, int]:
    """The smallest extent on whole multiples of ``cell_size`` that covers ``extent``.

    This is the one origin rule of square cells in this package: every square
    grid of a given cell size (:func:`square_grid` and
    :func:`spatial_analysis.kde.kernel_density`) has its cell edges on the
    multiples of ``cell_size`` from the CRS origin, so two grids of the same
    cell size over overlapping areas share their cells, and a density surface
    can be read at a tessellation's cells without resampling.

    Parameters
    ----------
    extent : tuple (xmin, ymin, xmax, ymax)
        Area to cover, metres.
    cell_size : float
        Side of a cell, metres.

    Returns
    -------
    extent : tuple (xmin, ymin, xmax, ymax)
        The covering extent, every edge a multiple of ``cell_size``.
    n_rows, n_cols : int
        Whole cells across it (at least 1 each).

    Examples
    --------
    >>> align_extent((1_020.0, 5_010.0, 1_290.0, 5_200.0), 100)
    ((1000.0, 5000.0, 1300.0, 5200.0), 2, 3)
    """
    xmin, ymin, xmax, ymax = check_extent(extent)
    c = check_positive(cell_size, name="cell_size")
    i0, j0 = math.floor(xmin / c + _SNAP), math.floor(ymin / c + _SNAP)
    i1, j1 = math.ceil(xmax / c - _SNAP), math.ceil(ymax / c - _SNAP)
    n_cols, n_rows = max(1, i1 - i0), max(1, j1 - j0)
    return (i0 * c, j0 * c, (i0 + n_cols) * c, (j0 + n_rows) * c), n_rows, n_cols


def square_grid(
    cell_size: float,
    *,
    extent: tuple[float, float, float, float] | None = None,
    boundary: shapely.Geometry | gpd.GeoSeries | gpd.GeoDataFrame | None = None,
    crs: str | pyproj.CRS | None = None,
) -> gpd.GeoDataFrame:
    """Square (fishnet) cells over an extent or a boundary.

    Cell edges lie on the multiples of ``cell_size`` (:func:`align_extent`),
    so the grid covers the extent (or the boundary's bounding box) with whole
    cells and may reach past it by less than a cell on each side; a density
    surface of the same cell size has the same cells. With a
    boundary, only cells whose interior intersects it are kept (cells that
    merely touch it along an edge are dropped).

    Parameters
    ----------
    cell_size : float
        Side of a cell, metres.
    extent : tuple (xmin, ymin, xmax, ymax), optional
        Area to cover, metres. Give this or ``boundary``.
    boundary : shapely geometry, GeoSeries or GeoDataFrame, optional
        Polygon(s) to cover (e.g. a district); a GeoSeries/GeoDataFrame must
        have a projected CRS. Give this or ``extent``.
    crs : str or pyproj.CRS, optional
        CRS of the output; must be projected in metres. Default: the
        boundary's CRS, else EPSG:32616 with a warning.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per cell with ``cell_id`` (``row * n_cols + col``, stable
        under filtering), ``row`` (0 = north), ``col`` (0 = west) and a
        square Polygon ``geometry``. ``attrs["tessellation"]`` records the
        grid for :func:`count_points`.

    Raises
    ------
    ValueError
        Both or neither of ``extent``/``boundary``, a non-positive size, a
        geographic CRS, or more than :data:`MAX_CELLS` candidate cells.

    Examples
    --------
    >>> cells = square_grid(100, extent=(300_000, 1_900_000, 300_300, 1_900_200), crs="EPSG:32616")
    >>> len(cells), cells.crs.to_epsg()
    (6, 32616)
    >>> cells.loc[0, ["cell_id", "row", "col"]].tolist()
    [0, 0, 0]
    >>> cells.geometry.iloc[0].bounds  # north-west cell
    (300000.0, 1900100.0, 300100.0, 1900200.0)
    """
    size = check_positive(cell_size, name="cell_size")
    area, geom = _area_of_interest(extent, boundary)
    out_crs = _resolve_crs(crs, boundary)
    region = geom if geom is not None else shapely.box(*area)
    (xmin, ymin, xmax, ymax), n_rows, n_cols = align_extent(area, size)
    _check_n_cells(n_rows, n_cols, size)
    rows, cols = np.divmod(np.arange(n_rows * n_cols, dtype=np.int64), n_cols)
    x0 = xmin + cols * size
    y1 = ymax - rows * size
    geoms = shapely.box(x0, y1 - size, x0 + size, y1)
    spec = {"kind": "square", "cell_size": size, "x0": xmin, "y0": ymax, "n_rows": n_rows, "n_cols": n_cols}
    return _finish(geoms, rows, cols, spec, out_crs, region)


def hex_side_for_area(area: float) -> float:
    """Side of a regular hexagon of the given area: ``sqrt(2 * area / (3 * sqrt(3)))``.

    Parameters
    ----------
    area : float
        Cell area, m^2.

    Returns
    -------
    float
        Side length (= centre-to-vertex distance), metres.

    Examples
    --------
    >>> round(hex_side_for_area(250.0**2), 3)  # same area as a 250 m square
    155.101
    """
    a = check_positive(area, name="area")
    return math.sqrt(2.0 * a / (3.0 * _SQRT3))


def hex_grid(
    side: float,
    *,
    extent: tuple[float, float, float, float] | None = None,
    boundary: shapely.Geometry | gpd.GeoSeries | gpd.GeoDataFrame | None = None,
    crs: str | pyproj.CRS | None = None,
) -> gpd.GeoDataFrame:
    """Flat-topped regular hexagons over an extent or a boundary.

    Layout ("odd-q" offset coordinates): column ``col`` has its centres at
    ``x = xmin + 1.5 * side * col``; row ``row`` at ``y = ymax - sqrt(3) *
    side * row``, and odd columns are shifted half a row south. Cells whose
    interior intersects the extent (or the boundary) are kept. Every cell has
    area ``3 * sqrt(3) / 2 * side^2``; use :func:`hex_side_for_area` to match
    a square cell's area. Flat-topped hexagons are Esri's default
    ("HEXAGON" in Generate Tessellation).

    Parameters
    ----------
    side : float
        Hexagon side (= centre-to-vertex distance), metres.
    extent : tuple (xmin, ymin, xmax, ymax), optional
        Area to cover, metres. Give this or ``boundary``.
    boundary : shapely geometry, GeoSeries or GeoDataFrame, optional
        Polygon(s) to cover. Give this or ``extent``.
    crs : str or pyproj.CRS, optional
        Projected CRS of the output. Default: the boundary's CRS, else
        EPSG:32616.

    Returns
    -------
    geopandas.GeoDataFrame
        ``cell_id``, ``row``, ``col`` and a hexagon ``geometry`` per cell;
        ``attrs["tessellation"]`` records the grid for :func:`count_points`.

    Raises
    ------
    ValueError
        As :func:`square_grid`.

    References
    ----------
    Patel, A. (2013). "Hexagonal Grids", Red Blob Games (offset and axial
    coordinates). Esri, "Generate Tessellation" tool.

    Examples
    --------
    >>> cells = hex_grid(100, extent=(300_000, 1_900_000, 300_500, 1_900_500), crs="EPSG:32616")
    >>> bool(np.allclose(cells.area, 3 * np.sqrt(3) / 2 * 100**2))
    True
    >>> bool(cells.union_all().contains(shapely.box(300_000, 1_900_000, 300_500, 1_900_500)))
    True
    """
    s = check_positive(side, name="side")
    (xmin, ymin, xmax, ymax), geom = _area_of_interest(extent, boundary)
    out_crs = _resolve_crs(crs, boundary)
    dx, dy = 1.5 * s, _SQRT3 * s
    # Centres reach one hexagon past the extent on every side, so it is covered.
    n_cols = math.floor((xmax - xmin + s) / dx) + 1
    n_rows = math.floor((ymax - ymin + dy) / dy) + 1
    _check_n_cells(n_rows, n_cols, s)
    rows, cols = np.divmod(np.arange(n_rows * n_cols, dtype=np.int64), n_cols)
    cx = xmin + dx * cols
    cy = ymax - dy * (rows + 0.5 * (cols & 1))
    angles = np.deg2rad(np.arange(0, 360, 60))
    ring = np.column_stack([np.cos(angles), np.sin(angles)]) * s  # flat top: vertices at 0, 60, ... degrees
    coords = np.empty((cx.size, 7, 2))
    coords[:, :6, 0] = cx[:, None] + ring[:, 0]
    coords[:, :6, 1] = cy[:, None] + ring[:, 1]
    coords[:, 6] = coords[:, 0]
    geoms = shapely.polygons(coords)
    spec = {"kind": "hexagon", "cell_size": s, "x0": xmin, "y0": ymax, "n_rows": n_rows, "n_cols": n_cols}
    region = geom if geom is not None else shapely.box(xmin, ymin, xmax, ymax)
    return _finish(geoms, rows, cols, spec, out_crs, region)


# --------------------------------------------------------------------------- assignment


def _spec(cells: object) -> dict:
    if not isinstance(cells, gpd.GeoDataFrame):
        raise TypeError(f"cells must be a GeoDataFrame from square_grid or hex_grid; got {type(cells).__name__}")
    spec = cells.attrs.get(_ATTRS_KEY)
    if not isinstance(spec, dict) or not {"row", "col"} <= set(cells.columns):
        raise ValueError(
            "cells has no tessellation record (attrs['tessellation'] and row/col columns); "
            "build it with square_grid or hex_grid (pd.concat and file round-trips drop attrs)"
        )
    return spec


def _points_xy(points: object, cells: gpd.GeoDataFrame, *, name: str = "points") -> np.ndarray:
    if isinstance(points, gpd.GeoDataFrame | gpd.GeoSeries):
        check_geodataframe_projected(points, name=name)
        if cells.crs is not None and not points.crs.equals(cells.crs):
            raise ValueError(f"{name} CRS {points.crs.to_string()} differs from the cells' CRS {cells.crs.to_string()}")
        geoms = points.geometry.to_numpy() if isinstance(points, gpd.GeoDataFrame) else points.to_numpy()
        types = shapely.get_type_id(geoms)
        if (types != shapely.GeometryType.POINT).any():
            bad = int(np.flatnonzero(types != shapely.GeometryType.POINT)[0])
            raise ValueError(f"{name} must hold only Point geometries; row {bad} is {shapely.get_type_id(geoms[bad])}")
        xy = shapely.get_coordinates(geoms)
        if xy.shape[0] != geoms.shape[0]:
            raise ValueError(f"{name} has empty point geometries")
        points = xy
    xy = check_points(points, name=name, min_points=0)
    check_projected_metres(xy, name=name)
    return xy


def _square_index(xy: np.ndarray, spec: dict) -> tuple[np.ndarray, np.ndarray]:
    s = spec["cell_size"]
    col = np.floor((xy[:, 0] - spec["x0"]) / s)
    row = np.floor((spec["y0"] - xy[:, 1]) / s)
    # Cells are half-open: [west, east) x (south, north]. A point on a shared
    # edge goes to exactly one cell, the one east of it or south of it. The
    # grid's outer east and south edges are closed so nothing on them is lost.
    east_edge = spec["x0"] + spec["n_cols"] * s
    south_edge = spec["y0"] - spec["n_rows"] * s
    col[(col == spec["n_cols"]) & (xy[:, 0] == east_edge)] = spec["n_cols"] - 1
    row[(row == spec["n_rows"]) & (xy[:, 1] == south_edge)] = spec["n_rows"] - 1
    return row, col


def _hex_index(xy: np.ndarray, spec: dict) -> tuple[np.ndarray, np.ndarray]:
    s = spec["cell_size"]
    # local coordinates in units of side, y pointing south
    X = (xy[:, 0] - spec["x0"]) / s
    Y = (spec["y0"] - xy[:, 1]) / s
    # axial coordinates of a flat-topped layout, then cube rounding
    q = 2.0 / 3.0 * X
    r = -X / 3.0 + Y / _SQRT3
    z = -q - r
    rq, rr, rz = np.round(q), np.round(r), np.round(z)
    dq, dr, dz = np.abs(rq - q), np.abs(rr - r), np.abs(rz - z)
    fix_q = (dq > dr) & (dq > dz)
    fix_r = ~fix_q & (dr > dz)
    rq = np.where(fix_q, -rr - rz, rq)
    rr = np.where(fix_r, -rq - rz, rr)
    col = rq
    row = rr + (rq - np.mod(rq, 2)) / 2  # axial -> odd-q offset
    return row, col


def assign_cells(cells: gpd.GeoDataFrame, points: npt.ArrayLike | gpd.GeoSeries | gpd.GeoDataFrame) -> np.ndarray:
    """Position (0-based row of ``cells``) of the cell holding each point, -1 if none.

    Assignment is by arithmetic on the coordinates, so each point lands in
    exactly one cell even on a shared edge or vertex (squares: the cell to
    its east / south; hexagons: the tie rule of cube rounding, numpy's round
    half to even). If that cell is not in ``cells`` (filtered out, or dropped
    because it only touches the area) but the point lies on the edge of a
    neighbouring cell that is, the point goes to that neighbour, so points on
    the rim of a clipped tessellation are not lost. Points outside every cell
    of ``cells`` get -1.

    Parameters
    ----------
    cells : geopandas.GeoDataFrame
        From :func:`square_grid` or :func:`hex_grid`, possibly filtered or
        reordered.
    points : array-like of shape (n, 2), GeoSeries or GeoDataFrame of Points
        Metres, in the cells' CRS.

    Returns
    -------
    numpy.ndarray of shape (n,), int64
        Positional index into ``cells`` (use ``cells.iloc``), or -1.

    Examples
    --------
    >>> cells = square_grid(100, extent=(0, 1_000_000, 200, 1_000_100), crs=32616)
    >>> assign_cells(cells, [[50, 1_000_050], [100, 1_000_050], [500, 1_000_050]]).tolist()
    [0, 1, -1]
    """
    spec = _spec(cells)
    xy = _points_xy(points, cells)
    if spec["kind"] == "square":
        row, col = _square_index(xy, spec)
    else:
        row, col = _hex_index(xy, spec)
    n_rows, n_cols = spec["n_rows"], spec["n_cols"]
    inside = (row >= 0) & (row < n_rows) & (col >= 0) & (col < n_cols)
    lookup = np.full(n_rows * n_cols, -1, dtype=np.int64)
    lookup[cells["row"].to_numpy(np.int64) * n_cols + cells["col"].to_numpy(np.int64)] = np.arange(len(cells))
    out = np.full(xy.shape[0], -1, dtype=np.int64)
    out[inside] = lookup[row[inside].astype(np.int64) * n_cols + col[inside].astype(np.int64)]
    missing = np.flatnonzero(out < 0)
    if missing.size:
        _edge_fallback(cells, xy, row, col, missing, lookup, spec, out)
    return out


def _edge_fallback(
    cells: gpd.GeoDataFrame,
    xy: np.ndarray,
    row: np.ndarray,
    col: np.ndarray,
    missing: np.ndarray,
    lookup: np.ndarray,
    spec: dict,
    out: np.ndarray,
) -> None:
    """Points whose tie-rule cell is absent (filtered out, or dropped for only
    touching the area) but which lie on the edge of a neighbouring cell that is
    present: count them in that neighbour (the first in row-major order)."""
    n_rows, n_cols = spec["n_rows"], spec["n_cols"]
    near = (row[missing] >= -1) & (row[missing] <= n_rows) & (col[missing] >= -1) & (col[missing] <= n_cols)
    missing = missing[near]
    if not missing.size:
        return
    d = np.array([-1, 0, 1])
    dr, dc = (a.ravel() for a in np.meshgrid(d, d, indexing="ij"))
    pt = np.repeat(missing, dr.size)
    r = np.repeat(row[missing], dr.size) + np.tile(dr, missing.size)
    c = np.repeat(col[missing], dr.size) + np.tile(dc, missing.size)
    ok = (r >= 0) & (r < n_rows) & (c >= 0) & (c < n_cols)
    pt, r, c = pt[ok], r[ok], c[ok]
    cand = lookup[r.astype(np.int64) * n_cols + c.astype(np.int64)]
    ok = cand >= 0
    pt, cand = pt[ok], cand[ok]
    if not pt.size:
        return
    tol = 1e-9 * spec["cell_size"]
    on_edge = shapely.dwithin(cells.geometry.to_numpy()[cand], shapely.points(xy[pt]), tol)
    pt, cand = pt[on_edge], cand[on_edge]
    first = np.unique(pt, return_index=True)[1]  # candidates are in row-major order per point
    out[pt[first]] = cand[first]


def _warn_outside(n_out: int, n: int) -> None:
    if n_out:
        warnings.warn(f"{n_out} of {n} points fall outside the cells and are not counted", stacklevel=3)


def count_points(
    cells: gpd.GeoDataFrame,
    points: npt.ArrayLike | gpd.GeoSeries | gpd.GeoDataFrame,
    *,
    sample_weight: npt.ArrayLike | None = None,
) -> np.ndarray:
    """Number (or total weight) of points in each cell, aligned with the rows of ``cells``.

    Parameters
    ----------
    cells : geopandas.GeoDataFrame
        From :func:`square_grid` or :func:`hex_grid`.
    points : array-like of shape (n, 2), GeoSeries or GeoDataFrame of Points
        Metres, in the cells' CRS.
    sample_weight : array-like of shape (n,), optional
        Weight per point. Default: 1 (counts).

    Returns
    -------
    numpy.ndarray of shape (len(cells),)
        int64 counts, or float64 sums of weights when ``sample_weight`` is given.

    Warns
    -----
    UserWarning
        If some points fall outside every cell.

    Examples
    --------
    >>> cells = hex_grid(100, extent=(300_000, 1_900_000, 300_400, 1_900_400), crs=32616)
    >>> pts = np.array([[300_000, 1_900_400], [300_001, 1_900_399], [300_150, 1_900_300]])
    >>> counts = count_points(cells, pts)
    >>> int(counts.sum()), int(counts.max())
    (3, 2)
    >>> cells.assign(n=counts).query("n > 0")[["row", "col", "n"]].to_numpy().tolist()
    [[0, 0, 2], [0, 1, 1]]
    """
    pos = assign_cells(cells, points)
    w = check_weights(sample_weight, pos.shape[0])
    inside = pos >= 0
    _warn_outside(int(pos.size - inside.sum()), pos.size)
    if w is None:
        return np.bincount(pos[inside], minlength=len(cells)).astype(np.int64)
    return np.bincount(pos[inside], weights=w[inside], minlength=len(cells))


def _as_time_values(values: object, *, name: str) -> tuple[np.ndarray, bool]:
    """Times as float64 (numbers) or int64 nanoseconds (datetimes); returns (array, is_datetime)."""
    arr = np.asarray(values)
    if arr.dtype == object or arr.dtype.kind in "US":
        try:
            arr = np.asarray(pd.to_datetime(arr.ravel()).to_numpy(dtype="datetime64[ns]")).reshape(arr.shape)
        except (TypeError, ValueError):
            raise TypeError(f"{name} must be numbers or datetimes; got dtype {np.asarray(values).dtype}") from None
    if arr.dtype.kind == "M":
        arr = arr.astype("datetime64[ns]")
        if np.isnat(arr).any():
            raise ValueError(f"{name} has a missing time (NaT) at position {int(np.flatnonzero(np.isnat(arr).ravel())[0])}")
        return arr.view(np.int64), True
    if arr.dtype.kind not in "iuf":
        raise TypeError(f"{name} must be numbers or datetimes; got dtype {arr.dtype}")
    arr = arr.astype(np.float64)
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} has a non-finite value at position {int(np.flatnonzero(~np.isfinite(arr).ravel())[0])}")
    return arr, False


def _equal_width_edges(t: np.ndarray, n_bins: int, is_dt: bool) -> np.ndarray:
    lo, hi = t.min(), t.max()
    if lo == hi:  # as numpy.histogram: a unit-wide range around the single value (1 s for datetimes)
        half = 500_000_000 if is_dt else 0.5
        lo, hi = lo - half, hi + half
    edges = np.linspace(float(lo), float(hi), n_bins + 1)
    if is_dt:
        edges = np.round(edges).astype(np.int64)
        edges[0], edges[-1] = lo, hi
        if not (np.diff(edges) > 0).all():
            raise ValueError(f"bins={n_bins} is more bins than nanoseconds in the time range; use fewer bins")
    return edges


def count_points_by_time(
    cells: gpd.GeoDataFrame,
    points: npt.ArrayLike | gpd.GeoSeries | gpd.GeoDataFrame,
    times: npt.ArrayLike,
    *,
    bins: int | npt.ArrayLike,
    sample_weight: npt.ArrayLike | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Space-time counts: points per cell and time bin, a (cells x bins) array.

    Bins follow :func:`numpy.histogram`: each bin is ``[left, right)``
    except the last, which is ``[left, right]``. Points outside the cells
    or outside the bins are not counted (a warning says how many).

    Parameters
    ----------
    cells : geopandas.GeoDataFrame
        From :func:`square_grid` or :func:`hex_grid`.
    points : array-like of shape (n, 2), GeoSeries or GeoDataFrame of Points
        Metres, in the cells' CRS.
    times : array-like of shape (n,)
        Numbers or datetimes (``datetime64``, pandas timestamps, ISO strings).
    bins : int or array-like of bin edges
        An int gives that many equal-width bins over the range of ``times``;
        otherwise strictly increasing edges of the same kind as ``times``
        (e.g. ``pd.date_range("2024-01", periods=13, freq="MS")`` for
        calendar months).
    sample_weight : array-like of shape (n,), optional
        Weight per point. Default: 1 (counts).

    Returns
    -------
    counts : numpy.ndarray of shape (len(cells), n_bins)
        int64 counts (float64 with weights), rows aligned with ``cells``.
    edges : numpy.ndarray of shape (n_bins + 1,)
        Bin edges (``datetime64[ns]`` when ``times`` are datetimes).

    Examples
    --------
    >>> cells = square_grid(100, extent=(0, 1_000_000, 200, 1_000_100), crs=32616)
    >>> pts = [[50, 1_000_050], [50, 1_000_050], [150, 1_000_050]]
    >>> counts, edges = count_points_by_time(cells, pts, ["2024-01-03", "2024-02-10", "2024-02-11"],
    ...                                      bins=np.array(["2024-01-01", "2024-02-01", "2024-03-01"],
    ...                                                    dtype="datetime64[ns]"))
    >>> counts.tolist()
    [[1, 1], [0, 1]]
    """
    pos = assign_cells(cells, points)
    n = pos.shape[0]
    t, is_dt = _as_time_values(times, name="times")
    if t.shape != (n,):
        raise ValueError(f"times must have shape ({n},) like points; got {t.shape}")
    w = check_weights(sample_weight, n)
    if isinstance(bins, int | np.integer) and not isinstance(bins, bool):
        if bins < 1:
            raise ValueError(f"bins must be >= 1; got {bins!r}")
        if n == 0:
            raise ValueError("bins as an int needs at least one time to set the range; pass explicit edges")
        edges = _equal_width_edges(t, int(bins), is_dt)
    else:
        edges, edges_dt = _as_time_values(bins, name="bins")
        if edges.ndim != 1 or edges.size < 2 or not (np.diff(edges) > 0).all():
            raise ValueError(f"bins must be an int or at least two strictly increasing edges; got {bins!r}")
        if edges_dt != is_dt:
            raise TypeError("bins and times must both be datetimes or both be numbers")
    n_bins = edges.size - 1
    b = np.searchsorted(edges, t, side="right") - 1
    b[t == edges[-1]] = n_bins - 1  # last bin closed on the right
    ok = (pos >= 0) & (b >= 0) & (b < n_bins)
    _warn_outside(int(n - ok.sum()), n)
    flat = pos[ok] * n_bins + b[ok]
    size = len(cells) * n_bins
    if w is None:
        counts = np.bincount(flat, minlength=size).astype(np.int64)
    else:
        counts = np.bincount(flat, weights=w[ok], minlength=size)
    out_edges = edges.astype(np.int64).view("datetime64[ns]") if is_dt else edges
    return counts.reshape(len(cells), n_bins), out_edges
