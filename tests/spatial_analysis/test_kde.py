"""Kernel density: against an exact direct sum (quartic) and sklearn (Gaussian),
plus invariants (integrates to n, row order, weights = duplicates) and the API."""

from __future__ import annotations

import math
import warnings

import geopandas as gpd
import numpy as np
import pytest
import shapely
from scipy.spatial import cKDTree
from sklearn.neighbors import KernelDensity as SkKernelDensity

from spatial_analysis.grids import hex_grid, square_grid
from spatial_analysis.kde import (
    DensityGrid,
    KernelDensity,
    density_at,
    density_bands,
    dual_kernel_density,
    kernel_density,
    silverman_bandwidth,
)

X0, Y0 = 300_000.0, 1_900_000.0  # somewhere in Belize, UTM 16N


@pytest.fixture
def rng():
    return np.random.default_rng(20240607)


@pytest.fixture
def clustered(rng):
    """400 points in two clusters, metres."""
    a = rng.normal([X0, Y0], [700, 400], size=(250, 2))
    b = rng.normal([X0 + 2500, Y0 + 1500], 300, size=(150, 2))
    return np.vstack([a, b])


def direct_quartic(grid: DensityGrid, pts: np.ndarray, w: np.ndarray | None = None) -> np.ndarray:
    """Exact Esri quartic sum at every cell centre, per km^2 (independent of the FFT path)."""
    x, y = grid.cell_centres()
    centres = np.column_stack([x.ravel(), y.ravel()])
    d2 = ((centres[:, None, :] - pts[None, :, :]) ** 2).sum(axis=-1)
    r = grid.bandwidth
    k = np.where(d2 < r * r, (1 - d2 / (r * r)) ** 2, 0.0) * 3 / (math.pi * r * r)
    weights = np.ones(len(pts)) if w is None else w
    return (k @ weights).reshape(x.shape) * 1e6


# --------------------------------------------------------------------------- accuracy


@pytest.mark.parametrize(
    ("bandwidth", "cell_size", "weighted"),
    [(600, 40, False), (600, 40, True), (1000, 50, False), (400, 40, False)],
    ids=["15-cells", "15-cells-weighted", "20-cells", "10-cells"],
)
def test_quartic_matches_direct_sum_within_half_a_percent_of_peak(clustered, rng, bandwidth, cell_size, weighted):
    w = rng.uniform(0.5, 3.0, len(clustered)) if weighted else None
    grid = kernel_density(clustered, bandwidth=bandwidth, cell_size=cell_size, sample_weight=w)
    exact = direct_quartic(grid, clustered, w)
    assert np.abs(grid.density - exact).max() <= 0.005 * exact.max()


RATIOS = [1, 1.5, 2, 3, 4, 8, 16, 20]
CELL = 100.0


@pytest.fixture(scope="module")
def stacked_town():
    """6,000 records on 400 street locations (a 50 m lattice, offset so no location is a cell centre)."""
    rng = np.random.default_rng(8)
    lattice = np.round(rng.normal(0, 600, size=(400, 2)) / 50) * 50 + [X0 + 7, Y0 + 7]
    share = rng.pareto(1.5, 400) + 0.1
    return lattice[rng.choice(400, 6000, p=share / share.sum())]


@pytest.fixture(scope="module")
def stacked_city(stacked_town):
    """The town plus 20,000 distinct locations: too many for the direct sum at small bandwidths."""
    rng = np.random.default_rng(9)
    return np.vstack([stacked_town, rng.normal([X0, Y0], 800, size=(20_000, 2))])


def exact_sum(grid: DensityGrid, pts: np.ndarray, kernel: str) -> np.ndarray:
    """Kernel sum over every record at every cell centre, per km^2 (pairs from a k-d tree)."""
    x, y = grid.cell_centres()
    h = grid.bandwidth
    reach = h if kernel == "quartic" else 4 * h
    pairs = cKDTree(np.column_stack([x.ravel(), y.ravel()])).sparse_distance_matrix(
        cKDTree(pts), reach, output_type="coo_matrix"
    )
    d2 = pairs.data**2
    if kernel == "quartic":
        k = (1 - d2 / h**2) ** 2 * 3 / (math.pi * h * h)
    else:
        k = np.exp(-d2 / (2 * h * h)) / (2 * math.pi * h * h)
    return np.bincount(pairs.row, weights=k, minlength=x.size).reshape(x.shape) * 1e6


CASES = [("stacked_town", r) for r in RATIOS] + [("stacked_city", r) for r in RATIOS if r <= 4]


