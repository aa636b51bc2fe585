"""Hot spots that predict: the backtest selection and the KDE accuracy on a synthetic city.

Run:  PYTHONPATH=. .venv/bin/python benchmarks/forecast.py

Builds a seeded synthetic city with known structure -- stable hot spots, hot
spots that drift slowly, near-repeat bursts and background noise over four
years (2021-2024), every record snapped to a street-like lattice so that many
records share a point -- and prints, in one run:

1. the leaderboard of :class:`spatial_analysis.forecast_selection.HotSpotSelector`
   over 12 rolling monthly folds and one yearly fold (2024), with the time
   the whole selection took;
2. the chosen candidate's PAI at 3% of the area against prior counts' (the
   peer, from the same run) on every fold type, and by how much;
3. the largest error of ``kernel_density`` against the exact quartic sum at
   each bandwidth/cell ratio on the city's stacked records, next to linear
   binning + FFT alone (the method before issue 8, the peer).

Nothing is written to disk.
"""

from __future__ import annotations

import math
import platform
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from spatial_analysis import kde  # noqa: E402
from spatial_analysis.forecast_selection import HotSpotSelector  # noqa: E402
from spatial_analysis.grids import square_grid  # noqa: E402

X0, Y0 = 350_000.0, 1_930_000.0  # south-west corner of the city, UTM 16N
SIDE = 6_000.0  # the city is 6 km x 6 km
CELL = 150.0  # forecast cells
STREET = 50.0  # records are snapped to a lattice of street points this far apart
START, END = pd.Timestamp("2021-01-01"), pd.Timestamp("2025-01-01")
RATIOS = (1, 1.5, 2, 3, 4, 8, 16)
SHARE = 0.03


def synthetic_city(seed: int = 2021) -> tuple[np.ndarray, pd.DatetimeIndex]:
    """About 6,000 records a year of four kinds; returns points (metres) and sorted times."""
    rng = np.random.default_rng(seed)
    days = (END - START).days

    def uniform_times(n):
        return rng.uniform(0, days, n)

    # stable hot spots: 10 clusters of different strength and size, 40% of records
    centres = rng.uniform([X0 + 800, Y0 + 800], [X0 + SIDE - 800, Y0 + SIDE - 800], size=(10, 2))
    sizes = rng.uniform(60, 220, 10)
    weight = rng.pareto(1.2, 10) + 0.3
    n_stable = 9_600
    which = rng.choice(10, n_stable, p=weight / weight.sum())
    stable = centres[which] + rng.normal(0, 1, (n_stable, 2)) * sizes[which, None]
    t_stable = uniform_times(n_stable)
    # drifting hot spots: 3 clusters moving about 1.5 km over the four years, 15%
    n_drift = 3_600
    start_c = rng.uniform([X0 + 1500, Y0 + 1500], [X0 + SIDE - 1500, Y0 + SIDE - 1500], size=(3, 2))
    heading = rng.normal(0, 1, (3, 2))
    heading *= 1_500 / np.linalg.norm(heading, axis=1, keepdims=True)
    k = rng.integers(0, 3, n_drift)
    t_drift = uniform_times(n_drift)
    drift = start_c[k] + heading[k] * (t_drift / days)[:, None] + rng.normal(0, 120, (n_drift, 2))
    # background: uniform over the city, 30%
    n_back = 7_200
    back = rng.uniform([X0, Y0], [X0 + SIDE, Y0 + SIDE], size=(n_back, 2))
    t_back = uniform_times(n_back)
    # near-repeat bursts: 600 seeds, each with 1-10 repeats within ~100 m and ~2 weeks, 15%
    seeds = rng.integers(0, n_back, 600)
    n_rep = rng.integers(1, 11, 600)
    parent = np.repeat(seeds, n_rep)
    burst = back[parent] + rng.normal(0, 60, (parent.size, 2))
    t_burst = t_back[parent] + rng.exponential(7, parent.size)
    pts = np.vstack([stable, drift, back, burst])
    t = np.concatenate([t_stable, t_drift, t_back, t_burst])
    keep = (t < days) & (pts[:, 0] > X0) & (pts[:, 0] < X0 + SIDE) & (pts[:, 1] > Y0) & (pts[:, 1] < Y0 + SIDE)
    pts, t = pts[keep], t[keep]
    pts = np.round(pts / STREET) * STREET + STREET / 5  # street points, never on a cell centre or edge
    order = np.argsort(t, kind="stable")
    return pts[order], START + pd.to_timedelta(t[order], unit="D")


