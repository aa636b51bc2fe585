"""Tests for spatial_analysis.near_repeat (Knox test, Near Repeat Calculator style).

The oracle is a brute-force O(n^2) count in plain numpy that tests every band with
explicit ``lo <= d < hi`` comparisons, independent of the k-d tree / searchsorted
code path in the module.
"""

from __future__ import annotations

import numpy as np
import pytest

from spatial_analysis.near_repeat import (
    INCIDENT_LABELS,
    KnoxResult,
    NearRepeat,
    knox_test,
    near_repeat_labels,
)

S_EDGES = [0.0, 1.0, 100.0, 200.0, 300.0]  # the default bands
T_EDGES = [0.0, 7.0, 14.0, 21.0]


# ---------------------------------------------------------------- brute force


def brute_table(pts, days, s_edges, t_edges, metric="euclidean"):
    """All n(n-1)/2 pairs, every band tested with explicit lo <= value < hi."""
    pts = np.asarray(pts, dtype=float)
    days = np.asarray(days, dtype=float)
    i, j = np.triu_indices(len(pts), k=1)
    dx = pts[i, 0] - pts[j, 0]
    dy = pts[i, 1] - pts[j, 1]
    d = np.hypot(dx, dy) if metric == "euclidean" else np.abs(dx) + np.abs(dy)
    dt = np.abs(days[i] - days[j])
    s_b = list(zip(s_edges, list(s_edges[1:]) + [np.inf]))
    t_b = list(zip(t_edges, list(t_edges[1:]) + [np.inf]))
    out = np.zeros((len(s_b), len(t_b)), dtype=np.int64)
    for a, (slo, shi) in enumerate(s_b):
        for b, (tlo, thi) in enumerate(t_b):
            out[a, b] = np.count_nonzero((d >= slo) & (d < shi) & (dt >= tlo) & (dt < thi))
    return out


def brute_monte_carlo(pts, days, s_edges, t_edges, permutations, seed, metric="euclidean"):
    """Reproduce the documented permutation scheme with the brute-force table."""
    pts = np.asarray(pts, dtype=float)
    days = np.asarray(days, dtype=float)
    order = np.lexsort((pts[:, 1], pts[:, 0], days))
    pts, days = pts[order], days[order]
    obs = brute_table(pts, days, s_edges, t_edges, metric)
    rng = np.random.default_rng(seed)
    sims = np.array(
        [brute_table(pts, days[rng.permutation(len(days))], s_edges, t_edges, metric) for _ in range(permutations)]
    )
    return obs, sims.mean(axis=0), ((sims >= obs).sum(axis=0) + 1) / (permutations + 1)


# ------------------------------------------------------------------- fixtures


@pytest.fixture
def rng():
    return np.random.default_rng(20240611)


@pytest.fixture
def integer_incidents(rng):
    """Integer metres and days on a small area, so many pairs sit exactly on edges."""
    n = 120
    pts = rng.integers(0, 400, size=(n, 2)).astype(float)
    pts[:15] = pts[15:30]  # same-location repeats
    days = rng.integers(0, 40, size=n)
    return pts, days


# --------------------------------------------------------------------- tables


@pytest.mark.parametrize("metric", ["euclidean", "manhattan"], ids=["euclidean", "manhattan"])
def test_observed_table_equals_brute_force(integer_incidents, metric):
    pts, days = integer_incidents
    with pytest.warns(UserWarning, match="smallest possible p-value"):
        res = knox_test(pts, days, metric=metric, permutations=1, random_state=0)
    np.testing.assert_array_equal(res.observed, brute_table(pts, days, S_EDGES, T_EDGES, metric))


def test_observed_table_with_explicit_edges_equals_brute_force(integer_incidents):
    pts, days = integer_incidents
    s_edges, t_edges = [0, 0.5, 25, 60, 150], [0, 1, 2, 5, 10]
    res = knox_test(pts, days, spatial_edges=s_edges, temporal_edges=t_edges, permutations=19, random_state=0)
    np.testing.assert_array_equal(res.observed, brute_table(pts, days, s_edges, t_edges))


def test_observed_table_sums_to_all_pairs(integer_incidents):
    pts, days = integer_incidents
    res = knox_test(pts, days, permutations=19, random_state=0)
    n = len(pts)
    assert res.observed.sum() == n * (n - 1) // 2 == res.n_pairs


def test_fractional_days_and_coordinates_equal_brute_force(rng):
    pts = rng.uniform(0, 500, size=(150, 2))
    days = rng.uniform(0, 30, size=150)
    res = knox_test(pts, days, permutations=19, random_state=0)
    np.testing.assert_array_equal(res.observed, brute_table(pts, days, S_EDGES, T_EDGES))