@pytest.mark.parametrize("kernel", ["quartic", "gaussian"])
@pytest.mark.parametrize(("data", "ratio"), CASES, ids=[f"{d}-{r:g}-cells" for d, r in CASES])
def test_error_against_exact_sum_is_at_most_half_a_percent_of_peak(request, data, ratio, kernel):
    pts = request.getfixturevalue(data)
    window = (X0 - 12 * CELL, Y0 - 12 * CELL, X0 + 12 * CELL, Y0 + 12 * CELL)  # 24 x 24 cells at the centre
    grid = kernel_density(pts, bandwidth=ratio * CELL, cell_size=CELL, kernel=kernel, extent=window)
    exact = exact_sum(grid, pts, kernel)
    assert np.abs(grid.density - exact).max() <= 0.005 * exact.max()


def test_quartic_with_all_defaults_matches_sparse_direct_sum(clustered):
    grid = kernel_density(clustered)  # auto bandwidth, default cell size and extent
    x, y = grid.cell_centres()
    r = grid.bandwidth
    pairs = cKDTree(np.column_stack([x.ravel(), y.ravel()])).sparse_distance_matrix(
        cKDTree(clustered), r, output_type="coo_matrix"
    )
    k = (1 - (pairs.data / r) ** 2) ** 2 * 3 / (math.pi * r * r) * 1e6
    exact = np.bincount(pairs.row, weights=k, minlength=x.size).reshape(x.shape)
    assert np.abs(grid.density - exact).max() <= 0.005 * exact.max()  # the bound of docs/methods.md


def test_quartic_single_point_on_cell_centre_equals_esri_formula():
    # One point exactly on a cell centre: the peak is 3 / (pi r^2) per m^2.
    grid = kernel_density([[X0 + 5, Y0 + 5]], bandwidth=100, cell_size=10, extent=(X0 - 200, Y0 - 200, X0 + 200, Y0 + 200))
    peak = 3 / (math.pi * 100**2) * 1e6
    assert grid.density.max() == pytest.approx(peak, rel=1e-3)
    # and at 50 m (5 cells east) it is peak * (1 - 0.25)^2
    i, j = np.unravel_index(np.argmax(grid.density), grid.shape)
    assert grid.density[i, j + 5] == pytest.approx(peak * 0.75**2, rel=1e-3)


def test_gaussian_matches_sklearn_within_1pct_of_peak(clustered):
    grid = kernel_density(clustered, bandwidth=300, cell_size=40, kernel="gaussian")
    x, y = grid.cell_centres()
    sk = SkKernelDensity(bandwidth=300, kernel="gaussian").fit(clustered)
    ref = np.exp(sk.score_samples(np.column_stack([x.ravel(), y.ravel()]))).reshape(x.shape) * len(clustered) * 1e6
    assert np.abs(grid.density - ref).max() <= 0.01 * ref.max()


# --------------------------------------------------------------------------- invariants


@pytest.mark.parametrize("kernel", ["quartic", "gaussian"], ids=["quartic", "gaussian"])
def test_density_integrates_to_n_exactly_when_binned(clustered, kernel):
    grid = kernel_density(clustered, bandwidth=1000, cell_size=50, kernel=kernel)  # 20 cells: binned + FFT
    assert grid.integral() == pytest.approx(len(clustered), rel=1e-9)


@pytest.mark.parametrize("kernel", ["quartic", "gaussian"], ids=["quartic", "gaussian"])
def test_exact_density_integrates_to_n_up_to_the_riemann_sum(clustered, kernel):
    grid = kernel_density(clustered, bandwidth=300, cell_size=50, kernel=kernel)  # 6 cells: exact sum
    assert grid.integral() == pytest.approx(len(clustered), rel=1e-3)


def test_weighted_density_integrates_to_total_weight(clustered, rng):
    w = rng.uniform(0, 5, len(clustered))
    grid = kernel_density(clustered, bandwidth=1000, cell_size=50, sample_weight=w)
    assert grid.integral() == pytest.approx(w.sum(), rel=1e-9)


def test_result_does_not_depend_on_row_order(clustered, rng):
    perm = rng.permutation(len(clustered))
    a = kernel_density(clustered)
    b = kernel_density(clustered[perm])
    assert a.shape == b.shape and a.transform == pytest.approx(b.transform)
    np.testing.assert_allclose(b.density, a.density, rtol=0, atol=1e-9 * a.density.max())


