"""spatial_analysis.weights against brute force and libpysal."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy.spatial.distance import cdist

from spatial_analysis.weights import (
    distance_band_weights,
    k_neighbour_distances,
    knn_weights,
    nearest_neighbour_distances,
    neighbour_counts,
    neighbour_summary,
    row_standardise,
    standard_distance,
)

ORIGIN = np.array([300_000.0, 1_900_000.0])  # inside UTM 16N over Belize


@pytest.fixture
def rng():
    return np.random.default_rng(20240611)


@pytest.fixture
def random_points(rng):
    """300 points scattered over 5 km x 5 km: no distance ties."""
    return ORIGIN + rng.uniform(0, 5_000, size=(300, 2))


def _grid(nx: int, ny: int, cell: float = 250.0) -> np.ndarray:
    xx, yy = np.meshgrid(np.arange(nx) * cell, np.arange(ny) * cell)
    return ORIGIN + np.c_[xx.ravel(), yy.ravel()]


# ---------------------------------------------------------------- distance band


@pytest.mark.parametrize("distance", [150.0, 400.0, 900.0], ids=["150m", "400m", "900m"])
def test_distance_band_equals_brute_force(random_points, distance):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        w = distance_band_weights(random_points, distance)
    d = cdist(random_points, random_points)
    expected = ((d <= distance) & ~np.eye(len(d), dtype=bool)).astype(float)
    np.testing.assert_array_equal(w.toarray(), expected)


def test_distance_band_is_inclusive_at_the_threshold():
    pts = _grid(3, 1)
    w = distance_band_weights(pts, 250.0)
    assert w[0, 1] == 1.0 and w[1, 2] == 1.0 and w[0, 2] == 0.0


def test_include_self_puts_ones_on_the_diagonal(random_points):
    w = distance_band_weights(random_points, 600, include_self=True)
    np.testing.assert_array_equal(w.diagonal(), np.ones(len(random_points)))


def test_row_standardize_rows_sum_to_one(random_points):
    w = distance_band_weights(random_points, 600, include_self=True, row_standardize=True)
    np.testing.assert_allclose(np.asarray(w.sum(axis=1)).ravel(), 1.0)


def test_row_standardise_keeps_isolated_rows_zero_and_input_unchanged():
    pts = np.vstack([_grid(3, 1), ORIGIN + [10_000.0, 10_000.0]])
    with pytest.warns(UserWarning, match="1 of 4 point"):
        w = distance_band_weights(pts, 250.0)
    before = w.toarray().copy()
    r = row_standardise(w)
    np.testing.assert_allclose(np.asarray(r.sum(axis=1)).ravel(), [1, 1, 1, 0])
    np.testing.assert_array_equal(w.toarray(), before)


def test_isolated_points_warning_gives_the_distance_in_readable_metres():
    pts = np.vstack([_grid(3, 1), ORIGIN + [10_000.0, 10_000.0]])
    with pytest.warns(UserWarning, match=r"no neighbour within distance=667 m;") as record:
        distance_band_weights(pts, 667.2338293383885)
    assert "667.23" not in str(record[0].message)


def test_distance_band_equals_libpysal_distanceband(random_points):
    from libpysal.weights import DistanceBand

    ours = distance_band_weights(random_points, 500)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = DistanceBand(random_points, threshold=500, binary=True, silence_warnings=True)
    np.testing.assert_array_equal(ours.toarray(), theirs.sparse.toarray())


def test_distance_band_row_order_invariance(random_points, rng):
    perm = rng.permutation(len(random_points))
    w = distance_band_weights(random_points, 500).toarray()
    wp = distance_band_weights(random_points[perm], 500).toarray()
    np.testing.assert_array_equal(wp, w[np.ix_(perm, perm)])


def test_distance_band_does_not_modify_points(random_points):
    copy = random_points.copy()
    distance_band_weights(random_points, 500)
    np.testing.assert_array_equal(random_points, copy)


@pytest.mark.parametrize(
    ("distance", "error", "match"),
    [(0, ValueError, "distance"), (-5, ValueError, "distance"), ("far", TypeError, "distance")],
    ids=["zero", "negative", "not-a-number"],
)
def test_distance_band_rejects_bad_distance(random_points, distance, error, match):
    with pytest.raises(error, match=match):
        distance_band_weights(random_points, distance)


def test_distance_band_rejects_degrees():
    lonlat = [[-88.2, 17.5], [-88.19, 17.51], [-88.18, 17.49]]
    with pytest.raises(ValueError, match="degrees"):
        distance_band_weights(lonlat, 0.05)


def test_distance_band_rejects_non_finite_coordinates():
    with pytest.raises(ValueError, match="non-finite"):
        distance_band_weights([[0.0, 0.0], [np.nan, 1.0]], 10)


# ---------------------------------------------------------------- kNN


@pytest.mark.parametrize("k", [1, 4, 8], ids=["k1", "k4", "k8"])
def test_knn_equals_brute_force(random_points, k):
    w = knn_weights(random_points, k)
    d = cdist(random_points, random_points)
    np.fill_diagonal(d, np.inf)
    nearest = np.argsort(d, axis=1)[:, :k]
    expected = np.zeros_like(d)
    expected[np.repeat(np.arange(len(d)), k), nearest.ravel()] = 1.0
    np.testing.assert_array_equal(w.toarray(), expected)


def test_knn_equals_libpysal_knn(random_points):
    from libpysal.weights import KNN

    ours = knn_weights(random_points, 6)
    theirs = KNN(random_points, k=6)
    np.testing.assert_array_equal(ours.toarray(), theirs.sparse.toarray())


def test_knn_include_self_gives_k_plus_one_per_row(random_points):
    w = knn_weights(random_points, 5, include_self=True)
    np.testing.assert_array_equal(np.diff(w.indptr), 6)
    np.testing.assert_array_equal(w.diagonal(), 1.0)


def test_knn_never_picks_itself_among_coincident_points():
    pts = ORIGIN + np.array([[0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [100.0, 0.0]])
    w = knn_weights(pts, 2).toarray()
    np.testing.assert_array_equal(w.diagonal(), 0.0)
    np.testing.assert_array_equal(w.sum(axis=1), 2.0)


@pytest.mark.parametrize(
    ("k", "error"),
    [(0, ValueError), (300, ValueError), (2.5, TypeError), (True, TypeError)],
    ids=["zero", "n", "float", "bool"],
)
def test_knn_rejects_bad_k(random_points, k, error):
    with pytest.raises(error, match="k"):
        knn_weights(random_points, k)


# ---------------------------------------------------------------- neighbour statistics


def test_neighbour_counts_ignore_the_diagonal():
    pts = _grid(4, 1)
    w = distance_band_weights(pts, 250.0, include_self=True)
    np.testing.assert_array_equal(neighbour_counts(w), [1, 2, 2, 1])


def test_neighbour_summary_on_a_grid():
    w = distance_band_weights(_grid(5, 5), 250.0)  # rook neighbours
    s = neighbour_summary(w)
    assert (s.n_points, s.min, s.max, s.n_isolated) == (25, 2, 4, 0)
    assert s.mean == pytest.approx((4 * 2 + 12 * 3 + 9 * 4) / 25)
    assert "mean 3.2" in s.describe()


def test_nearest_neighbour_distances_skip_coincident_points():
    pts = ORIGIN + np.array([[0.0, 0.0], [0.0, 0.0], [30.0, 40.0], [330.0, 40.0]])
    np.testing.assert_allclose(nearest_neighbour_distances(pts), [50, 50, 50, 300])
    np.testing.assert_allclose(nearest_neighbour_distances(pts, exclude_coincident=False), [0, 0, 50, 300])


def test_k_neighbour_distances_equal_brute_force(random_points):
    r = k_neighbour_distances(random_points, 5)
    d = np.sort(cdist(random_points, random_points), axis=1)[:, 5]
    np.testing.assert_allclose(r.distances, d)
    assert (r.min, r.mean, r.max) == pytest.approx((d.min(), d.mean(), d.max()))


def test_k_neighbour_max_is_where_every_point_has_k_neighbours(random_points):
    r = k_neighbour_distances(random_points, 4)
    # the farthest k-th neighbour sits exactly on the band edge: allow for rounding
    assert neighbour_summary(distance_band_weights(random_points, r.max * (1 + 1e-12))).min >= 4
    assert neighbour_summary(distance_band_weights(random_points, r.max * (1 - 1e-9))).min < 4


def test_standard_distance_by_hand():
    pts = ORIGIN + np.array([[0.0, 0.0], [600.0, 0.0], [0.0, 800.0], [600.0, 800.0]])
    # deviations from the centre are (+-300, +-400): 500 m each
    assert standard_distance(pts) == pytest.approx(500.0)


def test_distance_band_scales_to_100k_cells():
    """A 100k-cell fishnet with a 750 m band builds (vectorised, no per-cell loop)."""
    pts = _grid(400, 250)
    w = distance_band_weights(pts, 750.0, include_self=True)
    assert w.shape == (100_000, 100_000)
    assert neighbour_summary(w).max == 28  # 29 cells within 3 cells' radius, minus itself


def test_neighbour_counts_ignore_explicit_zeros_and_accept_counts_in_summary():
    from scipy import sparse

    w = sparse.csr_array(
        (np.array([1.0, 0.0, 1.0, 1.0]), np.array([1, 2, 0, 1]), np.array([0, 2, 4, 4])), shape=(3, 3)
    )  # row 0: neighbour 1 and an explicit zero to 2; row 1: neighbour 0 and itself; row 2: none
    counts = neighbour_counts(w)
    np.testing.assert_array_equal(counts, [1, 1, 0])
    assert neighbour_summary(counts) == neighbour_summary(w)
    with pytest.raises(ValueError, match="square"):
        neighbour_counts(sparse.csr_array(np.ones((2, 3))))