# ----------------------------------------------------------------- band edges


def _edge_pairs(metric):
    """One isolated pair per (spatial edge, temporal edge): distance and days exactly on the edges.

    Pairs are 1e6 m apart from each other and their times are spaced by 1000 days,
    so every cross-pair falls in the "beyond" row and column.
    """
    pts, days, cells = [], [], []
    k = 0
    for a, s in enumerate(S_EDGES):  # 0, 1, 100, 200, 300 (300 -> beyond row)
        for b, t in enumerate(T_EDGES):  # 0, 7, 14, 21 (21 -> beyond column)
            x0 = 1e6 * k
            if metric == "euclidean" and s == 100.0:
                other = (x0 + 60.0, 80.0)  # 3-4-5 triangle: exactly 100 m
            elif metric == "manhattan" and s == 100.0:
                other = (x0 + 30.0, 70.0)  # |30| + |70| = 100 m
            else:
                other = (x0 + s, 0.0)
            pts += [(x0, 0.0), other]
            days += [1000.0 * k, 1000.0 * k + t]
            cells.append((a, b))
            k += 1
    return np.array(pts), np.array(days), cells


@pytest.mark.parametrize("metric", ["euclidean", "manhattan"], ids=["euclidean", "manhattan"])
def test_pair_exactly_on_a_band_edge_is_counted_once_in_the_band_starting_there(metric):
    pts, days, cells = _edge_pairs(metric)
    res = knox_test(pts, days, metric=metric, permutations=19, random_state=0)
    expected_near = np.zeros((len(S_EDGES) - 1, len(T_EDGES)), dtype=np.int64)
    for a, b in cells:
        if a < len(S_EDGES) - 1:
            # edge S_EDGES[a] is the lower bound of row a; edge T_EDGES[b] of column b
            expected_near[a, b] += 1
    # near rows: exactly one pair per edge combination, nothing double counted
    np.testing.assert_array_equal(res.observed[:-1], expected_near)
    # each pair's cell starts at its own edges
    for a, b in cells:
        assert res.spatial_bands[a][0] == S_EDGES[a]
        assert res.temporal_bands[b][0] == T_EDGES[b]
    # and the whole table (including beyond row/column) matches the brute force
    np.testing.assert_array_equal(res.observed, brute_table(pts, days, S_EDGES, T_EDGES, metric))
    assert res.observed.sum() == len(pts) * (len(pts) - 1) // 2


def test_nrc_pathological_pair_goes_to_the_band_its_label_names():
    """Davies & Steenbeek's 2-incident example: 100 m and 3 days apart.

    The NRC (200 m and 3-day bands) reports it under "4 to 6 days"; with 100 m bands
    under "101 to 200 m". We count it in [3, 6) days and [100, 200) m, and label the
    bands that way.
    """
    pts = [[0, 0], [0, 100]]
    days = np.array(["2019-01-01", "2019-01-04"], dtype="datetime64[D]")
    kw = {"temporal_bandwidth": 3, "n_temporal_bands": 2, "permutations": 19, "random_state": 0}
    res = knox_test(pts, days, spatial_bandwidth=100, **kw)
    (row,), (col,) = np.nonzero(res.observed)
    assert res.spatial_labels[row] == "[100, 200) m"
    assert res.temporal_labels[col] == "[3, 6) days"
    res200 = knox_test(pts, days, spatial_bandwidth=200, **kw)
    (row,), (col,) = np.nonzero(res200.observed)
    assert res200.spatial_labels[row] == "[1, 200) m"
    assert res200.temporal_labels[col] == "[3, 6) days"


def test_band_labels_are_half_open_intervals():
    res = knox_test([[0, 0], [10, 0]], [0, 1], permutations=19, random_state=0)
    assert res.spatial_labels == (
        "same location [0, 1) m",
        "[1, 100) m",
        "[100, 200) m",
        "[200, 300) m",
        "beyond [300, inf) m",
    )
    assert res.temporal_labels == ("[0, 7) days", "[7, 14) days", "[14, 21) days", "beyond [21, inf) days")


# ------------------------------------------------------------- Monte Carlo


