"""Tessellations and point counts: coverage, equal areas, edge rules, vectorised counts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely
import geopandas as gpd

from spatial_analysis.grids import (
    assign_cells,
    count_points,
    count_points_by_time,
    hex_grid,
    hex_side_for_area,
    square_grid,
)

X0, Y0 = 300_000.0, 1_900_000.0
EXTENT = (X0, Y0, X0 + 1000, Y0 + 600)


@pytest.fixture
def rng():
    return np.random.default_rng(7)


@pytest.fixture
def points(rng):
    return rng.uniform([X0, Y0], [X0 + 1000, Y0 + 600], size=(5000, 2))


@pytest.fixture(params=["square", "hexagon"], ids=["square", "hexagon"])
def cells(request):
    if request.param == "square":
        return square_grid(100, extent=EXTENT, crs=32616)
    return hex_grid(60, extent=EXTENT, crs=32616)


def oracle_counts(cells, pts):
    """Independent reference: a spatial join by covering polygons (ties impossible for interior points)."""
    tree = shapely.STRtree(cells.geometry.to_numpy())
    pi, ci = tree.query(shapely.points(pts), predicate="within")
    return np.bincount(ci, minlength=len(cells))


# --------------------------------------------------------------------------- tessellations


def test_square_grid_shape_and_raster_order():
    cells = square_grid(100, extent=EXTENT, crs=32616)
    assert len(cells) == 60
    assert cells["row"].max() == 5 and cells["col"].max() == 9
    nw = cells.set_index(["row", "col"]).geometry.loc[(0, 0)]
    assert nw.bounds == (X0, Y0 + 500, X0 + 100, Y0 + 600)
    assert np.allclose(cells.area, 100 * 100)


def test_square_grid_covers_non_multiple_extent_with_edges_on_multiples_of_the_cell():
    # x 300,000-301,000 -> 300,000-301,200 (4 columns); y 1,900,000-1,900,600 -> 1,899,900-1,900,800 (3 rows)
    cells = square_grid(300, extent=EXTENT, crs=32616)
    assert len(cells) == 12
    assert cells.total_bounds.tolist() == [X0, Y0 - 100, X0 + 1200, Y0 + 800]
    assert cells.union_all().contains(shapely.box(*EXTENT))


def test_square_grid_and_kernel_density_share_cells_over_any_extent():
    from spatial_analysis.kde import kernel_density

    grid = kernel_density([[X0 + 333.3, Y0 + 271.8]], bandwidth=450, cell_size=150)  # default extent
    cells = square_grid(150, extent=(X0 + 17, Y0 + 5, X0 + 701, Y0 + 555), crs=32616)
    xs = np.unique(cells.bounds[["minx", "maxx"]].to_numpy())
    ys = np.unique(cells.bounds[["miny", "maxy"]].to_numpy())
    for offsets in ((xs - grid.x_min) / grid.cell_size, (grid.y_max - ys) / grid.cell_size):
        np.testing.assert_array_equal(offsets, np.round(offsets))


def test_square_grid_without_crs_warns_that_it_assumes_utm_16n():
    with pytest.warns(UserWarning, match="assuming EPSG:32616"):
        square_grid(100, extent=EXTENT)


@pytest.mark.parametrize("side", [37.0, 60.0, 155.101], ids=["37m", "60m", "155m"])
def test_hex_cells_have_equal_area_and_cover_extent(side):
    cells = hex_grid(side, extent=EXTENT, crs=32616)
    np.testing.assert_allclose(cells.area, 3 * np.sqrt(3) / 2 * side**2, rtol=1e-9)
    assert cells.union_all().buffer(1e-6).contains(shapely.box(*EXTENT))
    # a tiling: no overlaps, so areas add up to the union's area
    assert cells.area.sum() == pytest.approx(cells.union_all().area, rel=1e-9)


def test_hex_side_for_area_matches_square_area():
    cells = hex_grid(hex_side_for_area(250.0**2), extent=EXTENT, crs=32616)
    np.testing.assert_allclose(cells.area, 250.0**2, rtol=1e-12)


def test_boundary_keeps_only_intersecting_cells():
    boundary = shapely.Point(X0 + 500, Y0 + 300).buffer(250)
    cells = square_grid(50, boundary=boundary, crs="EPSG:32616")
    assert cells.intersects(boundary).all()
    full = square_grid(50, extent=boundary.bounds, crs=32616)
    dropped = full[~full.cell_id.isin(cells.cell_id)]
    assert len(dropped) > 0
    assert (dropped.intersection(boundary).area == 0).all()


def test_boundary_geodataframe_gives_its_crs():
    boundary = gpd.GeoDataFrame(geometry=[shapely.box(*EXTENT)], crs="EPSG:32616")
    cells = hex_grid(100, boundary=boundary)
    assert cells.crs == boundary.crs


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"extent": EXTENT, "crs": "EPSG:4326"}, ValueError, "geographic"),
        ({}, ValueError, "exactly one"),
        ({"extent": EXTENT, "boundary": shapely.box(*EXTENT)}, ValueError, "exactly one"),
        ({"extent": (X0, Y0, X0 - 5, Y0 + 5)}, ValueError, "extent"),
        ({"boundary": "district"}, TypeError, "boundary"),
        ({"extent": (-89.2, 15.8, -87.5, 18.5)}, ValueError, "degrees"),
        ({"boundary": gpd.GeoSeries([shapely.box(-89, 16, -88, 17)], crs="EPSG:4326")}, ValueError, "geographic"),
    ],
    ids=["geographic-crs", "no-area", "both-areas", "inverted-extent", "boundary-type", "degree-extent", "geographic-boundary"],
)
def test_bad_grid_parameters_raise(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        square_grid(100, **kwargs)


def test_too_many_cells_raise():
    with pytest.raises(ValueError, match="cell_size"):
        square_grid(1, extent=(250_000, 1_750_000, 400_000, 2_050_000), crs=32616)


# --------------------------------------------------------------------------- counting


def test_counts_sum_to_n_and_match_spatial_join(cells, points):
    counts = count_points(cells, points)
    assert counts.sum() == len(points)
    np.testing.assert_array_equal(counts, oracle_counts(cells, points))


def test_points_on_edges_and_vertices_are_counted_once(cells):
    # every vertex and edge midpoint of every cell that lies inside the extent
    coords = shapely.get_coordinates(cells.boundary.to_numpy())
    ring = cells.geometry.iloc[0].exterior.coords
    mids = []
    for geom in cells.geometry:
        c = np.asarray(geom.exterior.coords)
        mids.append((c[:-1] + c[1:]) / 2)
    pts = np.unique(np.round(np.vstack([coords, *mids]), 6), axis=0)
    pts = pts[shapely.covers(shapely.box(*EXTENT), shapely.points(pts))]
    assert len(ring) > 4 and len(pts) > 100
    pos = assign_cells(cells, pts)
    counts = count_points(cells, pts)
    assert counts.sum() == len(pts)  # once each: none lost, none doubled
    assert (pos >= 0).all()
    dist = shapely.distance(cells.geometry.to_numpy()[pos], shapely.points(pts))
    assert dist.max() < 1e-6  # and each in a cell that touches it


def test_square_shared_edge_goes_east_and_south():
    cells = square_grid(100, extent=(X0, Y0, X0 + 200, Y0 + 200), crs=32616)
    pos = assign_cells(cells, [[X0 + 100, Y0 + 150], [X0 + 50, Y0 + 100], [X0 + 200, Y0], [X0, Y0 + 200]])
    rc = cells[["row", "col"]].to_numpy()[pos].tolist()
    assert rc == [[0, 1], [1, 0], [1, 1], [0, 0]]  # outer east/south edges are closed


def test_point_on_rim_of_filtered_cells_goes_to_the_kept_neighbour():
    cells = square_grid(100, extent=(X0, Y0, X0 + 300, Y0 + 100), crs=32616)
    west = cells[cells["col"] == 0]
    # on the edge between col 0 (kept) and col 1 (filtered out): the east-going tie rule would lose it
    assert assign_cells(west, [[X0 + 100, Y0 + 50]]).tolist() == [0]
    assert assign_cells(cells, [[X0 + 100, Y0 + 50]]).tolist() == [1]


def test_counts_are_aligned_with_filtered_and_reordered_cells(cells, points):
    full = count_points(cells, points)
    subset = cells.iloc[::3].sort_values("cell_id", ascending=False)
    with pytest.warns(UserWarning, match="outside the cells"):
        part = count_points(subset, points)
    np.testing.assert_array_equal(part, full[subset.index.to_numpy()])


def test_weighted_counts(cells, points, rng):
    w = rng.uniform(0, 2, len(points))
    sums = count_points(cells, points, sample_weight=w)
    assert sums.sum() == pytest.approx(w.sum())
    pos = assign_cells(cells, points)
    assert sums[pos[0]] == pytest.approx(w[pos == pos[0]].sum())


def test_geoseries_points_are_accepted(cells, points):
    gs = gpd.GeoSeries(shapely.points(points), crs="EPSG:32616")
    np.testing.assert_array_equal(count_points(cells, gs), count_points(cells, points))


@pytest.mark.parametrize(
    ("pts", "exc", "match"),
    [
        (gpd.GeoSeries(shapely.points([[X0, Y0]]), crs="EPSG:32617"), ValueError, "differs"),
        (gpd.GeoSeries([shapely.box(X0, Y0, X0 + 1, Y0 + 1)], crs="EPSG:32616"), ValueError, "Point"),
        (np.array([[X0, Y0, 0.0]]), ValueError, "shape"),
        (np.array([[-88.2, 17.2]]), ValueError, "degrees"),
    ],
    ids=["other-crs", "polygons", "three-columns", "degrees"],
)
def test_bad_points_raise(cells, pts, exc, match):
    with pytest.raises(exc, match=match):
        count_points(cells, pts)


def test_plain_geodataframe_is_refused(points):
    plain = gpd.GeoDataFrame(geometry=[shapely.box(*EXTENT)], crs="EPSG:32616")
    with pytest.raises(ValueError, match="tessellation"):
        count_points(plain, points)


def test_points_outside_warn_and_are_not_counted(cells):
    with pytest.warns(UserWarning, match="1 of 2 points"):
        counts = count_points(cells, [[X0 + 10, Y0 + 10], [X0 + 50_000, Y0]])
    assert counts.sum() == 1


def test_counts_are_vectorised_fast_enough(points):
    cells = hex_grid(25, extent=EXTENT, crs=32616)
    many = np.tile(points, (40, 1))  # 200k points
    import time

    t = time.perf_counter()
    counts = count_points(cells, many)
    assert time.perf_counter() - t < 2.0
    assert counts.sum() == len(many)


# --------------------------------------------------------------------------- space-time


def test_space_time_counts_sum_to_spatial_counts(cells, points, rng):
    times = rng.uniform(0, 10, len(points))
    counts, edges = count_points_by_time(cells, points, times, bins=5)
    assert counts.shape == (len(cells), 5)
    np.testing.assert_array_equal(counts.sum(axis=1), count_points(cells, points))
    np.testing.assert_array_equal(counts.sum(axis=0), np.histogram(times, bins=edges)[0])


def test_space_time_datetimes_with_month_edges(cells, points, rng):
    days = rng.integers(0, 365, len(points))
    times = pd.Timestamp("2024-01-01") + pd.to_timedelta(days, unit="D")
    edges = pd.date_range("2024-01-01", periods=13, freq="MS")
    counts, out_edges = count_points_by_time(cells, points, times, bins=edges)
    assert counts.shape == (len(cells), 12) and counts.sum() == len(points)
    assert out_edges.dtype == np.dtype("datetime64[ns]") and out_edges[0] == np.datetime64("2024-01-01")
    jan = np.asarray(times < pd.Timestamp("2024-02-01"))
    assert counts[:, 0].sum() == jan.sum()


def test_space_time_bin_edges_follow_numpy_histogram(cells):
    pts = np.full((3, 2), [X0 + 10, Y0 + 10])
    counts, _ = count_points_by_time(cells, pts, [0.0, 1.0, 2.0], bins=[0.0, 1.0, 2.0])
    assert counts.sum(axis=0).tolist() == [1, 2]  # [0, 1), [1, 2]


def test_space_time_mixed_kinds_raise(cells, points):
    with pytest.raises(TypeError, match="datetimes"):
        count_points_by_time(cells, points[:2], [1.0, 2.0], bins=pd.date_range("2024-01-01", periods=3))