def test_integer_weights_equal_duplicated_points(clustered):
    w = np.tile([1, 2, 3, 1], len(clustered) // 4)
    dup = np.repeat(clustered, w, axis=0)
    a = kernel_density(clustered, sample_weight=w)
    b = kernel_density(dup)
    assert a.bandwidth == pytest.approx(b.bandwidth, rel=1e-12)
    np.testing.assert_allclose(a.density, b.density, rtol=0, atol=1e-9 * b.density.max())


def test_inputs_are_not_mutated(clustered, rng):
    pts = clustered.copy()
    w = rng.uniform(1, 2, len(pts))
    w0 = w.copy()
    kernel_density(pts, sample_weight=w)
    np.testing.assert_array_equal(pts, clustered)
    np.testing.assert_array_equal(w, w0)
    assert pts.flags.writeable and w.flags.writeable


# --------------------------------------------------------------------------- bandwidth and grid


def test_silverman_bandwidth_matches_hand_computation():
    # Square of side 100 plus its centre: mean centre (50, 50); distances
    # 70.71 x4 and 0; SD = sqrt(4 * 5000 / 5) = 63.2456; Dm = 70.7107;
    # sqrt(1/ln 2) * Dm = 84.93 > SD, so h = 0.9 * SD * 5**-0.2.
    pts = [[0, 0], [100, 0], [0, 100], [100, 100], [50, 50]]
    expected = 0.9 * math.sqrt(4 * 5000 / 5) * 5**-0.2
    assert silverman_bandwidth(pts) == pytest.approx(expected, rel=1e-12)


def test_silverman_uses_median_distance_when_smaller():
    # Six points at distance 1 and one far outlier at distance 1000 (from the mean centre at 0).
    pts = np.array([[1, 0], [-1, 0], [0, 1], [0, -1], [1, 0], [-1, 0], [0, 0]], dtype=float) * 10_000
    pts = np.vstack([pts, [[5e5, 0], [-5e5, 0]]])
    d = np.hypot(*(pts - pts.mean(axis=0)).T)
    sd = math.sqrt((d**2).mean())
    dm = float(np.median(d))
    assert math.sqrt(1 / math.log(2)) * dm < sd
    expected = 0.9 * math.sqrt(1 / math.log(2)) * dm * len(pts) ** -0.2
    assert silverman_bandwidth(pts) == pytest.approx(expected, rel=1e-12)


def test_silverman_falls_back_to_sd_when_median_distance_is_zero():
    pts = np.array([[0, 0]] * 6 + [[1000, 0], [-1000, 0]], dtype=float) + [X0, Y0]
    sd = math.sqrt(2 * 1000**2 / 8)
    with pytest.warns(UserWarning, match="median distance 0"):
        h = silverman_bandwidth(pts)
    assert h == pytest.approx(0.9 * sd * 8**-0.2, rel=1e-12)


def test_auto_bandwidth_and_default_cell_size(clustered):
    grid = kernel_density(clustered)
    h = silverman_bandwidth(clustered)
    assert grid.bandwidth == pytest.approx(h)
    lo, hi = clustered.min(axis=0) - h, clustered.max(axis=0) + h
    assert grid.cell_size == pytest.approx(min(hi - lo) / 250)
    # default extent: bbox padded by one bandwidth plus one cell, edges on multiples of the cell
    c = grid.cell_size
    assert grid.x_min == pytest.approx(math.floor((lo[0] - c) / c) * c)
    assert grid.y_max == pytest.approx(math.ceil((hi[1] + c) / c) * c)


def test_explicit_extent_sets_grid_origin_and_default_cell(clustered):
    extent = (X0 - 5000, Y0 - 2000, X0 + 5000, Y0 + 3000)
    grid = kernel_density(clustered, bandwidth=500, extent=extent)
    assert grid.cell_size == pytest.approx(5000 / 250)
    assert (grid.x_min, grid.y_max) == (extent[0], extent[3])
    assert grid.shape == (250, 500)
    assert grid.extent == pytest.approx(extent)


def test_row_zero_is_north_edge():
    extent = (X0, Y0, X0 + 1000, Y0 + 2000)
    grid = kernel_density([[X0 + 900, Y0 + 1900]], bandwidth=50, cell_size=10, extent=extent)
    i, j = np.unravel_index(np.argmax(grid.density), grid.shape)
    assert (i, j) == (9, 89)
    assert grid.transform == (X0, 10.0, 0.0, Y0 + 2000, 0.0, -10.0)
    x, y = grid.cell_centres()
    assert (x[i, j], y[i, j]) == (X0 + 895.0, Y0 + 1905.0)


def test_points_outside_extent_still_contribute(clustered):
    full = kernel_density(clustered, bandwidth=800, cell_size=40)
    x0, y0, x1, y1 = full.extent
    cut = kernel_density(clustered, bandwidth=800, cell_size=40, extent=(x0, y0 + (y1 - y0) / 2, x1, y1))
    np.testing.assert_allclose(cut.density, full.density[: cut.shape[0]], rtol=0, atol=1e-9 * full.density.max())


def test_density_grid_is_read_only(clustered):
    grid = kernel_density(clustered)
    with pytest.raises(ValueError):
        grid.density[0, 0] = 1.0


# --------------------------------------------------------------------------- errors and warnings


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"kernel": "epanechnikov"}, ValueError, "kernel"),
        ({"kernel": 3}, TypeError, "kernel"),
        ({"bandwidth": -5}, ValueError, "bandwidth"),
        ({"bandwidth": "scott"}, ValueError, "bandwidth"),
        ({"bandwidth": True}, TypeError, "bandwidth"),
        ({"cell_size": 0}, ValueError, "cell_size"),
        ({"cell_size": 0.01}, ValueError, "cell_size"),
        ({"extent": (1, 2, 3)}, ValueError, "extent"),
        ({"extent": (X0, Y0, X0 - 1, Y0 + 1)}, ValueError, "extent"),
        ({"sample_weight": [1.0, 2.0]}, ValueError, "sample_weight"),
    ],
    ids=["unknown-kernel", "kernel-not-str", "negative-bandwidth", "bandwidth-name", "bandwidth-bool",
         "zero-cell", "too-many-cells", "extent-3-values", "extent-inverted", "weights-wrong-length"],
)
def test_bad_parameters_raise_naming_them(clustered, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        kernel_density(clustered, **kwargs)


def test_degrees_are_refused():
    with pytest.raises(ValueError, match="degrees"):
        kernel_density([[-88.2, 17.2], [-88.3, 17.5]])


def test_identical_points_with_auto_bandwidth_raise():
    with pytest.raises(ValueError, match="identical"):
        kernel_density([[X0, Y0]] * 5)


def test_identical_points_with_bandwidth_warn_and_give_one_kernel():
    with pytest.warns(UserWarning, match="identical"):
        grid = kernel_density([[X0, Y0]] * 5, bandwidth=200, cell_size=20)
    assert grid.integral() == pytest.approx(5, rel=1e-3)


def test_zero_weights_warn_and_give_zero_surface(clustered):
    with pytest.warns(UserWarning, match="all zeros"):
        grid = kernel_density(clustered, bandwidth=500, sample_weight=np.zeros(len(clustered)))
    assert not grid.density.any()


def test_bandwidth_below_one_cell_warns(clustered):
    with pytest.warns(UserWarning, match="smaller than cell_size"):
        kernel_density(clustered, bandwidth=30, cell_size=50)


# --------------------------------------------------------------------------- estimator


def test_estimator_matches_function_and_returns_self(clustered):
    est = KernelDensity(cell_size=50)
    assert est.fit(clustered) is est
    grid = kernel_density(clustered, cell_size=50)
    assert est.bandwidth_ == grid.bandwidth and est.cell_size_ == 50
    np.testing.assert_array_equal(est.density_, grid.density)
    assert est.grid_.transform == grid.transform


def test_estimator_init_only_stores_and_fit_validates():
    est = KernelDensity(bandwidth=-1)  # no error yet
    assert est.get_params()["bandwidth"] == -1
    with pytest.raises(ValueError, match="bandwidth"):
        est.fit([[X0, Y0], [X0 + 10, Y0]])


def test_estimator_sample_weight_is_keyword_only(clustered):
    with pytest.raises(TypeError):
        KernelDensity().fit(clustered, None, np.ones(len(clustered)))  # type: ignore[misc]


# --------------------------------------------------------------------------- bands


@pytest.fixture
def grid(clustered):
    return kernel_density(clustered, bandwidth=600, cell_size=40)


def test_bands_are_cumulative_valid_multipolygons(grid):
    bands = density_bands(grid)
    assert bands["band"].tolist() == [1, 2, 3]
    assert bands["top_share"].tolist() == [0.01, 0.05, 0.10]
    assert bands.crs.to_epsg() == 32616
    assert (bands.geom_type == "MultiPolygon").all() and bands.is_valid.all()
    assert bands["threshold"].is_monotonic_decreasing
    g = bands.geometry.to_numpy()
    assert shapely.area(shapely.difference(g[0], g[1])) < 1e-6 * g[0].area
    assert shapely.area(shapely.difference(g[1], g[2])) < 1e-6 * g[1].area


@pytest.mark.parametrize("share", [0.05, 0.10], ids=["5pct", "10pct"])
def test_band_area_is_close_to_share_of_nonzero_area(grid, share):
    bands = density_bands(grid, top_shares=[share])
    nonzero_km2 = np.count_nonzero(grid.density) * grid.cell_area_km2
    assert bands["area_km2"].iloc[0] == pytest.approx(share * nonzero_km2, rel=0.05)


def test_band_threshold_is_share_quantile_of_nonzero_cells(grid):
    bands = density_bands(grid, top_shares=[0.05])
    pos = grid.density[grid.density > 0]
    t = bands["threshold"].iloc[0]
    assert np.count_nonzero(pos >= t) == math.ceil(0.05 * pos.size)
    assert bands["mass_share"].iloc[0] == pytest.approx(pos[pos >= t].sum() / pos.sum())


def test_quantiles_and_thresholds_alternatives(grid):
    q = density_bands(grid, quantiles=[0.9])
    assert q["top_share"].iloc[0] == pytest.approx(0.1)
    assert q["threshold"].iloc[0] == pytest.approx(np.quantile(grid.density[grid.density > 0], 0.9))
    t = density_bands(grid, thresholds=[q["threshold"].iloc[0]])
    assert t["area_km2"].iloc[0] == pytest.approx(q["area_km2"].iloc[0])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"top_shares": [0.1], "quantiles": [0.9]}, "only one"),
        ({"top_shares": [0.0]}, "top_shares"),
        ({"quantiles": [1.0]}, "quantiles"),
        ({"thresholds": [-1.0]}, "thresholds"),
        ({"crs": "EPSG:4326"}, "geographic"),
    ],
    ids=["two-choices", "zero-share", "quantile-one", "negative-threshold", "geographic-crs"],
)
def test_bad_band_parameters_raise(grid, kwargs, match):
    with pytest.raises(ValueError, match=match):
        density_bands(grid, **kwargs)