def test_expected_and_p_values_equal_brute_force_monte_carlo(rng):
    pts = rng.integers(0, 300, size=(40, 2)).astype(float)
    days = rng.integers(0, 30, size=40)
    res = knox_test(pts, days, permutations=49, random_state=7)
    obs, exp, p = brute_monte_carlo(pts, days, S_EDGES, T_EDGES, 49, 7)
    np.testing.assert_array_equal(res.observed, obs)
    np.testing.assert_allclose(res.expected, exp, rtol=0, atol=1e-12)
    np.testing.assert_allclose(res.p_values, p, rtol=0, atol=1e-12)


def test_p_values_reproducible_with_the_seed(integer_incidents):
    pts, days = integer_incidents
    a = knox_test(pts, days, permutations=99, random_state=3)
    b = knox_test(pts, days, permutations=99, random_state=3)
    np.testing.assert_array_equal(a.p_values, b.p_values)
    np.testing.assert_array_equal(a.expected, b.expected)


def test_results_do_not_depend_on_row_order(integer_incidents, rng):
    pts, days = integer_incidents
    perm = rng.permutation(len(pts))
    a = knox_test(pts, days, permutations=99, random_state=3)
    b = knox_test(pts[perm], days[perm], permutations=99, random_state=3)
    np.testing.assert_array_equal(a.observed, b.observed)
    np.testing.assert_array_equal(a.expected, b.expected)
    np.testing.assert_array_equal(a.p_values, b.p_values)


def test_permutations_keep_the_time_margins(integer_incidents):
    """Shuffling times across incidents never changes how many pairs are k days apart."""
    pts, days = integer_incidents
    res = knox_test(pts, days, permutations=99, random_state=1)
    np.testing.assert_allclose(res.expected.sum(axis=0), res.observed.sum(axis=0))


def test_knox_ratio_is_observed_over_expected(integer_incidents):
    pts, days = integer_incidents
    res = knox_test(pts, days, permutations=99, random_state=1)
    ok = res.expected > 0
    np.testing.assert_allclose(res.knox_ratio[ok], res.observed[ok] / res.expected[ok])
    assert np.isnan(res.knox_ratio[~ok]).all()
    assert ((res.p_values >= 1 / 100) & (res.p_values <= 1)).all()


def test_planted_near_repeats_are_significant(rng):
    base = rng.uniform(0, 5000, size=(150, 2))
    t0 = rng.integers(0, 365, size=150)
    follow = base + rng.uniform(-40, 40, size=(150, 2))  # 1-57 m away ...
    t1 = t0 + rng.integers(0, 4, size=150)  # ... within 0-3 days
    pts, days = np.vstack([base, follow]), np.concatenate([t0, t1])
    res = knox_test(pts, days, permutations=199, random_state=0)
    assert res.p_values[1, 0] == pytest.approx(1 / 200)
    assert res.knox_ratio[1, 0] > 5


def test_datetimes_give_the_same_table_as_day_numbers(integer_incidents):
    pts, days = integer_incidents
    dates = np.datetime64("2024-01-01") + days.astype("timedelta64[D]")
    a = knox_test(pts, days, permutations=19, random_state=0)
    b = knox_test(pts, dates, permutations=19, random_state=0)
    np.testing.assert_array_equal(a.observed, b.observed)
    np.testing.assert_array_equal(a.p_values, b.p_values)


def test_to_frame_has_one_row_per_cell(integer_incidents):
    pts, days = integer_incidents
    res = knox_test(pts, days, permutations=19, random_state=0)
    df = res.to_frame()
    assert len(df) == res.observed.size
    assert df["observed"].sum() == res.n_pairs


def test_large_input_counts_close_pairs_without_dense_matrix(rng):
    """Sparse path on more incidents than we would ever square in a test."""
    n = 3000
    pts = rng.uniform(0, 20000, size=(n, 2))
    days = rng.integers(0, 365, size=n)
    res = knox_test(pts, days, permutations=19, random_state=0)
    # close pairs checked against a brute-force count restricted to a sample band
    sub = brute_table(pts[:800], days[:800], S_EDGES, T_EDGES)
    res_sub = knox_test(pts[:800], days[:800], permutations=19, random_state=0)
    np.testing.assert_array_equal(res_sub.observed, sub)
    assert res.observed.sum() == n * (n - 1) // 2


# ---------------------------------------------------------------- labels


def test_labels_hand_checked():
    pts = [
        [0, 0],  # 0: first at this address -> originator
        [0, 0],  # 1: same address 2 days later -> repeat
        [60, 0],  # 2: 60 m away 3 days after 0 -> near repeat
        [4000, 0],  # 3: alone -> isolated
        [0, 0],  # 4: same address but 30 days later -> outside window
        [0.5, 0],  # 5: 0.5 m from 4, 1 day later -> repeat of 4 (4 becomes originator)
    ]
    days = [0, 2, 3, 3, 30, 31]
    labels = near_repeat_labels(pts, days)
    assert labels.tolist() == ["originator", "repeat", "near repeat", "isolated", "originator", "repeat"]


