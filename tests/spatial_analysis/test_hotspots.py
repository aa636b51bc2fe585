"""spatial_analysis.hotspots against esda, scipy and hand-computed cases."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy import stats

from spatial_analysis.autocorrelation import _peak_indices, incremental_spatial_autocorrelation, morans_i
from spatial_analysis.hotspots import (
    GetisOrdGiStar,
    gi_star,
    gi_star_z_scores,
    ohsa_k,
    optimized_distance_band,
)
from spatial_analysis.significance import confidence_bins, false_discovery_rate
from spatial_analysis.weights import (
    distance_band_weights,
    k_neighbour_distances,
    knn_weights,
    standard_distance,
)

esda = pytest.importorskip("esda")
libpysal_weights = pytest.importorskip("libpysal.weights")

ORIGIN = np.array([300_000.0, 1_900_000.0])


@pytest.fixture
def rng():
    return np.random.default_rng(7)


@pytest.fixture
def scattered(rng):
    """250 cells scattered over 4 km x 4 km with Poisson counts and one busy area."""
    pts = ORIGIN + rng.uniform(0, 4_000, size=(250, 2))
    lam = 2.0 + 6.0 * np.exp(-(((pts - ORIGIN - 1_000) ** 2).sum(axis=1)) / (2 * 500.0**2))
    return pts, rng.poisson(lam).astype(float)


def _grid(nx: int, ny: int, cell: float = 250.0) -> np.ndarray:
    xx, yy = np.meshgrid(np.arange(nx) * cell, np.arange(ny) * cell)
    return ORIGIN + np.c_[xx.ravel(), yy.ravel()]


def _esda_w(sparse_matrix):
    return libpysal_weights.W.from_sparse(sparse_matrix)


# ---------------------------------------------------------------- Gi* vs esda


@pytest.mark.parametrize(
    "build",
    [
        lambda p: distance_band_weights(p, 450.0, include_self=True),
        lambda p: knn_weights(p, 8, include_self=True),
    ],
    ids=["distance_band", "knn"],
)
def test_gi_star_z_equals_esda_g_local_star(scattered, build):
    pts, y = scattered
    w = build(pts)
    ours = gi_star_z_scores(w, y)
    theirs = esda.G_Local(y, _esda_w(w), star=True, transform="B", permutations=0)
    np.testing.assert_allclose(ours, theirs.Zs, rtol=0, atol=1e-9)


@pytest.mark.parametrize(
    ("weights", "kwargs", "libpysal_w"),
    [
        ("distance_band", {"distance": 450.0}, lambda p: libpysal_weights.DistanceBand(p, 450.0, binary=True)),
        ("knn", {"k": 8}, lambda p: libpysal_weights.KNN(p, k=8)),
    ],
    ids=["distance_band", "knn"],
)
def test_gi_star_function_equals_esda_with_libpysal_built_weights(scattered, weights, kwargs, libpysal_w):
    """Independent path: libpysal builds the neighbours, esda adds the self-weight."""
    pts, y = scattered
    r = gi_star(pts, y, weights=weights, **kwargs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        g = esda.G_Local(y, libpysal_w(pts), star=True, transform="B", permutations=0)
    np.testing.assert_allclose(r.z_scores, g.Zs, rtol=0, atol=1e-9)
    np.testing.assert_allclose(r.p_values, 2 * g.p_norm, rtol=0, atol=1e-12)


def test_gi_star_reproduces_esda_docstring_example():
    pts = [(10, 10), (20, 10), (40, 10), (15, 20), (30, 20), (30, 30)]
    y = [2, 3, 3.2, 5, 8, 7]
    z = gi_star_z_scores(distance_band_weights(pts, 15, include_self=True), y)
    np.testing.assert_allclose(z, [-1.39727626, -0.28917762, 0.65064964, -0.28917762, 1.23452088, 2.02424331], atol=1e-8)


def test_gi_star_by_hand_on_three_cells():
    # cells 0-1-2 in a row, band links neighbours; x = [1, 2, 6]: xbar = 3, S = sqrt(14/3)
    pts = ORIGIN + np.array([[0.0, 0.0], [100.0, 0.0], [200.0, 0.0]])
    w = distance_band_weights(pts, 100, include_self=True)
    x = np.array([1.0, 2.0, 6.0])
    s = np.sqrt((x**2).mean() - x.mean() ** 2)
    # cell 0: W = 2, local sum 3 -> (3 - 3*2) / (S sqrt((3*2 - 4) / 2))
    expected0 = (3 - 6) / (s * np.sqrt((3 * 2 - 4) / 2))
    z = gi_star_z_scores(w, x)
    assert z[0] == pytest.approx(expected0)
    # cell 1 sees everyone: n*S1 - W^2 = 0, z undefined
    assert np.isnan(z[1])


# ---------------------------------------------------------------- FDR and bins


def test_fdr_equals_scipy_false_discovery_control(rng):
    p = rng.uniform(0, 1, 500) ** 3
    np.testing.assert_allclose(false_discovery_rate(p), stats.false_discovery_control(p), rtol=0, atol=1e-15)


def test_fdr_by_hand():
    # sorted p: 0.01, 0.03, 0.04, 0.20 -> p*m/rank: 0.04, 0.06, 0.0533, 0.20 -> step-up minimum
    q = false_discovery_rate([0.01, 0.04, 0.03, 0.20])
    np.testing.assert_allclose(q, [0.04, 0.16 / 3, 0.16 / 3, 0.20])


def test_fdr_ignores_nan_entries():
    q = false_discovery_rate([0.01, np.nan, 0.04])
    assert np.isnan(q[1])
    np.testing.assert_allclose(q[[0, 2]], [0.02, 0.04])


@pytest.mark.parametrize(
    ("fdr", "expected"),
    [(False, [3, -2, 1, 0, -1]), (True, [2, 0, 0, 0, 0])],
    ids=["raw-p", "fdr"],
)
def test_confidence_bins_by_hand(fdr, expected):
    z = [3.0, -2.0, 1.7, 0.5, -1.66]
    p = [0.0027, 0.0455, 0.0891, 0.6171, 0.0969]
    # BH with m = 5, ranks 1..5 = 0.0027, 0.0455, 0.0891, 0.0969, 0.6171:
    # p*m/rank = 0.0135, 0.11375, 0.1485, 0.121125, 0.6171; step-up minimum from the top
    # gives q = 0.0135 (95%), 0.11375, 0.121125, 0.121125, 0.6171 (none below 0.10)
    np.testing.assert_array_equal(confidence_bins(z, p, fdr=fdr), expected)


def test_confidence_bins_follow_esri_thresholds(scattered):
    pts, y = scattered
    r = gi_star(pts, y, distance=450.0, fdr=False)
    z, b = r.z_scores, r.confidence_bins
    np.testing.assert_array_equal(b[np.abs(z) > 2.5758], 3 * np.sign(z[np.abs(z) > 2.5758]))
    mid = (np.abs(z) > 1.9600) & (np.abs(z) < 2.5758)
    np.testing.assert_array_equal(b[mid], 2 * np.sign(z[mid]))
    low = (np.abs(z) > 1.6449) & (np.abs(z) < 1.9599)
    np.testing.assert_array_equal(b[low], np.sign(z[low]))
    np.testing.assert_array_equal(b[np.abs(z) < 1.6448], 0)


def test_fdr_bins_are_never_stronger_than_raw_bins(scattered):
    pts, y = scattered
    raw = gi_star(pts, y, distance=450.0, fdr=False).confidence_bins
    adj = gi_star(pts, y, distance=450.0, fdr=True).confidence_bins
    assert (np.abs(adj) <= np.abs(raw)).all()
    assert ((adj == 0) | (np.sign(adj) == np.sign(raw))).all()


# ---------------------------------------------------------------- Moran's I


@pytest.mark.parametrize("transform", ["r", "b"], ids=["row-standardised", "binary"])
def test_morans_i_equals_esda_moran(scattered, transform):
    pts, y = scattered
    w = distance_band_weights(pts, 450.0)
    ours = morans_i(y, w, transform=transform)
    m = esda.Moran(y, _esda_w(w), transformation=transform, permutations=0)
    got = (ours.i, ours.expected, ours.variance_normality, ours.variance_randomisation)
    np.testing.assert_allclose(got, (m.I, m.EI, m.VI_norm, m.VI_rand), rtol=1e-12)
    np.testing.assert_allclose(
        (ours.z_normality, ours.z_randomisation, ours.p_normality, ours.p_randomisation),
        (m.z_norm, m.z_rand, m.p_norm, m.p_rand),
        rtol=1e-9,
    )


def test_morans_i_of_a_checkerboard_is_negative():
    pts = _grid(6, 6)
    ij = np.add.outer(np.arange(6), np.arange(6)).ravel()
    r = morans_i(np.where(ij % 2 == 0, 1.0, 0.0), distance_band_weights(pts, 250.0))
    assert r.i == pytest.approx(-1.0)
    assert r.z_randomisation < -5


@pytest.mark.parametrize(
    ("values", "match"),
    [(np.ones(36), "all equal"), (np.r_[np.ones(35), np.nan], "non-finite"), (np.ones(5), "shape")],
    ids=["constant", "nan", "wrong-length"],
)
def test_morans_i_rejects_bad_values(values, match):
    with pytest.raises(ValueError, match=match):
        morans_i(values, distance_band_weights(_grid(6, 6), 250.0))


# ---------------------------------------------------------------- incremental autocorrelation


def test_incremental_bands_each_equal_esda_moran(scattered):
    pts, y = scattered
    r = incremental_spatial_autocorrelation(pts, y, n_bands=5, start=300.0, increment=150.0)
    np.testing.assert_allclose(r.distances, [300, 450, 600, 750, 900])
    for d, i_val, z in zip(r.distances, r.morans_i, r.z_scores):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            w = libpysal_weights.DistanceBand(pts, d, binary=True, silence_warnings=True)
        m = esda.Moran(y, w, transformation="r", permutations=0)
        assert i_val == pytest.approx(m.I, rel=1e-10)
        assert z == pytest.approx(m.z_rand, rel=1e-9)


def test_incremental_default_bands_start_at_max_nn_and_step_by_mean_nn():
    pts = _grid(30, 30)  # all nearest neighbours 250 m; 10 x 250 m stays inside one SD (~3.06 km)
    y = np.random.default_rng(3).poisson(4, len(pts)).astype(float)
    r = incremental_spatial_autocorrelation(pts, y)
    np.testing.assert_allclose(r.distances, 250.0 * np.arange(1, 11))
    assert r.n_outliers == 0 and r.dropped_bands == 0


def test_incremental_caps_default_bands_at_one_standard_distance():
    pts = _grid(8, 8)
    y = np.arange(64, dtype=float)
    r = incremental_spatial_autocorrelation(pts, y)
    assert r.distances[0] == pytest.approx(250.0)
    assert r.distances[-1] == pytest.approx(standard_distance(pts))
    assert r.distances.size == 10


def test_incremental_sets_locational_outliers_aside_for_the_first_band():
    pts = np.vstack([_grid(10, 10), ORIGIN + [50_000.0, 50_000.0]])
    y = np.r_[np.arange(100, dtype=float), 3.0]
    r = incremental_spatial_autocorrelation(pts, y)
    assert r.n_outliers == 1
    assert r.distances[0] == pytest.approx(250.0)


def test_incremental_skips_bands_with_too_many_neighbours():
    pts = _grid(20, 20)
    y = np.random.default_rng(5).poisson(4, len(pts)).astype(float)
    r = incremental_spatial_autocorrelation(pts, y, start=250.0, increment=250.0, max_neighbours=30)
    assert r.dropped_bands > 0
    assert (r.mean_neighbours <= 30).all()


@pytest.mark.parametrize(
    ("z", "expected"),
    [
        ([1.0, 2.0, 3.0, 2.0, 1.0], (2, 2)),
        ([1.0, 3.0, 3.0, 2.0], (2, 2)),  # plateau: the last band before the drop
        ([0.0, 1.0, 1.5, 1.2, 3.0, 2.0], (4, 4)),  # the first local maximum is not significant
        ([2.0, 5.0, 4.0, 6.0, 7.0, 3.0], (1, 4)),  # first and highest differ
        ([3.0, 2.0, 1.0], (None, None)),  # never rises
        ([1.0, 2.0, 3.0, 4.0], (None, None)),  # still rising at the last band
    ],
    ids=["single", "plateau", "insignificant-first", "first-vs-max", "falling", "rising"],
)
def test_peak_detection(z, expected):
    assert _peak_indices(np.array(z), 1.65) == expected


# ---------------------------------------------------------------- automatic scale


def test_ohsa_k_rule():
    assert [ohsa_k(n) for n in (10, 60, 100, 400, 600, 10_000)] == [3, 3, 5, 20, 30, 30]


def test_optimized_distance_uses_the_first_peak(scattered):
    pts, y = scattered
    d = optimized_distance_band(pts, y)
    inc = incremental_spatial_autocorrelation(pts, y)
    assert inc.first_peak_distance is not None
    assert d.method == "first_peak" and d.distance == inc.first_peak_distance
    assert any("first statistically significant peak" in line for line in d.log)


def test_optimized_distance_falls_back_to_average_kth_neighbour_distance():
    pts = _grid(12, 12)
    y = np.random.default_rng(1).poisson(3, len(pts)).astype(float)
    d = optimized_distance_band(pts, y)
    assert d.method == "k_neighbours" and d.k == ohsa_k(144) == 7
    assert d.distance == pytest.approx(k_neighbour_distances(pts, 7).mean)
    assert any("No statistically significant peak" in line for line in d.log)


def test_optimized_distance_is_capped_at_one_standard_distance():
    # four clusters of three points at the corners of a 10 km square: the 3rd neighbour is
    # in another cluster (~10 km away), beyond one standard distance (~7.1 km)
    corners = ORIGIN + np.array([[0.0, 0.0], [10_000.0, 0.0], [0.0, 10_000.0], [10_000.0, 10_000.0]])
    offsets = np.array([[0.0, 0.0], [20.0, 0.0], [0.0, 20.0]])
    pts = (corners[:, None, :] + offsets[None, :, :]).reshape(-1, 2)
    y = np.array([1.0, 5.0, 2.0, 4.0, 1.0, 3.0, 2.0, 2.0, 5.0, 1.0, 4.0, 3.0])
    d = optimized_distance_band(pts, y)
    assert d.method == "standard_distance"
    assert d.distance == pytest.approx(standard_distance(pts))
    assert any("exceeds one standard distance" in line for line in d.log)


# ---------------------------------------------------------------- estimator and rules


def test_estimator_equals_function_and_returns_self(scattered):
    pts, y = scattered
    est = GetisOrdGiStar(distance=450.0)
    assert est.fit(pts, y) is est
    r = gi_star(pts, y, distance=450.0)
    np.testing.assert_array_equal(est.z_scores_, r.z_scores)
    np.testing.assert_array_equal(est.confidence_bins_, r.confidence_bins)
    assert est.distance_ == 450.0 and est.k_ is None and est.n_features_in_ == len(y)
    assert isinstance(est.decision_log_, list) and all(isinstance(s, str) for s in est.decision_log_)


def test_estimator_init_only_stores_parameters():
    est = GetisOrdGiStar(weights="bogus", distance=-1)
    assert est.get_params()["weights"] == "bogus"
    with pytest.raises(ValueError, match="weights"):
        est.fit(_grid(6, 6), np.arange(36.0))


def test_automatic_scale_is_recorded(scattered):
    pts, y = scattered
    est = GetisOrdGiStar().fit(pts, y)
    assert est.scale_ is not None and est.distance_ == est.scale_.distance
    assert any(line.startswith("Scale of analysis") for line in est.decision_log_)
    assert est.decision_log_[-1].startswith("Gi* with FDR correction")


def test_knn_default_k_follows_the_ohsa_rule(scattered):
    pts, y = scattered
    est = GetisOrdGiStar(weights="knn").fit(pts, y)
    assert est.k_ == ohsa_k(len(y)) == 12
    np.testing.assert_array_equal(est.n_neighbours_, 12)


def test_a_planted_cluster_is_the_only_hot_spot():
    pts = _grid(10, 10)
    counts = np.ones(100)
    corner = (pts[:, 0] - ORIGIN[0] < 750) & (pts[:, 1] - ORIGIN[1] < 750)
    counts[corner] = 8
    r = gi_star(pts, counts, distance=400.0)
    assert (r.confidence_bins[corner] == 3).all()
    assert (r.confidence_bins >= 0).all()
    assert (r.confidence_bins[~corner] < 3).all()


def test_row_order_does_not_change_results(scattered, rng):
    pts, y = scattered
    perm = rng.permutation(len(y))
    a = gi_star(pts, y)
    b = gi_star(pts[perm], y[perm])
    assert b.distance == pytest.approx(a.distance, rel=1e-12)
    np.testing.assert_allclose(b.z_scores, a.z_scores[perm], rtol=1e-12)
    np.testing.assert_array_equal(b.confidence_bins, a.confidence_bins[perm])


def test_inputs_are_not_modified(scattered):
    pts, y = scattered
    pts0, y0 = pts.copy(), y.copy()
    gi_star(pts, y, zero_cells="drop")
    np.testing.assert_array_equal(pts, pts0)
    np.testing.assert_array_equal(y, y0)


def test_results_are_read_only(scattered):
    pts, y = scattered
    r = gi_star(pts, y, distance=450.0)
    with pytest.raises(ValueError):
        r.z_scores[0] = 0.0


def test_zero_cells_drop_analyses_only_cells_with_incidents():
    pts = _grid(12, 12)
    y = np.random.default_rng(11).poisson(1.2, len(pts)).astype(float)
    r = gi_star(pts, y, distance=600.0, zero_cells="drop")
    np.testing.assert_array_equal(r.analysed, y > 0)
    assert np.isnan(r.z_scores[y == 0]).all() and (r.confidence_bins[y == 0] == 0).all()
    expected = gi_star_z_scores(distance_band_weights(pts[y > 0], 600.0, include_self=True), y[y > 0])
    np.testing.assert_allclose(r.z_scores[y > 0], expected)
    assert any("Zero cells dropped" in line for line in r.decision_log)


@pytest.mark.parametrize(
    ("total", "zero_cells", "passes"),
    [(29, "keep", False), (30, "keep", True), (59, "drop", False), (60, "drop", True)],
    ids=["29-bounded", "30-bounded", "59-unbounded", "60-unbounded"],
)
def test_minimum_incidents_rule(total, zero_cells, passes):
    """Esri: 30 incidents with a bounded study area, 60 for a fishnet without one."""
    pts = _grid(10, 10)
    y = np.zeros(100)
    y[: total - 2] = 1.0
    y[total - 2] = 2.0  # total incidents; the non-zero counts vary
    assert y.sum() == total
    kwargs = {"distance": 600.0, "zero_cells": zero_cells, "min_features": None}
    if passes:
        assert gi_star(pts, y, **kwargs).z_scores.shape == (100,)
    else:
        with pytest.raises(ValueError, match="min_incidents"):
            gi_star(pts, y, **kwargs)


def test_minimum_features_rule():
    pts = _grid(5, 5)  # 25 cells < 30
    with pytest.raises(ValueError, match="min_features"):
        gi_star(pts, np.arange(25.0) + 1, distance=300.0)
    r = gi_star(pts, np.arange(25.0) + 1, distance=300.0, min_features=None)
    assert r.z_scores.shape == (25,)


@pytest.mark.parametrize(
    ("values", "kwargs", "error", "match"),
    [
        (np.full(36, 3.0), {"distance": 300.0}, ValueError, "same value"),
        (np.r_[-1.0, np.ones(35) * 2], {"distance": 300.0}, ValueError, "negative count"),
        (np.r_[np.nan, np.ones(35)], {"distance": 300.0}, ValueError, "non-finite"),
        (np.ones(35), {"distance": 300.0}, ValueError, "shape"),
        (np.arange(36.0), {"weights": "knn", "distance": 300.0}, ValueError, "distance"),
        (np.arange(36.0), {"distance": 300.0, "k": 4}, ValueError, "k is for"),
        (np.arange(36.0), {"distance": 0.0}, ValueError, "distance"),
        (np.arange(36.0), {"distance": 300.0, "zero_cells": "ignore"}, ValueError, "zero_cells"),
        (np.arange(36.0), {"distance": 300.0, "min_incidents": "lots"}, ValueError, "min_incidents"),
        (np.arange(36.0), {"weights": "knn", "k": 2.5}, TypeError, "k"),
    ],
    ids=[
        "constant",
        "negative",
        "nan",
        "length",
        "distance-with-knn",
        "k-with-band",
        "zero-distance",
        "zero-cells",
        "min-incidents",
        "k-float",
    ],
)
def test_gi_star_rejects_bad_input(values, kwargs, error, match):
    with pytest.raises(error, match=match):
        gi_star(_grid(6, 6), values, **kwargs)


def test_gi_star_rejects_degrees():
    lonlat = np.c_[np.linspace(-88.5, -88.4, 36), np.linspace(17.2, 17.3, 36)]
    with pytest.raises(ValueError, match="degrees"):
        gi_star(lonlat, np.arange(36.0))


def test_values_other_than_counts_skip_the_count_rules():
    pts = _grid(6, 6)
    rates = np.linspace(-1.0, 1.0, 36)
    r = gi_star(pts, rates, distance=300.0, min_incidents=None)
    assert np.isfinite(r.z_scores).all()


def test_isolated_cells_warn():
    pts = np.vstack([_grid(6, 6), ORIGIN + [20_000.0, 20_000.0]])
    y = np.r_[np.arange(36.0), 5.0]
    with pytest.warns(UserWarning, match="no neighbour"):
        r = gi_star(pts, y, distance=300.0)
    assert r.n_neighbours[-1] == 0


@pytest.mark.parametrize(
    "run",
    [lambda p, y: gi_star(p, y, distance=300.0), lambda p, y: GetisOrdGiStar(distance=300.0).fit(p, y)],
    ids=["function", "estimator"],
)
def test_warnings_point_at_the_caller(run):
    pts = np.vstack([_grid(6, 6), ORIGIN + [20_000.0, 20_000.0]])
    y = np.r_[np.arange(36.0), 5.0]
    with pytest.warns(UserWarning, match="no neighbour") as record:
        run(pts, y)
    assert all(w.filename == __file__ for w in record)


def test_isolated_cells_warning_gives_the_distance_in_readable_metres():
    y = np.arange(36.0)
    with pytest.warns(UserWarning, match=r"no neighbour within 123 m;") as record:
        gi_star(_grid(6, 6), y, distance=123.456789, min_incidents=None)
    assert "123.456789" not in str(record[0].message)