def test_zero_grid_gives_empty_bands_with_warning():
    empty = DensityGrid(np.zeros((3, 3)), x_min=X0, y_max=Y0, cell_size=10, bandwidth=50, kernel="quartic", n_points=0)
    with pytest.warns(UserWarning, match="zero everywhere"):
        bands = density_bands(empty)
    assert len(bands) == 0 and "area_km2" in bands.columns


def test_band_touching_grid_edge_is_clipped_to_extent(clustered):
    full = kernel_density(clustered, bandwidth=600, cell_size=40)
    x0, y0, x1, y1 = full.extent
    cut = kernel_density(clustered, bandwidth=600, cell_size=40, extent=(x0, y0, x1, Y0))
    bands = density_bands(cut)
    assert shapely.box(*cut.extent).buffer(1e-6).contains(bands.geometry.union_all())


# --------------------------------------------------------------------------- dual KDE


@pytest.fixture
def population(rng):
    return rng.uniform([X0, Y0], [X0 + 6000, Y0 + 6000], size=(6000, 2))


@pytest.mark.filterwarnings("ignore:.*below the floor")  # a few fringe cells of ~1e-7 per km^2
def test_dual_ratio_is_constant_for_events_proportional_to_population(population):
    # every resident "is" 0.1 incident: the rate must be 0.1 wherever it is defined
    risk = dual_kernel_density(
        population, population, sample_weight=np.full(len(population), 0.1), bandwidth=1500, cell_size=100, floor=1e-6
    )
    defined = risk.density > 0
    assert defined.mean() > 0.5
    np.testing.assert_allclose(risk.density[defined], 0.1, rtol=1e-6)  # FFT round-off at the fringe


