"""Backtest and selection: a hand-computable fold, the selection rule and its tie rule,
determinism, the forecasters against hand counts, and bad input."""

from __future__ import annotations

import json
from dataclasses import asdict

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from spatial_analysis.forecast_selection import (
    FoldPlan,
    HotSpotSelector,
    backtest,
    leaderboard,
    select_candidate,
)
from spatial_analysis.forecasters import KDEForecast, PriorCounts, RecencyKDE, RecencyWeightedCounts
from spatial_analysis.grids import square_grid
from spatial_analysis.kde import kernel_density

from synthetic import X0, Y0, hot_spot_and_noise, hundred_cells

ONE_MONTH = (FoldPlan("month", "MS", 1),)


@pytest.fixture
def four_cells():
    """2 x 2 cells of 100 m: positions 0 = NW, 1 = NE, 2 = SW, 3 = SE."""
    return square_grid(100, extent=(X0, Y0, X0 + 200, Y0 + 200), crs=32616)


NW, NE, SW, SE = [X0 + 50, Y0 + 150], [X0 + 150, Y0 + 150], [X0 + 50, Y0 + 50], [X0 + 150, Y0 + 50]


@pytest.fixture
def hand_case():
    """January: NW x3, NE x1. February (the fold): NW x1, SW x1."""
    pts = np.array([NW, NW, NE, NW, NW, SW], dtype=float)
    times = pd.to_datetime(["2024-01-03", "2024-01-10", "2024-01-15", "2024-01-20", "2024-02-05", "2024-02-20"])
    return pts, times


@pytest.fixture
def city():
    return (*hot_spot_and_noise(11, 800, start="2023-01-01", days=365, spread=60), hundred_cells())


# --------------------------------------------------------------------------- the backtest by hand


def test_backtest_scores_a_fold_as_computed_by_hand(hand_case, four_cells):
    pts, times = hand_case
    scores = backtest(pts, times, four_cells, [PriorCounts()], plans=ONE_MONTH, area_shares=(0.25, 0.5), end="2024-03-01")
    # Trained on January: NW 3, NE 1, SW 0, SE 0. February's 2 crimes: NW 1, SW 1.
    # 25% = 1 cell: NW flagged, holds 1 of 2 -> hit 0.5, PAI 0.5 / 0.25 = 2, best cell holds 1 -> PEI 1.
    # 50% = 2 cells: NW + NE, hold 1 -> hit 0.5, PAI 1; best two cells hold 2 -> PEI 0.5.
    assert scores[["area_share", "crimes", "hit_rate", "pai", "pei"]].to_numpy().tolist() == [
        [0.25, 2.0, 0.5, 2.0, 1.0],
        [0.5, 2.0, 0.5, 1.0, 0.5],
    ]
    assert scores[["start", "end"]].iloc[0].tolist() == ["2024-02-01 00:00:00", "2024-03-01 00:00:00"]


def test_boundary_polygons_of_unequal_area_are_scored_by_area(hand_case):
    pts, times = hand_case
    # a "beat" holding the NW and NE cells (2 units of area), and the SW and SE cells on their own
    beats = gpd.GeoDataFrame(
        geometry=[shapely.box(X0, Y0 + 100, X0 + 200, Y0 + 200), shapely.box(X0, Y0, X0 + 100, Y0 + 100),
                  shapely.box(X0 + 100, Y0, X0 + 200, Y0 + 100)], crs=32616)
    scores = backtest(pts, times, beats, [PriorCounts()], plans=ONE_MONTH, area_shares=(0.25, 0.5), end="2024-03-01")
    # January: north beat 4, SW 0, SE 0. February: north 1, SW 1. Any share up to 50% flags the north
    # beat alone (half the area), which holds 1 of the 2 crimes: hit rate 0.5, PAI 0.5 / 0.5 = 1.
    assert scores[["area_share", "hit_rate", "pai"]].to_numpy().tolist() == [[0.25, 0.5, 1.0], [0.5, 0.5, 1.0]]
    sel = HotSpotSelector(candidates=[PriorCounts()], plans=ONE_MONTH).fit(pts, times, beats)
    assert sel.top_cells(0.5).tolist() == [0] and sel.cell_areas_.tolist() == [20_000.0, 10_000.0, 10_000.0]


