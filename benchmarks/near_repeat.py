"""Near-repeat (Knox test) and cluster timings: ours against brute-force / library peers.

Run:  .venv/bin/python benchmarks/near_repeat.py

Prints, in one run, on the same seeded synthetic Belize data (UTM 16N metres,
incidents around six towns, one year of dates, with planted near-repeat chains):

Near repeat, default bands (100 m x 3 + same location, 7 days x 3), Euclidean:

- ours: ``spatial_analysis.near_repeat.knox_test`` (k-d tree close pairs, 999
  permutations);
- brute-force numpy peer: every one of the n(n-1)/2 pairs, row by row, for
  the observed table and for each permutation (no k-d tree). It uses the same
  permutation scheme as ours, so its tables must be identical; the script checks
  that. Because it is O(n^2) per permutation it runs fewer permutations (stated in
  the output) and its 999-permutation time is EXTRAPOLATED linearly, labelled.

Clusters (if cheap, they are): ours vs scikit-learn run directly (the difference
is our validation + hull polygons), and NNH first order vs scipy single linkage
(dense O(n^2) distance matrix, so only at 5k).

Nothing is written to disk. Keep the total under about 3 minutes on 2 cores.
"""

from __future__ import annotations

import os
import platform
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from sklearn.cluster import DBSCAN, HDBSCAN

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from spatial_analysis.clustering import DensityClusters, NNHClustering  # noqa: E402
from spatial_analysis.near_repeat import knox_test  # noqa: E402

SIZES = (5_000, 20_000)
PERMUTATIONS = 999
BRUTE_PERMUTATIONS = {5_000: 19, 20_000: 2}
S_EDGES = np.array([0.0, 1.0, 100.0, 200.0, 300.0])
T_EDGES = np.array([0.0, 7.0, 14.0, 21.0])
BELIZE_AREA_M2 = 22_966e6  # land area of Belize, for the NNH random nearest-neighbour distance


def make_incidents(n: int, seed: int = 7) -> tuple[np.ndarray, np.ndarray]:
    """Burglary-like incidents: towns (Gaussian), a uniform background, 15 % near repeats."""
    rng = np.random.default_rng(seed)
    towns = np.array(
        [  # rough UTM 16N positions and spreads (m), share of incidents
            [358_000, 1_933_000, 3_000, 0.45],  # Belize City
            [325_000, 1_905_000, 2_000, 0.12],  # Belmopan
            [335_000, 1_997_000, 2_000, 0.12],  # Orange Walk
            [371_000, 1_872_000, 1_500, 0.08],  # Dangriga
            [296_000, 1_895_000, 1_500, 0.10],  # San Ignacio
            [318_000, 1_785_000, 1_200, 0.05],  # Punta Gorda
        ]
    )
    n_rep = int(0.15 * n)
    n_base = n - n_rep
    n_bg = int(0.08 * n_base)
    which = rng.choice(len(towns), size=n_base - n_bg, p=towns[:, 3] / towns[:, 3].sum())
    base = rng.normal(towns[which, :2], towns[which, 2:3])
    bg = np.column_stack([rng.uniform(250_000, 400_000, n_bg), rng.uniform(1_750_000, 2_050_000, n_bg)])
    pts = np.vstack([base, bg])
    days = rng.integers(0, 365, n_base)
    src = rng.integers(0, n_base, n_rep)  # near repeats: 0-150 m, 0-10 days after a source
    ang = rng.uniform(0, 2 * np.pi, n_rep)
    rad = rng.uniform(0, 150, n_rep)
    rep = pts[src] + np.column_stack([rad * np.cos(ang), rad * np.sin(ang)])
    rep_days = days[src] + rng.integers(0, 11, n_rep)
    return np.round(np.vstack([pts, rep]), 1), np.concatenate([days, rep_days]).astype(float)


def brute_table(pts: np.ndarray, days: np.ndarray) -> np.ndarray:
    """Knox table over all n(n-1)/2 pairs, row by row (O(n^2), no tree)."""
    n = len(pts)
    n_s, n_t = S_EDGES.size, T_EDGES.size  # finite bands + beyond
    out = np.zeros(n_s * n_t, dtype=np.int64)
    for r in range(n - 1):  # one row of the upper triangle at a time, vectorised over its pairs
        dx = pts[r + 1 :, 0] - pts[r, 0]
        dy = pts[r + 1 :, 1] - pts[r, 1]
        s = np.searchsorted(S_EDGES, np.hypot(dx, dy), side="right") - 1
        t = np.searchsorted(T_EDGES, np.abs(days[r + 1 :] - days[r]), side="right") - 1
        out += np.bincount(s * n_t + t, minlength=n_s * n_t)
    return out.reshape(n_s, n_t)


def brute_knox(pts: np.ndarray, days: np.ndarray, permutations: int, seed: int):
    order = np.lexsort((pts[:, 1], pts[:, 0], days))  # same canonical order as ours
    pts, days = pts[order], days[order]
    obs = brute_table(pts, days)
    rng = np.random.default_rng(seed)
    sims = [brute_table(pts, days[rng.permutation(len(days))]) for _ in range(permutations)]
    return obs, np.mean(sims, axis=0)