def test_dual_ratio_equals_hand_ratio_of_two_kdes(population, rng):
    events = population[:300]
    w = rng.uniform(1, 10, len(population))
    risk = dual_kernel_density(events, population, population_weight=w, bandwidth=800, cell_size=100, floor=1e-9)
    ev = kernel_density(events, bandwidth=800, cell_size=100)
    pop = kernel_density(population, bandwidth=800, cell_size=100, sample_weight=w, extent=ev.extent)
    ok = pop.density >= 1e-9
    np.testing.assert_allclose(risk.density[ok], ev.density[ok] / pop.density[ok], rtol=1e-6)
    assert risk.transform == ev.transform


def test_dual_ratio_floor_zeroes_unpopulated_cells_with_warning(population):
    stray = np.array([[X0 + 20_000, Y0 + 20_000]])  # an incident where nobody lives
    events = np.vstack([population[:100], stray])
    with pytest.warns(UserWarning, match="below the floor"):
        risk = dual_kernel_density(events, population, bandwidth=800, cell_size=200)
    x, y = risk.cell_centres()
    near_stray = np.hypot(x - stray[0, 0], y - stray[0, 1]) < 400
    assert not risk.density[near_stray].any()


def test_dual_difference_sums_to_zero(population, rng):
    events = rng.normal([X0 + 3000, Y0 + 3000], 500, size=(300, 2))
    extent = (X0 - 3000, Y0 - 3000, X0 + 9000, Y0 + 9000)
    diff = dual_kernel_density(events, population, method="difference", bandwidth=800, cell_size=100, extent=extent)
    assert diff.density.sum() * diff.cell_area_km2 == pytest.approx(0, abs=1e-3 * len(events))
    assert diff.density.max() > 0 > diff.density.min()