def test_training_window_limits_the_history_of_each_fold(hand_case, four_cells):
    pts, times = hand_case
    # 14 days before 1 February: only the NW record of 20 January -> NW flagged alone at 25%; same PAI.
    # At 50%, NE no longer outranks the empty cells: ties share the second flag (SW holds 1 of the 3 tied).
    scores = backtest(pts, times, four_cells, [PriorCounts()], plans=ONE_MONTH, area_shares=(0.5,),
                      end="2024-03-01", training_window="14D")
    assert scores["hit_rate"].tolist() == pytest.approx([0.5 + 0.5 / 3])


def test_forecasters_match_hand_counts_and_weights(hand_case, four_cells):
    pts, times = hand_case
    origin = "2024-01-20"  # history: NW on the 3rd and 10th, NE on the 15th
    assert PriorCounts().fit(pts, times, four_cells, origin=origin).scores_.tolist() == [2.0, 1.0, 0.0, 0.0]
    rw = RecencyWeightedCounts(half_life_days=5).fit(pts, times, four_cells, origin=origin).scores_
    np.testing.assert_allclose(rw, [0.5 ** (17 / 5) + 0.5 ** (10 / 5), 0.5 ** (5 / 5), 0, 0])


def test_kde_forecast_reads_the_surface_at_the_cell_centres(city):
    pts, times, cells = city
    fc = KDEForecast(bandwidth=300.0).fit(pts, times, cells)
    grid = kernel_density(pts, bandwidth=300.0, cell_size=100, extent=tuple(cells.total_bounds))
    np.testing.assert_allclose(fc.scores_, grid.density.ravel())  # square_grid's row-major order = raster order


def test_blend_with_a_huge_half_life_is_the_plain_kde(city):
    pts, times, cells = city
    blend = RecencyKDE(half_life_days=1e12, bandwidth=200.0).fit(pts, times, cells).scores_
    plain = KDEForecast(bandwidth=200.0).fit(pts, times, cells).scores_
    np.testing.assert_allclose(blend, plain, rtol=1e-9)


# --------------------------------------------------------------------------- the selection rule


def _board(pai_by_label: dict[str, float]) -> pd.DataFrame:
    return pd.DataFrame({"candidate": list(pai_by_label), "plan": "month", "area_share": 0.03,
                         "pai_mean": list(pai_by_label.values())})


@pytest.mark.parametrize(
    ("pai", "tolerance", "chosen"),
    [
        ((6.0, 8.0, 7.0), 0.0, 1),  # best mean PAI
        ((8.0, 8.0, 7.0), 0.0, 0),  # exact tie: the simpler (prior counts, listed first)
        ((7.9, 8.0, 7.0), 0.02, 0),  # within 2% of the best: tie, the simpler wins
        ((7.0, 8.0, 8.0), 0.0, 2),  # tie between KDE (complexity 2) and recency (1): recency
    ],
    ids=["best", "exact-tie", "tolerance", "tie-to-lower-complexity-listed-later"],
)
def test_selection_rule_and_its_tie_rule(pai, tolerance, chosen):
    cands = [PriorCounts(), KDEForecast(bandwidth=300.0), RecencyWeightedCounts(half_life_days=30.0)]
    board = _board(dict(zip([c.label for c in cands], pai)))
    assert select_candidate(board, cands, plan="month", area_share=0.03, tie_tolerance=tolerance) == chosen


def test_selector_breaks_a_real_tie_towards_the_simpler_candidate(city):
    pts, times, cells = city
    # An endless half-life ranks cells exactly as counts do: the same PAI on every fold.
    same = RecencyWeightedCounts(half_life_days=1e15)
    sel = HotSpotSelector(candidates=[same, PriorCounts()], plans=(FoldPlan("month", "MS", 3),)).fit(pts, times, cells)
    board = sel.leaderboard_[sel.leaderboard_.area_share == 0.03]
    assert board.pai_mean.nunique() == 1
    assert sel.best_label_ == "prior counts" and sel.best_index_ == 1


