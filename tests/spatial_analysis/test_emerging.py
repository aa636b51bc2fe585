"""spatial_analysis.emerging: Mann-Kendall by hand and vs scipy, space-time Gi* vs esda,
one hand-checkable case per Esri category, and end-to-end behaviour."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy import stats

from spatial_analysis.emerging import (
    CATEGORIES,
    EmergingHotSpots,
    classify_emerging,
    emerging_hot_spots,
    mann_kendall,
    space_time_gi_star,
)
from spatial_analysis.weights import distance_band_weights

ORIGIN = np.array([300_000.0, 1_900_000.0])


@pytest.fixture
def rng():
    return np.random.default_rng(42)


def _grid(nx: int, ny: int, cell: float = 250.0) -> np.ndarray:
    xx, yy = np.meshgrid(np.arange(nx) * cell, np.arange(ny) * cell)
    return ORIGIN + np.c_[xx.ravel(), yy.ravel()]


# ---------------------------------------------------------------- Mann-Kendall


def test_mann_kendall_by_hand_with_a_tie():
    # pairs of [1, 2, 3, 2, 5]: 8 rise, 1 falls (3 -> 2), 1 tied (2, 2): S = 7
    # Var = (5*4*15 - 2*1*9) / 18 = 282 / 18; z = (7 - 1) / sqrt(Var)
    r = mann_kendall([1.0, 2.0, 3.0, 2.0, 5.0])
    assert r.s == 7
    assert r.variance == pytest.approx(282 / 18)
    assert r.z == pytest.approx(6 / np.sqrt(282 / 18))
    assert r.p == pytest.approx(2 * stats.norm.sf(6 / np.sqrt(282 / 18)))
    assert r.tau == pytest.approx(7 / 10)


def test_mann_kendall_decreasing_without_ties():
    r = mann_kendall([5.0, 4.0, 3.0, 2.0, 1.0, 0.0])
    n = 6
    assert r.s == -15
    assert r.variance == pytest.approx(n * (n - 1) * (2 * n + 5) / 18)
    assert r.z == pytest.approx((-15 + 1) / np.sqrt(n * (n - 1) * (2 * n + 5) / 18))


def test_mann_kendall_constant_series_has_no_trend():
    r = mann_kendall([2.0, 2.0, 2.0, 2.0])
    assert (r.s, r.variance, r.z, r.p) == (0, 0, 0, 1)


def test_mann_kendall_s_matches_scipy_kendalltau(rng):
    """With time untied, S = tau_b * sqrt(n0 * (n0 - n2)), n2 = tied pairs in the series."""
    series = rng.integers(0, 6, size=(50, 15)).astype(float)  # many ties
    r = mann_kendall(series)
    n = series.shape[1]
    n0 = n * (n - 1) / 2
    for row, s in zip(series, r.s):
        _, counts = np.unique(row, return_counts=True)
        n2 = (counts * (counts - 1) / 2).sum()
        tau_b = stats.kendalltau(np.arange(n), row).statistic
        if np.isnan(tau_b):
            assert s == 0
        else:
            assert s == pytest.approx(tau_b * np.sqrt(n0 * (n0 - n2)), abs=1e-9)


def test_mann_kendall_rows_equal_one_series_at_a_time(rng):
    series = rng.normal(size=(20, 12))
    batch = mann_kendall(series)
    for i, row in enumerate(series):
        one = mann_kendall(row)
        assert (batch.s[i], batch.variance[i], batch.z[i], batch.p[i]) == pytest.approx(
            (one.s, one.variance, one.z, one.p)
        )


def test_mann_kendall_needs_two_steps():
    with pytest.raises(ValueError, match="at least 2"):
        mann_kendall([1.0])


# ---------------------------------------------------------------- space-time Gi*


def _explicit_space_time_weights(pts, distance, n_steps, window):
    """The (cells*steps)-square binary weights, built bin by bin (test oracle)."""
    spatial = distance_band_weights(pts, distance, include_self=True).toarray() > 0
    n_cells = len(pts)
    size = n_cells * n_steps
    w = np.zeros((size, size))
    for t in range(n_steps):
        for s in range(max(0, t - window), t + 1):
            # bin index = cell * n_steps + step (row-major, as counts.ravel())
            w[np.ix_(np.arange(n_cells) * n_steps + t, np.arange(n_cells) * n_steps + s)] = spatial
    return w


@pytest.mark.parametrize("window", [0, 1, 2], ids=["window0", "window1", "window2"])
def test_space_time_gi_star_equals_esda_on_explicit_cube_weights(rng, window):
    libpysal_weights = pytest.importorskip("libpysal.weights")
    esda = pytest.importorskip("esda")
    from scipy import sparse

    pts = ORIGIN + rng.uniform(0, 2_000, size=(30, 2))
    counts = rng.poisson(3, size=(30, 6)).astype(float)
    r = space_time_gi_star(pts, counts, distance=500.0, time_step_window=window)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # an isolated cell; not what is tested here
        w = _explicit_space_time_weights(pts, 500.0, 6, window)
        w_st = libpysal_weights.W.from_sparse(sparse.csr_array(w))
    g = esda.G_Local(counts.ravel(), w_st, star=True, transform="B", permutations=0)
    np.testing.assert_allclose(r.z.ravel(), g.Zs, rtol=0, atol=1e-9)
    np.testing.assert_allclose(r.p.ravel(), 2 * g.p_norm, rtol=0, atol=1e-12)
    np.testing.assert_allclose(r.p_fdr.ravel(), stats.false_discovery_control(r.p.ravel()), atol=1e-15)


def test_space_time_gi_star_rejects_bad_parameters():
    pts = _grid(3, 3)
    counts = np.arange(27.0).reshape(9, 3)
    with pytest.raises(ValueError, match="time_step_window"):
        space_time_gi_star(pts, counts, distance=300.0, time_step_window=-1)
    with pytest.raises(ValueError, match="distance"):
        space_time_gi_star(pts, counts, distance=0.0)
    with pytest.raises(ValueError, match="counts"):
        space_time_gi_star(pts, counts[:5], distance=300.0)


# ---------------------------------------------------------------- the 17 categories by hand

H, C, _ = 1, -1, 0
NO_TREND = (0.0, 1.0)
UP = (3.0, 0.003)
DOWN = (-3.0, 0.003)

CASES = [
    # (id, significance over 10 steps, (trend z, trend p), expected name)
    ("new-hot", [_, _, _, _, _, _, _, _, _, H], NO_TREND, "new hot spot"),
    ("consecutive-hot", [_, _, _, _, _, _, _, H, H, H], NO_TREND, "consecutive hot spot"),
    ("intensifying-hot", [_, H, H, H, H, H, H, H, H, H], UP, "intensifying hot spot"),
    ("persistent-hot", [H, H, H, H, _, H, H, H, H, H], NO_TREND, "persistent hot spot"),
    ("diminishing-hot", [H, H, H, H, H, H, H, H, H, H], DOWN, "diminishing hot spot"),
    ("sporadic-hot", [_, H, _, _, H, _, H, _, _, H], NO_TREND, "sporadic hot spot"),
    ("oscillating-hot", [C, _, _, H, _, C, _, _, _, H], NO_TREND, "oscillating hot spot"),
    ("historical-hot", [H, H, H, H, H, H, H, H, H, _], DOWN, "historical hot spot"),
    ("new-cold", [_, _, _, _, _, _, _, _, _, C], NO_TREND, "new cold spot"),
    ("consecutive-cold", [_, _, _, _, _, _, C, C, C, C], NO_TREND, "consecutive cold spot"),
    ("intensifying-cold", [C, C, C, C, C, C, C, C, C, C], DOWN, "intensifying cold spot"),
    ("persistent-cold", [C, C, C, C, C, C, C, C, C, C], NO_TREND, "persistent cold spot"),
    ("diminishing-cold", [C, C, C, C, C, _, C, C, C, C], UP, "diminishing cold spot"),
    ("sporadic-cold", [C, _, C, _, _, _, _, _, _, C], NO_TREND, "sporadic cold spot"),
    ("oscillating-cold", [H, _, _, _, _, _, _, _, C, C], NO_TREND, "oscillating cold spot"),
    ("historical-cold", [C, C, C, C, C, C, C, C, C, _], NO_TREND, "historical cold spot"),
    ("no-pattern", [_, _, H, _, _, _, _, _, _, _], UP, "no pattern detected"),
]


@pytest.mark.parametrize(("sig", "trend", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_esri_category_by_hand(sig, trend, expected):
    code = classify_emerging([sig], [trend[0]], [trend[1]])
    assert CATEGORIES[int(code[0])] == expected


def test_the_cases_cover_all_17_categories():
    assert sorted(c[3] for c in CASES) == sorted(CATEGORIES.values())


TIE_BREAKS = [
    # cold history, then hot only at the end: Esri's "new" wording and "oscillating" both fit
    ("cold-then-new-hot-is-oscillating", [C, _, _, _, _, _, _, _, _, H], NO_TREND, "oscillating hot spot"),
    ("cold-then-run-is-oscillating", [_, C, _, _, _, _, _, H, H, H], NO_TREND, "oscillating hot spot"),
    # hot 90% of the time but cold at the end: the final state decides
    ("hot-90-then-cold-is-oscillating-cold", [H, H, H, H, H, H, H, H, H, C], NO_TREND, "oscillating cold spot"),
    # exactly 90% hot including the final step
    ("exactly-90-percent-is-persistent", [_, H, H, H, H, H, H, H, H, H], NO_TREND, "persistent hot spot"),
    # a final run of 8 is only 80%: consecutive, not persistent
    ("run-of-8-is-consecutive", [_, _, H, H, H, H, H, H, H, H], NO_TREND, "consecutive hot spot"),
    # hot before the final run, with a gap: sporadic, not consecutive
    ("hot-before-run-is-sporadic", [H, _, _, _, _, _, _, H, H, H], NO_TREND, "sporadic hot spot"),
    # 90% hot with a significant upward trend but not hot at the end: historical
    ("historical-ignores-trend", [H, H, H, H, H, H, H, H, H, _], UP, "historical hot spot"),
    # trend p exactly at trend_alpha counts as significant
    ("trend-at-alpha-is-significant", [H] * 10, (2.0, 0.10), "intensifying hot spot"),
    ("trend-above-alpha-is-not", [H] * 10, (2.0, 0.1001), "persistent hot spot"),
]


@pytest.mark.parametrize(("sig", "trend", "expected"), [c[1:] for c in TIE_BREAKS], ids=[c[0] for c in TIE_BREAKS])
def test_documented_tie_breaks(sig, trend, expected):
    code = classify_emerging([sig], [trend[0]], [trend[1]])
    assert CATEGORIES[int(code[0])] == expected


def test_classify_is_vectorised_over_cells():
    sig = np.array([c[1] for c in CASES])
    tz = np.array([c[2][0] for c in CASES])
    tp = np.array([c[2][1] for c in CASES])
    codes = classify_emerging(sig, tz, tp)
    assert [CATEGORIES[int(c)] for c in codes] == [c[3] for c in CASES]


def test_classify_rejects_other_significance_codes():
    with pytest.raises(ValueError, match="significance"):
        classify_emerging([[0, 2, 1]], [0.0], [1.0])


# ---------------------------------------------------------------- end to end


@pytest.fixture
def cube():
    """8 x 8 cells of 250 m, 12 months; three planted patterns on a background of 2."""
    pts = _grid(8, 8)
    x, y = (pts - ORIGIN).T
    counts = np.full((64, 12), 2.0)
    persistent = (x < 500) & (y < 500)  # 2 x 2 block, busy every month
    new = (x > 1_250) & (y > 1_250)  # 2 x 2 block, a burst in the last month only
    quiet = (x > 1_000) & (y < 750)  # 3 x 3 block that went silent for the last 6 months
    counts[persistent] = 9.0
    counts[np.ix_(new, [11])] = 25.0
    counts[np.ix_(quiet, range(6, 12))] = 0.0
    centre_of_quiet = (x == 1_500) & (y == 250)
    return pts, counts, {"persistent": persistent, "new": new, "quiet": quiet, "quiet_centre": centre_of_quiet}


def test_planted_patterns_are_recovered(cube):
    pts, counts, masks = cube
    r = emerging_hot_spots(pts, counts, distance=300.0)
    assert set(r.category[masks["persistent"]]) == {"persistent hot spot"}
    assert set(r.category[masks["new"]]) == {"new hot spot"}
    assert r.category[masks["quiet_centre"]].tolist() == ["consecutive cold spot"]
    assert (r.category_code[masks["quiet"]] <= 0).all()
    assert r.gi_z.shape == (64, 12) and r.gi_bins.shape == (64, 12)


def test_estimator_equals_function_and_returns_self(cube):
    pts, counts, _ = cube
    est = EmergingHotSpots(distance=300.0)
    assert est.fit(pts, counts) is est
    r = emerging_hot_spots(pts, counts, distance=300.0)
    np.testing.assert_array_equal(est.category_code_, r.category_code)
    np.testing.assert_array_equal(est.trend_z_, r.trend_z)
    np.testing.assert_array_equal(est.gi_z_, r.gi_z)
    assert est.distance_ == 300.0 and isinstance(est.decision_log_, list)


def test_trend_is_mann_kendall_of_the_gi_series(cube):
    pts, counts, _ = cube
    r = emerging_hot_spots(pts, counts, distance=300.0)
    mk = mann_kendall(r.gi_z)
    np.testing.assert_array_equal(r.trend_z, mk.z)
    np.testing.assert_array_equal(r.trend_p, mk.p)


def test_significance_uses_fdr_adjusted_p_at_alpha(cube):
    pts, counts, _ = cube
    r = emerging_hot_spots(pts, counts, distance=300.0, alpha=0.05)
    expected = np.where(r.gi_p_fdr <= 0.05, np.sign(r.gi_z), 0)
    np.testing.assert_array_equal(r.significance, expected)


def test_row_order_does_not_change_results(cube, rng):
    pts, counts, _ = cube
    perm = rng.permutation(len(pts))
    a = emerging_hot_spots(pts, counts, distance=300.0)
    b = emerging_hot_spots(pts[perm], counts[perm], distance=300.0)
    np.testing.assert_array_equal(b.category_code, a.category_code[perm])
    np.testing.assert_allclose(b.gi_z, a.gi_z[perm], rtol=1e-12)


def test_inputs_are_not_modified(cube):
    pts, counts, _ = cube
    pts0, counts0 = pts.copy(), counts.copy()
    emerging_hot_spots(pts, counts, distance=300.0)
    np.testing.assert_array_equal(pts, pts0)
    np.testing.assert_array_equal(counts, counts0)


def test_automatic_distance_is_recorded(cube):
    pts, counts, _ = cube
    r = emerging_hot_spots(pts, counts)
    assert r.scale is not None and r.distance == r.scale.distance
    assert any("chosen automatically" in line for line in r.decision_log)
    assert r.decision_log[-1].startswith("Categories:")


def test_few_time_steps_warn():
    pts = _grid(6, 6)
    counts = np.random.default_rng(0).poisson(3, size=(36, 5)).astype(float)
    with pytest.warns(UserWarning, match="5 time steps"):
        emerging_hot_spots(pts, counts, distance=300.0)


@pytest.mark.parametrize(
    ("counts", "kwargs", "error", "match"),
    [
        (np.ones((36, 1)) * np.arange(36)[:, None], {}, ValueError, "at least 2 time steps"),
        (np.full((36, 12), 4.0), {}, ValueError, "all equal"),
        (np.ones((35, 12)), {}, ValueError, "counts must have shape"),
        (np.r_[np.full((1, 12), np.nan), np.ones((35, 12))], {}, ValueError, "non-finite"),
        (np.arange(432.0).reshape(36, 12), {"time_step_window": 1.5}, TypeError, "time_step_window"),
        (np.arange(432.0).reshape(36, 12), {"alpha": 1.5}, ValueError, "alpha"),
        (np.arange(432.0).reshape(36, 12), {"distance": -10.0}, ValueError, "distance"),
    ],
    ids=["one-step", "constant", "wrong-cells", "nan", "float-window", "alpha", "distance"],
)
def test_emerging_rejects_bad_input(counts, kwargs, error, match):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        with pytest.raises(error, match=match):
            emerging_hot_spots(_grid(6, 6), counts, **{"distance": 300.0, **kwargs})


@pytest.mark.parametrize(
    "run",
    [
        lambda p, c: emerging_hot_spots(p, c, distance=300.0),
        lambda p, c: EmergingHotSpots(distance=300.0).fit(p, c),
    ],
    ids=["function", "estimator"],
)
def test_warnings_point_at_the_caller(run):
    pts = _grid(6, 6)
    counts = np.random.default_rng(0).poisson(3, size=(36, 5)).astype(float)
    with pytest.warns(UserWarning, match="time steps") as record:
        run(pts, counts)
    assert all(w.filename == __file__ for w in record)
