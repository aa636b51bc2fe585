"""Getis-Ord Gi* timings: ours against esda, on the same synthetic Belize fishnet.

Run:  .venv/bin/python benchmarks/gistar.py

Data: a 250 m fishnet over the Belize District (UTM 16N, x 310-410 km,
y 1890-1955 km: 400 x 260 = 104,000 cells) with seeded Poisson counts whose
mean is higher around Belize City and a few other places; distance band
750 m (every interior cell has 28 neighbours plus itself).

Prints, in one run:

- ours: ``spatial_analysis.hotspots.gi_star`` from the cell centroids, i.e.
  building the sparse distance-band weights with cKDTree, the analytical
  Gi* z-scores, two-sided p-values, FDR correction and the Esri bins
  (median of REPEATS runs), and its parts;
- esda ``G_Local(y, w, star=True, transform="B")`` with its default 999
  conditional permutations (``n_jobs=-1``, numba, on this machine's cores),
  and with ``permutations=0`` (analytical z only), both on all cells and
  both given a ready-built libpysal ``W`` (its construction from our CSR
  matrix, ``W.from_sparse``, is timed separately and NOT included in esda's
  times). numba is compiled on a small warm-up run first, so no JIT time is
  counted;
- the largest absolute difference between our z-scores and esda's ``Zs``;
- for information (no esda counterpart): ours with the automatic scale of
  Optimized Hot Spot Analysis (incremental spatial autocorrelation over 10
  bands, then its fallback rule), and emerging hot spot analysis of the same
  cells over 24 monthly steps.

Nothing is extrapolated: esda runs on all 104,000 cells. Nothing is written
to disk. The whole run takes about a minute on 2 cores.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from spatial_analysis.emerging import emerging_hot_spots  # noqa: E402
from spatial_analysis.hotspots import gi_star, gi_star_z_scores  # noqa: E402
from spatial_analysis.weights import distance_band_weights  # noqa: E402

X0, Y0 = 310_000.0, 1_890_000.0
NX, NY = 400, 260
CELL = 250.0
DISTANCE = 750.0
REPEATS = 3
SEED = 2024


def make_cells() -> tuple[np.ndarray, np.ndarray]:
    """Cell centroids and seeded Poisson counts with a few busy places."""
    xx, yy = np.meshgrid(X0 + CELL * (np.arange(NX) + 0.5), Y0 + CELL * (np.arange(NY) + 0.5))
    cells = np.c_[xx.ravel(), yy.ravel()]
    places = np.array(  # rough UTM 16N positions, spreads (m) and peak means
        [
            [358_000, 1_933_000, 2_500, 6.0],  # Belize City
            [335_000, 1_905_000, 1_500, 2.0],
            [380_000, 1_945_000, 1_000, 1.5],
            [320_000, 1_940_000, 2_000, 1.0],
        ]
    )
    lam = np.full(len(cells), 0.05)
    for x, y, s, peak in places:
        lam += peak * np.exp(-((cells[:, 0] - x) ** 2 + (cells[:, 1] - y) ** 2) / (2 * s**2))
    counts = np.random.default_rng(SEED).poisson(lam).astype(np.float64)
    return cells, counts


def timed(fn, repeats: int = 1):
    times, result = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def main() -> None:
    import esda
    from libpysal.weights import W

    cells, counts = make_cells()
    n = len(cells)
    print(f"python {platform.python_version()}, numpy {np.__version__}, esda {esda.__version__}, cores {os.cpu_count()}")
    print(f"fishnet: {NX} x {NY} = {n:,} cells of {CELL:g} m; {int(counts.sum()):,} incidents; band {DISTANCE:g} m")

    # ours
    t_ours, res = timed(lambda: gi_star(cells, counts, distance=DISTANCE, fdr=True), REPEATS)
    t_w, w = timed(lambda: distance_band_weights(cells, DISTANCE, include_self=True), REPEATS)
    t_z, z_ours = timed(lambda: gi_star_z_scores(w, counts), REPEATS)
    hot = int((res.confidence_bins > 0).sum())
    cold = int((res.confidence_bins < 0).sum())
    print(f"ours  gi_star (weights + z + p + FDR + bins, median of {REPEATS}): {t_ours:8.3f} s")
    print(f"        of which: weights {t_w:.3f} s, z-scores {t_z:.3f} s; {w.nnz:,} non-zero weights")
    print(f"        FDR bins: {hot:,} hot-spot cells, {cold:,} cold-spot cells")

    # esda
    t_wlib, w_lib = timed(lambda: W.from_sparse(w))
    small = slice(0, 2_000)
    w_small = W.from_sparse(distance_band_weights(cells[small], DISTANCE, include_self=True))
    esda.G_Local(counts[small], w_small, star=True, transform="B", permutations=99, seed=1)  # numba warm-up
    t_e0, g0 = timed(lambda: esda.G_Local(counts, w_lib, star=True, transform="B", permutations=0))
    t_e999, g999 = timed(lambda: esda.G_Local(counts, w_lib, star=True, transform="B", seed=1))
    dz0 = float(np.nanmax(np.abs(res.z_scores - g0.Zs)))
    dz999 = float(np.nanmax(np.abs(res.z_scores - g999.Zs)))
    print(f"libpysal W.from_sparse (not counted below): {t_wlib:8.3f} s")
    print(f"esda  G_Local permutations=0 (analytical z): {t_e0:8.3f} s   max |dz| vs ours {dz0:.2e}")
    print(f"esda  G_Local permutations={g999.permutations} (default):  {t_e999:8.3f} s   max |dz| vs ours {dz999:.2e}")
    print(f"speed-up: ours vs esda 999 permutations {t_e999 / t_ours:6.1f}x; vs esda analytical only {t_e0 / t_ours:5.1f}x")

    # for information: automatic scale and emerging hot spots
    del g0, g999, w_lib
    t_auto, auto = timed(lambda: gi_star(cells, counts, fdr=True))
    print(
        f"ours  gi_star with OHSA automatic scale: {t_auto:8.3f} s  "
        f"(chose {auto.distance:,.0f} m by '{auto.scale.method}')"
    )
    monthly = np.random.default_rng(SEED + 1).poisson(np.repeat(counts[:, None] / 12 + 0.01, 24, axis=1)).astype(float)
    t_ehsa, ehsa = timed(lambda: emerging_hot_spots(cells, monthly, distance=DISTANCE))
    print(f"ours  emerging_hot_spots, {n:,} cells x 24 steps, band {DISTANCE:g} m: {t_ehsa:8.3f} s")


if __name__ == "__main__":
    main()