def test_selector_refits_the_winner_on_all_history_and_serialises(city):
    pts, times, cells = city
    sel = HotSpotSelector(candidates=[PriorCounts(), KDEForecast(bandwidth=250.0)],
                          plans=(FoldPlan("month", "MS", 3), FoldPlan("year", "12MS", 1)),
                          end="2024-01-01", selection_plan="year")
    with pytest.raises(ValueError, match="too little history"):
        sel.fit(pts, times, cells)  # one yearly fold of 2023 leaves no history before it
    sel.set_params(plans=(FoldPlan("month", "MS", 3),), selection_plan="month").fit(pts, times, cells)
    expected = type(sel.best_)(**sel.best_params_).fit(pts, times, cells, origin="2024-01-01").scores_
    np.testing.assert_array_equal(sel.scores_, expected)
    assert len(sel.fold_scores_) == 2 * 3 * 3  # candidates x folds x shares
    assert set(sel.leaderboard_.plan) == {"month"} and (sel.leaderboard_.n_folds == 3).all()
    json.dumps(sel.leaderboard_.to_dict("records"))  # the run record can store it as is


def test_summary_and_top_cells_say_what_the_map_shows(hand_case, four_cells):
    pts, times = hand_case
    sel = HotSpotSelector(candidates=[PriorCounts()], plans=ONE_MONTH, area_shares=(0.25, 0.5), selection_share=0.25)
    s = sel.fit(pts, times, four_cells).summary_
    # February, forecast from January: the top cell (NW) held 1 of the 2 crimes (see the hand case above)
    assert (s.method, s.plan, s.n_folds, s.last_period_hit_rate, s.pai_mean, s.prior_counts_pai_mean) == (
        "prior counts", "month", 1, 0.5, 2.0, 2.0)
    assert s.forecast_start == "2024-03-01 00:00:00"
    json.dumps(asdict(s))
    # refitted on January and February: NW 4, NE 1, SW 1, SE 0; the tie at the cut goes in cell order
    assert sel.top_cells(0.25).tolist() == [0] and sel.top_cells(0.5).tolist() == [0, 1]


def test_timezone_aware_times_and_end_are_read_in_utc(hand_case, four_cells):
    pts, times = hand_case
    local = times.tz_localize("America/Belize")  # UTC-6: every record 6 hours later in UTC
    naive = backtest(pts, times + pd.Timedelta(6, "h"), four_cells, [PriorCounts()], plans=ONE_MONTH, end="2024-03-01")
    aware = backtest(pts, local, four_cells, [PriorCounts()], plans=ONE_MONTH,
                     end=pd.Timestamp("2024-03-01", tz="UTC"))
    pd.testing.assert_frame_equal(naive, aware)


def test_selection_is_deterministic(city):
    pts, times, cells = city
    make = lambda: HotSpotSelector(plans=(FoldPlan("month", "MS", 2),)).fit(pts, times, cells)  # noqa: E731
    a, b = make(), make()
    pd.testing.assert_frame_equal(a.fold_scores_, b.fold_scores_)
    np.testing.assert_array_equal(a.scores_, b.scores_)
    assert a.best_label_ == b.best_label_


