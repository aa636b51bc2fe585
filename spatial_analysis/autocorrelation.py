"""Global spatial autocorrelation: Moran's I and its incremental scale.

* :func:`morans_i` -- global Moran's I with its moments under normality and
  randomisation (equal to ``esda.Moran``);
* :func:`incremental_spatial_autocorrelation` -- Moran's I z-score over a
  series of distance bands and its first and highest peak, the scale of
  analysis Optimized Hot Spot Analysis
  (:func:`spatial_analysis.hotspots.optimized_distance_band`) starts from.

All distances are in metres: coordinates must be projected (EPSG:32616 for
Belize).

References
----------
.. [1] Cliff, A. D. and Ord, J. K. (1981). Spatial Processes: Models and
   Applications. Pion, London (moments of Moran's I).
.. [2] Esri, "How Spatial Autocorrelation (Global Moran's I) works" and "How
   Incremental Spatial Autocorrelation works", ArcGIS Pro tool reference.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.spatial import cKDTree

from ._validation import (
    check_choice,
    check_finite_values,
    check_int,
    check_points,
    check_positive,
    check_projected_metres,
    check_weights_and_values,
)
from .base import readonly
from .significance import two_sided_p_values
from .weights import nearest_neighbour_distances, row_standardise, standard_distance

__all__ = [
    "IncrementalMoranResult",
    "MoranResult",
    "OUTLIER_SD",
    "PEAK_Z",
    "incremental_spatial_autocorrelation",
    "morans_i",
]

#: A distance band whose Moran's I z-score is below this is not a peak (90 % confidence).
PEAK_Z = 1.65
#: Locational outliers lie this many standard deviations beyond the mean nearest-neighbour distance.
OUTLIER_SD = 3.0


# --------------------------------------------------------------------------
# Moran's I
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class MoranResult:
    """Global Moran's I and its inference (names follow esda in brackets).

    Attributes
    ----------
    i : float
        Moran's I (``I``).
    expected : float
        ``E[I] = -1 / (n - 1)`` (``EI``).
    variance_normality, variance_randomisation : float
        Variance of I under the normality and the randomisation assumption
        (``VI_norm``, ``VI_rand``).
    z_normality, z_randomisation : float
        ``(I - E[I]) / sqrt(variance)`` (``z_norm``, ``z_rand``).
    p_normality, p_randomisation : float
        Two-sided p-values of those z-scores (``p_norm``, ``p_rand``).
    n : int
        Number of values.
    transform : str
        Weights transformation used: ``"r"`` row-standardised, ``"b"``
        binary, ``"o"`` as given.
    """

    i: float
    expected: float
    variance_normality: float
    variance_randomisation: float
    z_normality: float
    z_randomisation: float
    p_normality: float
    p_randomisation: float
    n: int
    transform: str


def _transform(w: sparse.csr_array, transform: str) -> sparse.csr_array:
    if transform == "o":
        return w
    if transform == "b":
        w = w.copy()
        w.data = (w.data != 0).astype(np.float64)
        return w
    return row_standardise(w)


def _moran_moments(
    n: int, s0: float, s1: float, s2: float, z: np.ndarray
) -> tuple[float, float, float]:
    """E[I], Var_norm[I], Var_rand[I] (Cliff & Ord 1981), as esda.Moran computes them."""
    ei = -1.0 / (n - 1)
    n2 = n * n
    s02 = s0 * s0
    v_norm = (n2 * s1 - n * s2 + 3 * s02) / ((n - 1) * (n + 1) * s02) - ei**2
    z2 = z * z
    kurt = (z2 * z2).sum() / n / ((z2.sum() / n) ** 2)
    a = n * ((n2 - 3 * n + 3) * s1 - n * s2 + 3 * s02)
    b = kurt * ((n2 - n) * s1 - 2 * n * s2 + 6 * s02)
    v_rand = (a - b) / ((n - 1) * (n - 2) * (n - 3) * s02) - ei**2
    return ei, v_norm, v_rand


def morans_i(
    values: npt.ArrayLike,
    weights: sparse.sparray | sparse.spmatrix,
    *,
    transform: Literal["r", "b", "o"] = "r",
) -> MoranResult:
    """Global Moran's I: are similar values closer together than chance would put them?

    ``I = (n / S0) * sum_ij w_ij z_i z_j / sum_i z_i^2`` with ``z = x - mean(x)``.
    Positive I (z > 1.96) means clustering of like values; negative means
    a checkerboard; near ``E[I] = -1/(n-1)`` means no spatial pattern.

    Parameters
    ----------
    values : array-like, shape (n,), n >= 4
        The attribute (counts per cell, rates, ...).
    weights : scipy.sparse matrix or array, shape (n, n)
        Spatial weights without the diagonal (build with
        ``include_self=False``).
    transform : {"r", "b", "o"}, default "r"
        ``"r"``: row-standardise first (esda's and ArcGIS's default);
        ``"b"``: binary (every non-zero weight set to 1); ``"o"``: use as given.

    Returns
    -------
    MoranResult
        Equal to ``esda.Moran(values, W, transformation=transform)``
        (``p_normality``/``p_randomisation`` are two-sided like esda's default).

    References
    ----------
    .. [1] Cliff, A. D. and Ord, J. K. (1981). Spatial Processes. Pion, ch. 1-2.
    .. [2] Esri, "How Spatial Autocorrelation (Global Moran's I) works".

    Examples
    --------
    A 6 x 6 grid, high values in the left half, rook neighbours:

    >>> import numpy as np
    >>> from spatial_analysis.weights import distance_band_weights
    >>> xx, yy = np.meshgrid(np.arange(6) * 100.0, np.arange(6) * 100.0)
    >>> pts = np.c_[xx.ravel(), yy.ravel()]
    >>> values = np.where(pts[:, 0] < 300, 5.0, 1.0)
    >>> r = morans_i(values, distance_band_weights(pts, 100))
    >>> round(r.i, 4), round(r.expected, 4), round(r.z_randomisation, 2)
    (0.8148, -0.0286, 6.55)
    """
    t = check_choice(transform, ("r", "b", "o"), name="transform")
    w, x = check_weights_and_values(weights, values)
    n = x.size
    if n < 4:
        raise ValueError(f"values needs at least 4 entries for Moran's I moments; got {n}")
    z = x - x.mean()
    z2ss = float(z @ z)
    if z2ss == 0:
        raise ValueError("values are all equal; Moran's I is undefined")
    wt = _transform(w, t)
    s0 = float(wt.sum())
    if s0 == 0:
        raise ValueError("weights are all zero: no cell has a neighbour")
    sym = wt + wt.T
    s1 = float(sym.multiply(sym).sum()) / 2.0
    s2 = float(((np.asarray(wt.sum(axis=1)).ravel() + np.asarray(wt.sum(axis=0)).ravel()) ** 2).sum())
    i_val = n / s0 * float(z @ (wt @ z)) / z2ss
    ei, v_norm, v_rand = _moran_moments(n, s0, s1, s2, z)
    z_norm = (i_val - ei) / np.sqrt(v_norm)
    z_rand = (i_val - ei) / np.sqrt(v_rand)
    return MoranResult(
        i=float(i_val),
        expected=float(ei),
        variance_normality=float(v_norm),
        variance_randomisation=float(v_rand),
        z_normality=float(z_norm),
        z_randomisation=float(z_rand),
        p_normality=float(two_sided_p_values(z_norm)),
        p_randomisation=float(two_sided_p_values(z_rand)),
        n=int(n),
        transform=t,
    )


# --------------------------------------------------------------------------
# Incremental spatial autocorrelation
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class IncrementalMoranResult:
    """Global Moran's I over increasing distance bands.

    Attributes
    ----------
    distances : numpy.ndarray, shape (m,)
        Band radii in metres, increasing.
    morans_i, expected, variance, z_scores, p_values : numpy.ndarray, shape (m,)
        Moran's I (row-standardised binary distance-band weights), E[I], its
        variance, z-score and two-sided p-value under randomisation -- the
        columns ArcGIS prints.
    mean_neighbours : numpy.ndarray, shape (m,)
        Average number of neighbours per cell in each band.
    first_peak_index, max_peak_index : int or None
        Index of the first and of the highest peak (see
        :func:`incremental_spatial_autocorrelation`), None if none.
    first_peak_distance, max_peak_distance : float or None
        The corresponding distances in metres.
    n_outliers : int
        Locational outliers ignored when choosing the first band.
    dropped_bands : int
        Bands not evaluated because cells would have had more than
        ``max_neighbours`` neighbours on average.
    """

    distances: np.ndarray
    morans_i: np.ndarray
    expected: np.ndarray
    variance: np.ndarray
    z_scores: np.ndarray
    p_values: np.ndarray
    mean_neighbours: np.ndarray
    first_peak_index: int | None
    first_peak_distance: float | None
    max_peak_index: int | None
    max_peak_distance: float | None
    n_outliers: int
    dropped_bands: int


def _peak_indices(z: np.ndarray, threshold: float) -> tuple[int | None, int | None]:
    """First and highest peak of a z-score series, as ArcGIS picks them.

    A band is a peak when the series has risen somewhere before it, drops
    right after it, and its z-score exceeds ``threshold`` (statistically
    significant). The last band can never be a peak (nothing after it to
    drop to).
    """
    peaks: list[int] = []
    risen = False
    for c in range(len(z) - 1):
        d = z[c + 1] - z[c]
        if d > 0:
            risen = True
        if d < 0 and risen and z[c] > threshold:
            peaks.append(c)
    if not peaks:
        return None, None
    best = max(peaks, key=lambda c: z[c])
    return peaks[0], best


def _locational_outliers(pts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Nearest-neighbour distances and the mask of locational outliers.

    An outlier's nearest (distinct) neighbour is more than three standard
    deviations beyond the mean nearest-neighbour distance.
    """
    nn = nearest_neighbour_distances(pts)
    limit = nn.mean() + OUTLIER_SD * nn.std()
    return nn, nn > limit


def _moran_by_band(pts: np.ndarray, z: np.ndarray, bands: np.ndarray) -> dict[str, np.ndarray]:
    """Moran's I with row-standardised distance-band weights for every band in one pass.

    The pairs within the widest band are found once; each pair is tagged
    with the first band that contains it, so neighbour counts and spatial
    lags for all bands come out of cumulative sums.
    """
    n, m = pts.shape[0], bands.size
    pairs = cKDTree(pts).query_pairs(r=float(bands[-1]), output_type="ndarray")
    i, j = pairs[:, 0], pairs[:, 1]
    dx = pts[i, 0] - pts[j, 0]
    dy = pts[i, 1] - pts[j, 1]
    b = np.minimum(np.searchsorted(bands**2, dx * dx + dy * dy, side="left"), m - 1).astype(np.int16)
    del dx, dy
    order = np.argsort(b, kind="stable")  # radix sort on small integers
    i, j, b = i[order], j[order], b[order]
    del pairs, order
    ends = np.searchsorted(b, np.arange(m), side="right")
    key_i, key_j = i * m + b, j * m + b
    cnt = (np.bincount(key_i, minlength=n * m) + np.bincount(key_j, minlength=n * m)).reshape(n, m)
    lag = (
        np.bincount(key_i, weights=z[j], minlength=n * m) + np.bincount(key_j, weights=z[i], minlength=n * m)
    ).reshape(n, m)
    del key_i, key_j, b
    cnt = np.cumsum(cnt, axis=1)
    lag = np.cumsum(lag, axis=1)
    z2ss = float(z @ z)
    out = {k: np.full(m, np.nan) for k in ("i", "ei", "var", "z", "p", "mean_neigh")}
    for k in range(m):
        c = cnt[:, k]
        has = c > 0
        inv = np.divide(1.0, c, out=np.zeros(n), where=has)
        s0 = float(has.sum())
        out["mean_neigh"][k] = c.mean()
        if s0 == 0:
            continue
        ii, jj = i[: ends[k]], j[: ends[k]]
        # column sums of W (w_ij = 1/c_i): col_k = sum of 1/c_i over the neighbours i of k
        col = np.bincount(jj, weights=inv[ii], minlength=n) + np.bincount(ii, weights=inv[jj], minlength=n)
        # S1 = sum over pairs of (1/c_i + 1/c_j)^2 = sum_i 1/c_i + sum_k col_k / c_k
        s1 = float(inv.sum() + inv @ col)
        s2 = float(((has + col) ** 2).sum())
        i_val = n / s0 * float((z * lag[:, k] * inv).sum()) / z2ss
        ei, _, v_rand = _moran_moments(n, s0, s1, s2, z)
        out["i"][k], out["ei"][k], out["var"][k] = i_val, ei, v_rand
        if v_rand > 0:
            out["z"][k] = (i_val - ei) / np.sqrt(v_rand)
            out["p"][k] = two_sided_p_values(out["z"][k])
    return out


def incremental_spatial_autocorrelation(
    points: npt.ArrayLike,
    values: npt.ArrayLike,
    *,
    n_bands: int = 10,
    start: float | None = None,
    increment: float | None = None,
    max_neighbours: int = 500,
    peak_z: float = PEAK_Z,
) -> IncrementalMoranResult:
    """Global Moran's I z-score over a series of increasing distance bands.

    The distance at which the z-score peaks is where the processes that
    cluster the values act most strongly; Optimized Hot Spot Analysis uses
    the first peak as its scale of analysis.

    Defaults follow Esri's "How Incremental Spatial Autocorrelation works":
    the first band is the smallest distance that gives every cell at least one
    neighbour and the increment is the average nearest-neighbour distance,
    both computed after setting aside locational outliers (cells whose nearest
    neighbour is more than three standard deviations beyond the average
    nearest-neighbour distance), as Optimized Hot Spot Analysis does. When
    both are defaulted and the bands would reach past one standard distance
    of the cells, the ``n_bands`` bands are spread evenly from the first band
    to the standard distance instead.

    A band is a *peak* when the z-score has risen somewhere before it, falls
    at the next band and exceeds ``peak_z`` (1.65: significant at 90 %).

    Parameters
    ----------
    points : array-like, shape (n, 2)
        Cell centroids in metres.
    values : array-like, shape (n,)
        Values per cell (incident counts).
    n_bands : int, default 10
        Number of distance bands (ArcGIS's default).
    start : float, optional
        First band in metres (default: as above).
    increment : float, optional
        Step between bands in metres (default: as above).
    max_neighbours : int, default 500
        Bands where cells would have more neighbours than this on average are
        not evaluated (they would cost memory and are far beyond any sensible
        hot-spot scale); counted in ``dropped_bands``. The average is
        estimated from a systematic sample of 5,000 cells on larger inputs.
    peak_z : float, default 1.65
        Minimum z-score for a peak.

    Returns
    -------
    IncrementalMoranResult

    Notes
    -----
    Each band's Moran's I equals ``esda.Moran(values, DistanceBand(points,
    d, binary=True), transformation="r")`` (``z_rand``/``p_rand``); cells
    without a neighbour in a band keep an all-zero row and still count in
    ``n`` (ArcGIS leaves them out of ``n``; with the default first band only
    locational outliers can be affected).

    References
    ----------
    .. [1] Esri, "How Incremental Spatial Autocorrelation works", ArcGIS Pro
       tool reference.

    Examples
    --------
    >>> import numpy as np
    >>> xx, yy = np.meshgrid(np.arange(20) * 250.0, np.arange(20) * 250.0)
    >>> pts = np.c_[xx.ravel(), yy.ravel()]
    >>> values = np.where((pts[:, 0] < 1500) & (pts[:, 1] < 1500), 9.0, 1.0)
    >>> r = incremental_spatial_autocorrelation(pts, values)

    The ten 250 m steps would pass one standard distance (2,039 m), so the
    bands are spread from 250 m to it:

    >>> r.distances.round().tolist()
    [250.0, 449.0, 647.0, 846.0, 1045.0, 1244.0, 1442.0, 1641.0, 1840.0, 2039.0]
    >>> r.z_scores.round(1)
    array([25.1, 33.5, 48.6, 59.9, 67.7, 71.1, 73.6, 69.6, 64.6, 61. ])
    >>> round(r.first_peak_distance)
    1442
    """
    pts = check_points(points, min_points=4)
    check_projected_metres(pts)
    n = pts.shape[0]
    y = check_finite_values(values, shape=(n,), name="values")
    nb = check_int(n_bands, name="n_bands", minimum=1)
    maxn = check_int(max_neighbours, name="max_neighbours", minimum=1)
    z = y - y.mean()
    if float(z @ z) == 0:
        raise ValueError("values are all equal; spatial autocorrelation is undefined")
    nn, outliers = _locational_outliers(pts)
    core = nn[~outliers]
    if core.max() <= 0:
        raise ValueError("points all share one location; there is no distance to analyse")
    first = check_positive(start, name="start") if start is not None else float(core.max())
    step = check_positive(increment, name="increment") if increment is not None else float(core.mean())
    bands = first + step * np.arange(nb)
    sd = standard_distance(pts)
    if start is None and increment is None and nb > 1 and bands[-1] > sd and first < sd:
        bands = np.linspace(first, sd, nb)
    # Average neighbours per band, from a systematic sample of at most 5,000 cells
    # (count_neighbors counts each sampled cell with itself, hence the - 1).
    sample = pts[:: max(1, -(-n // 5_000))]
    counted = cKDTree(sample).count_neighbors(cKDTree(pts), bands)
    mean_neigh = np.asarray(counted, dtype=np.float64) / sample.shape[0] - 1.0
    keep = mean_neigh <= maxn
    evaluated = bands[keep]
    dropped = int((~keep).sum())
    if evaluated.size:
        res = _moran_by_band(pts, z, evaluated)
    else:
        res = {k: np.empty(0) for k in ("i", "ei", "var", "z", "p", "mean_neigh")}
    first_idx, max_idx = _peak_indices(res["z"], float(peak_z))
    return IncrementalMoranResult(
        distances=readonly(evaluated.copy()),
        morans_i=readonly(res["i"]),
        expected=readonly(res["ei"]),
        variance=readonly(res["var"]),
        z_scores=readonly(res["z"]),
        p_values=readonly(res["p"]),
        mean_neighbours=readonly(res["mean_neigh"]),
        first_peak_index=first_idx,
        first_peak_distance=None if first_idx is None else float(evaluated[first_idx]),
        max_peak_index=max_idx,
        max_peak_distance=None if max_idx is None else float(evaluated[max_idx]),
        n_outliers=int(outliers.sum()),
        dropped_bands=dropped,
    )
