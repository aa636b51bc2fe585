"""Tests for spatial_analysis.forecast (hit rate, PAI, PAI*, PEI, PAI curve).

Oracles: hand-computed 10-cell cases, an explicit loop over flagged cells, and an
exhaustive enumeration of tie-breaks for the "average" tie rule.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest

from spatial_analysis.forecast import (
    DEFAULT_AREA_SHARES,
    ForecastAccuracy,
    forecast_accuracy,
    hit_rate,
    pai,
    pai_curve,
    pei,
)

# Ten equal cells, ten later crimes; the map ranks cell 0 hottest, cell 9 coldest.
SCORES = np.array([9, 8, 7, 6, 5, 4, 3, 2, 1, 0], dtype=float)
COUNTS = np.array([5, 0, 3, 0, 0, 1, 0, 0, 1, 0], dtype=float)


@pytest.fixture
def rng():
    return np.random.default_rng(7)


# ------------------------------------------------------------ hand-computed


@pytest.mark.parametrize(
    ("share", "k", "n", "n_best"),
    [
        (0.1, 1, 5, 5),  # cell 0 holds 5; best single cell also 5
        (0.2, 2, 5, 8),  # cells 0-1 hold 5; best two cells 5 + 3
        (0.3, 3, 8, 9),  # 0.3 * 10 must flag 3 cells, not 4
        (0.5, 5, 8, 10),
        (1.0, 10, 10, 10),
    ],
    ids=["10pc", "20pc", "30pc", "50pc", "all"],
)
def test_ten_cell_case_hand_computed(share, k, n, n_best):
    acc = forecast_accuracy(SCORES, COUNTS, area_share=share)
    a = k / 10
    assert (acc.n_flagged, acc.crimes_captured, acc.crimes_best, acc.crimes_total) == (k, n, n_best, 10)
    assert acc.area_share == pytest.approx(a)
    assert acc.hit_rate == pytest.approx(n / 10)
    assert acc.pai == pytest.approx((n / 10) / a)
    assert acc.pai_max == pytest.approx((n_best / 10) / a)
    assert acc.pei == pytest.approx(n / n_best)


def test_function_shortcuts_agree_with_forecast_accuracy():
    acc = forecast_accuracy(SCORES, COUNTS, area_share=0.2)
    assert hit_rate(SCORES, COUNTS, area_share=0.2) == acc.hit_rate == 0.5
    assert pai(SCORES, COUNTS, area_share=0.2) == acc.pai == 2.5
    assert pei(SCORES, COUNTS, area_share=0.2) == acc.pei == 0.625


@pytest.mark.parametrize(("share", "k"), [(0.05, 1), (0.1, 1), (0.11, 2), (0.21, 3), (0.3, 3), (0.7, 7), (1.0, 10)])
def test_flagged_cells_is_ceiling_of_share(share, k):
    assert forecast_accuracy(SCORES, COUNTS, area_share=share).n_flagged == k


def test_whole_area_gives_pai_one_and_pei_one():
    acc = forecast_accuracy(SCORES, COUNTS, area_share=1.0)
    assert (acc.hit_rate, acc.pai, acc.pai_max, acc.pei) == (1.0, 1.0, 1.0, 1.0)


# ---------------------------------------------------------------- oracles


def brute_first(scores, counts, k):
    """Flag k cells by descending score, ties by lowest index: explicit loop."""
    idx = sorted(range(len(scores)), key=lambda i: (-scores[i], i))[:k]
    return sum(counts[i] for i in idx)


def brute_average(scores, counts, k):
    """Mean catch over every way of breaking the ties at the cut."""
    ordered = sorted(set(scores), reverse=True)
    flagged, taken = 0.0, 0
    for v in ordered:
        group = [i for i in range(len(scores)) if scores[i] == v]
        if taken + len(group) <= k:
            flagged += sum(counts[i] for i in group)
            taken += len(group)
            continue
        need = k - taken
        catches = [sum(counts[i] for i in combo) for combo in itertools.combinations(group, need)]
        return flagged + sum(catches) / len(catches)
    return flagged


@pytest.mark.parametrize("share", [0.05, 0.1, 0.25, 0.5], ids=["5pc", "10pc", "25pc", "50pc"])
def test_first_tie_rule_equals_explicit_loop(rng, share):
    scores = rng.integers(0, 6, 40).astype(float)  # many ties
    counts = rng.poisson(1.0, 40).astype(float)
    acc = forecast_accuracy(scores, counts, area_share=share, ties="first")
    assert acc.crimes_captured == brute_first(scores, counts, acc.n_flagged)


@pytest.mark.parametrize("share", [0.05, 0.1, 0.25, 0.5], ids=["5pc", "10pc", "25pc", "50pc"])
def test_average_tie_rule_equals_mean_over_all_tie_breaks(rng, share):
    scores = rng.integers(0, 5, 16).astype(float)
    counts = rng.poisson(1.5, 16).astype(float)
    acc = forecast_accuracy(scores, counts, area_share=share)
    assert acc.crimes_captured == pytest.approx(brute_average(list(scores), list(counts), acc.n_flagged))


def test_average_tie_rule_hand_checked():
    # three cells tied at the top, one flagged: catch = mean(3, 0, 0) = 1
    acc = forecast_accuracy([5, 5, 5, 1], [3, 0, 0, 1], area_share=0.25)
    assert acc.crimes_captured == 1.0 and acc.pai == 1.0
    first = forecast_accuracy([5, 5, 5, 1], [3, 0, 0, 1], area_share=0.25, ties="first")
    assert first.crimes_captured == 3.0


def test_average_tie_rule_does_not_depend_on_cell_order(rng):
    scores = rng.integers(0, 4, 50).astype(float)
    counts = rng.poisson(2.0, 50).astype(float)
    perm = rng.permutation(50)
    a = pai_curve(scores, counts)
    b = pai_curve(scores[perm], counts[perm])
    np.testing.assert_allclose(a.to_numpy(dtype=float), b.to_numpy(dtype=float))


def test_constant_surface_scores_pai_one():
    """A flat map carries no information: with averaged ties its PAI is exactly 1."""
    counts = np.array([4, 0, 1, 0, 2, 0, 0, 3, 0, 0], dtype=float)
    for share in (0.1, 0.3, 0.5):
        assert forecast_accuracy(np.ones(10), counts, area_share=share).pai == pytest.approx(1.0)


def test_perfect_forecast_has_pei_one(rng):
    counts = rng.poisson(1.0, 200).astype(float)
    curve = pai_curve(counts, counts)
    np.testing.assert_allclose(curve["pei"], 1.0)
    np.testing.assert_allclose(curve["pai"], curve["pai_max"])


# ---------------------------------------------------------------- curve


def test_pai_curve_default_shares_and_columns():
    curve = pai_curve(SCORES, COUNTS)
    assert curve["area_share_requested"].tolist() == list(DEFAULT_AREA_SHARES)
    assert set(ForecastAccuracy.__dataclass_fields__) == set(curve.columns)


def test_pai_curve_rows_equal_single_share_calls(rng):
    scores = rng.normal(size=300)
    counts = rng.poisson(0.5, 300).astype(float)
    curve = pai_curve(scores, counts, area_shares=[0.01, 0.1, 0.2])
    for _, row in curve.iterrows():
        acc = forecast_accuracy(scores, counts, area_share=row["area_share_requested"])
        assert row["pai"] == pytest.approx(acc.pai) and row["pei"] == pytest.approx(acc.pei)


def test_pai_curve_hit_rate_never_decreases_with_area(rng):
    scores = rng.normal(size=500)
    counts = rng.poisson(0.3, 500).astype(float)
    curve = pai_curve(scores, counts, area_shares=np.linspace(0.005, 1, 40))
    assert (np.diff(curve["hit_rate"]) >= -1e-12).all()
    assert (curve["pei"] <= 1 + 1e-12).all()


def test_grid_input_equals_flattened(rng):
    scores = rng.normal(size=(20, 30))
    counts = rng.poisson(0.4, (20, 30)).astype(float)
    a = forecast_accuracy(scores, counts, area_share=0.05)
    b = forecast_accuracy(scores.ravel(), counts.ravel(), area_share=0.05)
    assert a == b


def test_inputs_are_not_mutated(rng):
    scores = rng.normal(size=100)
    counts = rng.poisson(1.0, 100).astype(float)
    s0, c0 = scores.copy(), counts.copy()
    pai_curve(scores, counts)
    np.testing.assert_array_equal(scores, s0)
    np.testing.assert_array_equal(counts, c0)


# ------------------------------------------------------------ degenerate


def test_no_later_crimes_warns_and_gives_nan():
    with pytest.warns(UserWarning, match="no later-period crimes"):
        acc = forecast_accuracy(SCORES, np.zeros(10), area_share=0.2)
    assert math.isnan(acc.pai) and math.isnan(acc.pei) and math.isnan(acc.hit_rate)


def test_no_later_crimes_warns_in_curve():
    with pytest.warns(UserWarning, match="no later-period crimes"):
        curve = pai_curve(SCORES, np.zeros(10), area_shares=[0.5])
    assert curve["pai"].isna().all()


def test_unequal_cells_flag_whole_cells_until_the_area_is_reached():
    scores, counts, areas = [3, 2, 1, 0], [2, 1, 1, 0], [1.0, 3.0, 1.0, 1.0]  # total area 6
    small = forecast_accuracy(scores, counts, area_share=1 / 6, cell_areas=areas)
    # the first cell alone has 1/6 of the area and 2 of the 4 crimes: PAI 0.5 / (1/6) = 3; the best cell is the same
    assert (small.n_flagged, small.area_share, small.hit_rate, small.pai, small.pei) == (1, 1 / 6, 0.5, 3.0, 1.0)
    half = forecast_accuracy(scores, counts, area_share=0.5, cell_areas=areas)
    # cells 0 and 1 reach 4 of 6 (>= 3): 3 of 4 crimes -> PAI 0.75 / (4/6); by crimes per area the best
    # order is 0, 2, 1, which reaches an area of 4 only with all three: 4 crimes -> PEI 3 / 4
    assert (half.n_flagged, half.area_share, half.hit_rate, half.pei) == (2, 4 / 6, 0.75, 0.75)
    assert half.pai == pytest.approx(1.125)


def test_equal_cell_areas_give_the_equal_area_result(rng):
    scores = rng.integers(0, 4, 200).astype(float)  # many ties
    counts = rng.poisson(1.0, 200)
    plain = pai_curve(scores, counts)
    with_areas = pai_curve(scores, counts, cell_areas=np.full(200, 22_500.0))
    pd.testing.assert_frame_equal(plain, with_areas)


def test_unscored_cells_rank_below_every_scored_cell():
    # Gi* with zero_cells="drop" gives NaN to cells it did not analyse
    scores = [np.nan, 2.0, np.nan, 1.0]
    counts = [5, 1, 0, 1]
    assert forecast_accuracy(scores, counts, area_share=0.5).crimes_captured == 2.0  # the two scored cells
    # a third flag must take one of the two unscored cells: ties share it, (5 + 0) / 2
    assert forecast_accuracy(scores, counts, area_share=0.75).crimes_captured == 4.5


@pytest.mark.parametrize(
    ("scores", "counts", "kwargs", "exc", "match"),
    [
        (SCORES, COUNTS[:5], {}, ValueError, "same shape"),
        (np.r_[SCORES[:9], np.inf], COUNTS, {}, ValueError, "scores"),
        (SCORES, np.r_[COUNTS[:9], -1], {}, ValueError, "counts"),
        (SCORES, np.r_[COUNTS[:9], np.inf], {}, ValueError, "counts"),
        (SCORES, COUNTS, {"area_share": 0}, ValueError, "area_share"),
        (SCORES, COUNTS, {"area_share": 1.5}, ValueError, "area_share"),
        (SCORES, COUNTS, {"area_share": "5%"}, TypeError, "area_share"),
        (SCORES, COUNTS, {"ties": "random"}, ValueError, "ties"),
        ([], [], {}, ValueError, "empty"),
    ],
    ids=["shape", "inf-score", "negative-count", "inf-count", "share-zero", "share-big", "share-str", "ties", "empty"],
)
def test_bad_input_raises_naming_the_parameter(scores, counts, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        forecast_accuracy(scores, counts, **kwargs)


def test_bad_curve_shares_raise():
    with pytest.raises(ValueError, match="area_shares"):
        pai_curve(SCORES, COUNTS, area_shares=[0.1, 2.0])