def test_default_end_is_the_boundary_after_the_last_incident(hand_case, four_cells):
    pts, times = hand_case
    sel = HotSpotSelector(candidates=[PriorCounts()], plans=ONE_MONTH).fit(pts, times, four_cells)
    assert sel.end_ == pd.Timestamp("2024-03-01")
    on_boundary = times.append(pd.DatetimeIndex(["2024-03-01"]))
    sel.fit(np.vstack([pts, [SE]]), on_boundary, four_cells)
    assert sel.end_ == pd.Timestamp("2024-04-01")


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (lambda p, t, c: (p, t, c, {"plans": (FoldPlan("month", "MS", 12),)}), "too little history.*n_folds"),
        (lambda p, t, c: (p, t, c, {"training_window": "3D"}), "training window.*holds no incident"),
        (lambda p, t, c: (p, t[::-1], c, {}), "y must be sorted ascending"),
        (lambda p, t, c: (p, np.arange(len(t)), c, {}), "y must be datetimes"),
        (lambda p, t, c: (p, t, c.to_crs(32617), {}), "no point falls in cells.*CRS"),
        (lambda p, t, c: (gpd.GeoSeries(shapely.points(p), crs=32615), t, c, {}), "X is in .* but cells are in"),
        (lambda p, t, c: (p, t, c.assign(geometry=c.geometry.centroid), {}), "polygons"),
        (lambda p, t, c: (p, t, c, {"selection_share": 0.1}), "selection_share"),
    ],
    ids=["little-history", "empty-training-window", "unsorted", "not-datetimes", "cells-other-crs", "points-other-crs",
         "point-cells", "share-not-scored"],
)
def test_bad_input_names_the_parameter(hand_case, four_cells, change, match):
    pts, times = hand_case
    p, t, c, params = change(pts, times, four_cells)
    sel = HotSpotSelector(candidates=[PriorCounts()], plans=params.pop("plans", ONE_MONTH), end="2024-03-01", **params)
    with pytest.raises(ValueError, match=match):
        sel.fit(p, t, c)


def test_leaderboard_counts_folds_won_with_ties_winning_for_all():
    rows = [
        {"candidate": "prior counts", "plan": "month", "fold": f, "area_share": 0.03, "hit_rate": 0.1, "pai": pai,
         "pei": 0.5}
        for f, pai in enumerate([2.0, 3.0, 1.0])
    ] + [
        {"candidate": "kernel density (300 m)", "plan": "month", "fold": f, "area_share": 0.03, "hit_rate": 0.1,
         "pai": pai, "pei": 0.5}
        for f, pai in enumerate([2.0, 1.0, 4.0])
    ]
    board = leaderboard(pd.DataFrame(rows), [PriorCounts(), KDEForecast(bandwidth=300.0)])
    won = dict(zip(board.candidate, board.folds_won))
    assert won == {"prior counts": 2, "kernel density (300 m)": 2}
    assert board.pai_mean.tolist() == pytest.approx([7 / 3, 2.0])
    assert board.pai_sd.tolist() == pytest.approx([np.std([2.0, 1.0, 4.0]), np.std([2.0, 3.0, 1.0])])


# --------------------------------------------------------------------------- self-exciting candidate


def _simulate_hawkes(rng, *, n_background, days, theta, mean_delay, sigma, side=5_000.0):
    """Branching simulation of a space-time Hawkes process with a uniform background."""
    xy = rng.uniform([X0, Y0], [X0 + side, Y0 + side], size=(n_background, 2))
    t = rng.uniform(0, days, n_background)
    gen_xy, gen_t = xy, t
    while len(gen_t):
        kids = rng.poisson(theta, len(gen_t))
        parent = np.repeat(np.arange(len(gen_t)), kids)
        gen_xy = gen_xy[parent] + rng.normal(0, sigma, (parent.size, 2))
        gen_t = gen_t[parent] + rng.exponential(mean_delay, parent.size)
        xy, t = np.vstack([xy, gen_xy]), np.concatenate([t, gen_t])
    keep = t < days
    order = np.argsort(t[keep], kind="stable")
    return xy[keep][order], pd.Timestamp("2024-01-01") + pd.to_timedelta(t[keep][order], "D")


def test_self_exciting_em_recovers_the_triggering_of_a_simulated_process():
    from spatial_analysis.forecasters import SelfExcitingForecast

    rng = np.random.default_rng(3)
    pts, times = _simulate_hawkes(rng, n_background=1500, days=365, theta=0.5, mean_delay=5.0, sigma=50.0)
    cells = square_grid(250, extent=(X0 - 500, Y0 - 500, X0 + 5_500, Y0 + 5_500), crs=32616)
    fc = SelfExcitingForecast(background_bandwidth=500.0).fit(pts, times, cells, origin="2025-01-01")
    assert fc.theta_ == pytest.approx(0.5, abs=0.1)
    assert 1 / fc.omega_ == pytest.approx(5.0, rel=0.3)
    assert fc.sigma_ == pytest.approx(50.0, rel=0.2)
    assert fc.background_share_ == pytest.approx(0.5, abs=0.1)  # 1 - theta of a stationary process