def test_label_window_edges_are_half_open():
    # exactly label_distance apart / exactly label_days apart -> not linked
    labels = near_repeat_labels([[0, 0], [100, 0], [5000, 0], [5000, 50]], [0, 1, 0, 7])
    assert labels.tolist() == ["isolated", "isolated", "isolated", "isolated"]


def test_labels_follow_rows_when_rows_are_reordered(integer_incidents, rng):
    pts, days = integer_incidents
    perm = rng.permutation(len(pts))
    a = near_repeat_labels(pts, days)
    b = near_repeat_labels(pts[perm], days[perm])
    # exact duplicate records may swap roles; compare the label multiset per (x, y, t)
    key = lambda p, d: [f"{x},{y},{t}" for (x, y), t in zip(p, d)]  # noqa: E731
    from collections import Counter

    assert Counter(zip(key(pts, days), a)) == Counter(zip(key(pts[perm], days[perm]), b))
    assert set(a) <= set(INCIDENT_LABELS)


# ------------------------------------------------------------- estimator


def test_estimator_matches_function_form(integer_incidents):
    pts, days = integer_incidents
    nr = NearRepeat(permutations=49, random_state=5).fit(pts, days)
    res = knox_test(pts, days, permutations=49, random_state=5)
    assert isinstance(nr.result_, KnoxResult)
    np.testing.assert_array_equal(nr.observed_, res.observed)
    np.testing.assert_array_equal(nr.p_values_, res.p_values)
    np.testing.assert_array_equal(nr.labels_, near_repeat_labels(pts, days))


def test_estimator_init_only_stores_parameters():
    nr = NearRepeat(spatial_bandwidth=-5)  # invalid, but only checked in fit
    assert nr.spatial_bandwidth == -5
    with pytest.raises(ValueError, match="spatial_bandwidth"):
        nr.fit([[0, 0], [10, 10]], [0, 1])


def test_inputs_are_not_mutated(integer_incidents):
    pts, days = integer_incidents
    pts0, days0 = pts.copy(), days.copy()
    NearRepeat(permutations=19, random_state=0).fit(pts, days)
    np.testing.assert_array_equal(pts, pts0)
    np.testing.assert_array_equal(days, days0)


# ------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"metric": "chebyshev"}, "metric"),
        ({"spatial_bandwidth": 0}, "spatial_bandwidth"),
        ({"same_location_tolerance": 150}, "same_location_tolerance"),
        ({"n_temporal_bands": 0}, "n_temporal_bands"),
        ({"spatial_edges": [1, 50, 100]}, "spatial_edges"),
        ({"temporal_edges": [0, 7, 7]}, "temporal_edges"),
        ({"permutations": 0}, "permutations"),
    ],
    ids=["metric", "bandwidth", "tolerance", "n-bands", "edges-start", "edges-increasing", "permutations"],
)
def test_bad_parameters_raise_value_error_naming_them(kwargs, match):
    with pytest.raises(ValueError, match=match):
        knox_test([[0, 0], [10, 10]], [0, 1], **kwargs)


def test_non_integer_permutations_raise_type_error():
    with pytest.raises(TypeError, match="permutations"):
        knox_test([[0, 0], [10, 10]], [0, 1], permutations=9.5)


@pytest.mark.parametrize(
    ("points", "times", "match"),
    [
        ([[0, 0]], [0], "at least 2"),
        ([[0, 0], [10, 10]], [0], "times"),
        ([[0, 0], [10, 10]], [0, np.nan], "times"),
        ([[-88.2, 17.5], [-88.21, 17.51]], [0, 1], "degrees"),
    ],
    ids=["one-point", "length-mismatch", "nan-time", "lon-lat"],
)
def test_bad_inputs_raise_value_error(points, times, match):
    with pytest.raises(ValueError, match=match):
        knox_test(points, times, permutations=19)


def test_unusable_time_type_raises_type_error():
    with pytest.raises(TypeError, match="times"):
        knox_test([[0, 0], [10, 10]], ["soon", "later"], permutations=19)


def test_identical_times_warn():
    with pytest.warns(UserWarning, match="same time"):
        res = knox_test([[0, 0], [10, 10], [500, 0]], [3, 3, 3], permutations=19, random_state=0)
    assert (res.p_values == 1).all()