def exact_quartic(grid: kde.DensityGrid, pts: np.ndarray) -> np.ndarray:
    """Exact quartic sum at every cell centre, per km^2, from a k-d tree of the distinct points."""
    x, y = grid.cell_centres()
    h = grid.bandwidth
    loc, count = np.unique(pts, axis=0, return_counts=True)
    pairs = cKDTree(np.column_stack([x.ravel(), y.ravel()])).sparse_distance_matrix(
        cKDTree(loc), h, output_type="coo_matrix"
    )
    k = (1 - pairs.data**2 / h**2) ** 2 * 3 / (math.pi * h * h) * count[pairs.col]
    return np.bincount(pairs.row, weights=k, minlength=x.size).reshape(x.shape) * 1e6


def best_of(repeats: int, run):
    """(result, best wall time in ms) of ``run()``."""
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        out = run()
        times.append((time.perf_counter() - t) * 1000)
    return out, min(times)


def main() -> None:
    pts, times = synthetic_city()
    n_loc = len(np.unique(pts, axis=0))
    print(f"python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}, {platform.machine()}")
    print(
        f"synthetic city: {len(pts):,} records {times[0].date()} .. {times[-1].date()}, on {n_loc:,} street points "
        f"({len(pts) / n_loc:.1f} records per point); {SIDE / 1000:g} x {SIDE / 1000:g} km, {CELL:g} m cells"
    )
    cells = square_grid(CELL, extent=(X0, Y0, X0 + SIDE, Y0 + SIDE), crs="EPSG:32616")

    t0 = time.perf_counter()
    sel = HotSpotSelector(end=END).fit(pts, times, cells)
    took = time.perf_counter() - t0
    board = sel.leaderboard_
    print(f"\n1. Leaderboard ({len(sel.candidates_)} candidates, 12 monthly folds + 1 yearly fold of 2024); "
          f"whole selection {took:.1f} s")
    for plan in ("month", "year"):
        rows = board[(board.plan == plan) & np.isclose(board.area_share, SHARE)]
        print(f"\n   {plan} folds, {SHARE:.0%} of the area   PAI mean (sd)   hit rate   PEI    folds won")
        for r in rows.itertuples():
            print(
                f"   {r.candidate:<52} {r.pai_mean:6.2f} ({r.pai_sd:4.2f})   {r.hit_rate_mean:6.1%}   "
                f"{r.pei_mean:4.2f}   {r.folds_won:>3}"
            )
    print(f"\n   chosen: {sel.best_label_}  (rule: {sel.selection_rule_})")
    esri = kde.silverman_bandwidth(pts[times >= pd.Timestamp("2024-01-01")])
    print(f"   Esri's default search radius on the last year's records: {esri:,.0f} m ({esri / CELL:.1f} cells)")
    s = sel.summary_
    print(f"   map: of the crimes in {s.last_period_start[:7]}, the {s.area_share:.0%} of the cells flagged by "
          f"{s.method} held {s.last_period_hit_rate:.0%}")

    print(f"\n2. Chosen candidate against prior counts (the peer), PAI at {SHARE:.0%}:")
    fs = sel.fold_scores_[np.isclose(sel.fold_scores_.area_share, SHARE)]
    for plan in ("month", "year"):
        f = fs[fs.plan == plan].pivot(index="fold", columns="candidate", values="pai")
        best, prior = f[sel.best_label_], f["prior counts"]
        diff = best - prior
        print(
            f"   {plan:<5}: chosen {best.mean():.2f} vs prior counts {prior.mean():.2f} (mean over {len(f)} fold(s)), "
            f"difference {diff.mean():+.2f} ({diff.mean() / prior.mean():+.1%}); per fold min {diff.min():+.2f}, "
            f"max {diff.max():+.2f}; folds where the chosen is below prior counts: {(diff < -1e-12).sum()} of {len(f)}"
        )

    print("\n3. KDE error against the exact quartic sum (largest |error| / peak) on the stacked records of 2024:")
    last = pts[times >= pd.Timestamp("2024-01-01")]
    print(f"   ({len(last):,} records on {len(np.unique(last, axis=0)):,} points, {CELL:g} m cells over the city; "
          "times are the best of 3)")
    print("   bandwidth/cell   kernel_density (ms)   binned FFT alone, before (ms)")
    for r in RATIOS:
        h = r * CELL
        grid, ms = best_of(3, lambda: kde.kernel_density(last, bandwidth=h, cell_size=CELL, extent=(X0, Y0, X0 + SIDE, Y0 + SIDE)))
        frame = (grid.x_min, grid.y_max, *grid.shape)
        before, ms_before = best_of(3, lambda: kde._fft_on_grid(last, None, "quartic", h, CELL, *frame) * 1e6)
        exact = exact_quartic(grid, last)
        err = np.abs(grid.density - exact).max() / exact.max()
        err_before = np.abs(before - exact).max() / exact.max()
        print(f"   {r:>14g}   {err:>8.3%} ({ms:5.1f})   {err_before:>16.2%} ({ms_before:5.1f})")


if __name__ == "__main__":
    main()