def test_dual_bad_method_raises(population):
    with pytest.raises(ValueError, match="method"):
        dual_kernel_density(population[:10], population, method="log")


def test_no_warnings_on_ordinary_input(clustered):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        density_bands(kernel_density(clustered))


# --------------------------------------------------------------------------- reading at cells


@pytest.fixture
def surface(clustered):
    return kernel_density(clustered, bandwidth=600, cell_size=100)


def test_density_at_aligned_square_cells_is_the_grid_value(surface):
    x0, y0, x1, y1 = surface.extent
    cells = square_grid(100, extent=(x0 + 250, y0 + 250, x1 - 250, y1 - 250), crs=32616)
    at = density_at(surface, cells)
    c = cells.geometry.centroid
    i = np.round((surface.y_max - c.y.to_numpy()) / 100 - 0.5).astype(int)
    j = np.round((c.x.to_numpy() - surface.x_min) / 100 - 0.5).astype(int)
    np.testing.assert_array_equal(at, surface.density[i, j])


def test_density_at_a_point_between_centres_is_bilinear():
    z = np.array([[0.0, 4.0], [8.0, 12.0]])
    grid = DensityGrid(z, x_min=X0, y_max=Y0, cell_size=10, bandwidth=10, kernel="quartic", n_points=1)
    # centres at (X0+5, Y0-5) = 0, (X0+15, Y0-5) = 4, (X0+5, Y0-15) = 8, (X0+15, Y0-15) = 12
    at = density_at(grid, [[X0 + 10, Y0 - 10], [X0 + 7.5, Y0 - 5]])
    np.testing.assert_allclose(at, [6.0, 1.0])


def test_density_at_mean_averages_the_centres_inside_each_polygon():
    z = np.arange(16.0).reshape(4, 4)
    grid = DensityGrid(z, x_min=X0, y_max=Y0, cell_size=10, bandwidth=10, kernel="quartic", n_points=1)
    polys = gpd.GeoSeries([shapely.box(X0, Y0 - 20, X0 + 20, Y0), shapely.box(X0 + 31, Y0 - 39, X0 + 39, Y0 - 31)], crs=32616)
    at = density_at(grid, polys, how="mean")
    # the NW 2 x 2 block holds values 0, 1, 4, 5; the small box holds no centre: its centroid is the SE centre
    np.testing.assert_allclose(at, [2.5, 15.0])


def test_density_at_hexagons_gives_one_value_per_cell(surface):
    x0, y0, x1, y1 = surface.extent
    hexes = hex_grid(200, extent=(x0 + 500, y0 + 500, x1 - 500, y1 - 500), crs=32616)
    at = density_at(surface, hexes, how="mean")
    assert at.shape == (len(hexes),) and np.isfinite(at).all() and at.max() > 0


@pytest.mark.parametrize(
    ("cells", "how", "match"),
    [
        ([[X0 + 1e6, Y0]], "centroid", "outside the density grid"),
        ([[X0, Y0]], "nearest", "how"),
        (gpd.GeoSeries([shapely.Point(-88.5, 17.2)], crs=4326), "centroid", "geographic"),
    ],
    ids=["outside", "bad-how", "degrees"],
)
def test_density_at_rejects_bad_input(surface, cells, how, match):
    with pytest.raises(ValueError, match=match):
        density_at(surface, cells, how=how)