def timed(fn, *args, **kwargs):
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    return time.perf_counter() - t0, out


def near_repeat_section() -> None:
    print("## Near repeat (Knox test), default bands, Euclidean")
    print(f"{'n':>7} {'close pairs':>12} {'ours 999 perms':>15} {'ours per perm':>14} "
          f"{'brute perms run':>16} {'brute time':>11} {'brute per perm':>15} {'brute 999 (extrap.)':>20} {'same table':>10}")
    res = None
    for n in SIZES:
        pts, days = make_incidents(n)
        t_ours, res = timed(knox_test, pts, days, permutations=PERMUTATIONS, random_state=1)
        close = int(res.observed[:-1].sum())
        k = BRUTE_PERMUTATIONS[n]
        t_brute, (b_obs, b_exp) = timed(brute_knox, pts, days, k, 1)
        with warnings.catch_warnings():  # few permutations, on purpose: only to compare with the peer
            warnings.simplefilter("ignore")
            ours_k = knox_test(pts, days, permutations=k, random_state=1)
        same = np.array_equal(b_obs, res.observed) and np.allclose(b_exp, ours_k.expected, rtol=0, atol=1e-9)
        per_brute = t_brute / (k + 1)
        per_ours = t_ours / (PERMUTATIONS + 1)
        print(f"{n:>7,} {close:>12,} {t_ours:>14.2f}s {per_ours * 1e3:>12.1f}ms "
              f"{k:>16} {t_brute:>10.1f}s {per_brute:>14.2f}s {per_brute * (PERMUTATIONS + 1):>19.0f}s {'yes' if same else 'NO':>10}")
    print()
    print(f"{SIZES[-1] // 1000}k incidents, Knox ratio (p-value) for the near bands, first two time bands:")
    for i in range(4):
        cells = "  ".join(f"{res.temporal_labels[j]}: {res.knox_ratio[i, j]:.2f} (p={res.p_values[i, j]:.3f})" for j in range(2))
        print(f"  {res.spatial_labels[i]:<24} {cells}")


def clusters_section() -> None:
    print()
    print("## Clusters")
    pts, _ = make_incidents(20_000)
    t_ours, ours = timed(DensityClusters(eps=100, min_samples=10, crs=32616).fit, pts)
    t_ref, ref = timed(DBSCAN(eps=100, min_samples=10).fit, pts)
    print(f"DBSCAN  20k  eps=100 m, min_samples=10: ours {t_ours:.2f}s (incl. {ours.n_clusters_} convex hulls), "
          f"sklearn DBSCAN alone {t_ref:.2f}s, same labels: {np.array_equal(ours.labels_, ref.labels_)}")
    t_ours, ours = timed(DensityClusters(method="hdbscan", min_cluster_size=25, min_samples=10, crs=32616).fit, pts)
    t_ref, ref = timed(HDBSCAN(min_cluster_size=25, min_samples=10, copy=True).fit, pts)
    print(f"HDBSCAN 20k  min_cluster_size=25: ours {t_ours:.2f}s (incl. {ours.n_clusters_} hulls), "
          f"sklearn HDBSCAN alone {t_ref:.2f}s, same labels: {np.array_equal(ours.labels_, ref.labels_)}")
    t_cc, _ = timed(DensityClusters(eps=100, min_samples=10, hull="concave").fit, pts)
    print(f"DBSCAN  20k  with concave hulls (ratio 0.3): ours {t_cc:.2f}s")
    for n in SIZES:
        p = make_incidents(n)[0]
        nnh_est = NNHClustering(min_points=10, area=BELIZE_AREA_M2, output="ellipse", crs=32616)
        t_ours, nnh = timed(nnh_est.fit, p)
        line = (f"NNH {n // 1000:>3}k  p=0.1, min 10 points, area 22,966 km2: ours {t_ours:.2f}s "
                f"(orders: {nnh.n_orders_}, {int((nnh.clusters_['order'] == 1).sum())} first-order clusters, "
                f"threshold {nnh.thresholds_[0]:.0f} m)")
        if n <= 5_000:
            t_ref, flat = timed(lambda: fcluster(linkage(p, method="single"), t=nnh.thresholds_[0], criterion="distance"))
            sizes = np.bincount(flat)
            ref = {frozenset(np.flatnonzero(flat == c)) for c in np.flatnonzero(sizes >= 10)}
            mine = {frozenset(np.flatnonzero(nnh.labels_ == c)) for c in np.unique(nnh.labels_[nnh.labels_ >= 0])}
            line += f"; scipy single linkage (first order only) {t_ref:.2f}s, same clusters: {mine == ref}"
        print(line)


def main() -> None:
    t0 = time.perf_counter()
    print(f"# benchmarks/near_repeat.py  python {platform.python_version()}  numpy {np.__version__}  "
          f"cpus {os.cpu_count()}  {platform.machine()}")
    near_repeat_section()
    clusters_section()
    print(f"\ntotal {time.perf_counter() - t0:.0f}s")


if __name__ == "__main__":
    main()
