"""Hot spots: Getis-Ord Gi*, global Moran's I and the automatic scale of Optimized Hot Spot Analysis.

What a crime analyst knows from ArcGIS as *Hot Spot Analysis (Getis-Ord Gi*)*
and *Optimized Hot Spot Analysis*, on plain arrays:

* :func:`gi_star` / :class:`GetisOrdGiStar` -- counts per cell (or per
  polygon, at its centroid) in, a z-score, a p-value and an Esri confidence
  bin (+-3, +-2, +-1 for 99, 95, 90 % confidence; 0 = not significant) per
  cell out, optionally corrected for multiple testing with the False
  Discovery Rate, with the scale of analysis chosen automatically as
  Optimized Hot Spot Analysis does and every decision written to a
  plain-language log;
* :func:`morans_i` -- global Moran's I with its moments under normality and
  randomisation (equal to ``esda.Moran``);
* :func:`incremental_spatial_autocorrelation` -- Moran's I z-score over a
  series of distance bands and its first and highest peak;
* :func:`optimized_distance_band` -- the automatic scale rule;
* :func:`false_discovery_rate` and :func:`confidence_bins` -- the
  significance step on its own.

All distances are in metres: coordinates must be projected (EPSG:32616 for
Belize).

References
----------
.. [1] Getis, A. and Ord, J. K. (1992). The analysis of spatial association by
   use of distance statistics. Geographical Analysis 24(3), 189-206.
.. [2] Ord, J. K. and Getis, A. (1995). Local spatial autocorrelation
   statistics: distributional issues and an application. Geographical
   Analysis 27(4), 286-306.
.. [3] Benjamini, Y. and Hochberg, Y. (1995). Controlling the false discovery
   rate: a practical and powerful approach to multiple testing. Journal of
   the Royal Statistical Society B 57(1), 289-300.
.. [4] Cliff, A. D. and Ord, J. K. (1981). Spatial Processes: Models and
   Applications. Pion, London (moments of Moran's I).
.. [5] Esri, "How Hot Spot Analysis (Getis-Ord Gi*) works", "How Optimized Hot
   Spot Analysis works", "How Incremental Spatial Autocorrelation works" and
   "What is a z-score? What is a p-value?", ArcGIS Pro tool reference,
   Spatial Statistics toolbox.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.spatial import cKDTree
from scipy.stats import norm

from ._validation import (
    check_choice,
    check_finite_values,
    check_int,
    check_points,
    check_positive,
    check_projected_metres,
)
from .weights import (
    distance_band_weights,
    k_neighbour_distances,
    knn_weights,
    nearest_neighbour_distances,
    neighbour_counts,
    neighbour_summary,
    row_standardise,
    standard_distance,
)

__all__ = [
    "GetisOrdGiStar",
    "GiStarResult",
    "IncrementalMoranResult",
    "MoranResult",
    "ScaleDecision",
    "confidence_bins",
    "false_discovery_rate",
    "gi_star",
    "gi_star_z_scores",
    "incremental_spatial_autocorrelation",
    "morans_i",
    "ohsa_k",
    "optimized_distance_band",
]

#: (significance level, bin) pairs of Esri's Gi_Bin field, strongest first.
CONFIDENCE_LEVELS: tuple[tuple[float, int], ...] = ((0.01, 3), (0.05, 2), (0.10, 1))

#: Optimized Hot Spot Analysis constants (Esri, "How Optimized Hot Spot Analysis works").
OHSA_MIN_FEATURES = 30
OHSA_MIN_INCIDENTS_BOUNDED = 30
OHSA_MIN_INCIDENTS_UNBOUNDED = 60
OHSA_K_FRACTION = 0.05
OHSA_K_MIN = 3
OHSA_K_MAX = 30
#: A distance band whose Moran's I z-score is below this is not a peak (90 % confidence).
PEAK_Z = 1.65
#: Locational outliers lie this many standard deviations beyond the mean nearest-neighbour distance.
OUTLIER_SD = 3.0


def _m(x: float) -> str:
    """Format a distance in metres for a log line."""
    return f"{x:,.1f} m" if abs(x) < 100 else f"{x:,.0f} m"


def _readonly(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


def _warn_at_callers_caller(func, *args, **kwargs):
    """``func(*args, **kwargs)``, its warnings re-issued so they point at the code
    that called our caller (an estimator's ``fit`` -> the user's line)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = func(*args, **kwargs)
    for w in caught:
        warnings.warn(w.message, w.category, stacklevel=3)
    return result


# --------------------------------------------------------------------------
# Significance: FDR and confidence bins
# --------------------------------------------------------------------------


def false_discovery_rate(p_values: npt.ArrayLike) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (the FDR correction Esri applies).

    Esri's False Discovery Rate correction ranks the p-values from strongest to
    weakest and drops the weakest until the expected share of false positives
    among those kept is at most the significance level: the step-up procedure
    of Benjamini and Hochberg (1995). A feature is significant at level
    ``alpha`` after the correction exactly when its adjusted p-value is
    ``<= alpha``, so the 90/95/99 % bins follow from one adjusted value.

    Parameters
    ----------
    p_values : array-like, shape (n,)
        Raw p-values in [0, 1]. NaN entries (features that could not be
        tested) stay NaN and do not count towards ``n``.

    Returns
    -------
    numpy.ndarray, shape (n,)
        ``q_(i) = min_{j >= i} p_(j) * m / j`` over the ``m`` finite values,
        capped at 1; equal to ``scipy.stats.false_discovery_control(p)``.

    References
    ----------
    .. [1] Benjamini, Y. and Hochberg, Y. (1995). J. R. Stat. Soc. B 57, 289-300.
    .. [2] Esri, "What is a z-score? What is a p-value?" (False Discovery Rate
       correction), ArcGIS Pro tool reference.

    Examples
    --------
    >>> false_discovery_rate([0.01, 0.04, 0.03, 0.20])
    array([0.04      , 0.05333333, 0.05333333, 0.2       ])
    """
    p = np.array(p_values, dtype=np.float64, copy=True)
    if p.ndim != 1:
        raise ValueError(f"p_values must be one-dimensional; got shape {p.shape}")
    finite = np.isfinite(p)
    if ((p[finite] < 0) | (p[finite] > 1)).any():
        raise ValueError("p_values must lie in [0, 1]")
    q = np.full_like(p, np.nan)
    vals = p[finite]
    m = vals.size
    if m == 0:
        return q
    order = np.argsort(vals, kind="stable")
    scaled = vals[order] * m / np.arange(1, m + 1)
    adjusted = np.minimum.accumulate(scaled[::-1])[::-1]
    out = np.empty(m)
    out[order] = np.minimum(adjusted, 1.0)
    q[finite] = out
    return q


def confidence_bins(z_scores: npt.ArrayLike, p_values: npt.ArrayLike, *, fdr: bool = True) -> np.ndarray:
    """Esri's Gi_Bin: +-3, +-2, +-1 for 99, 95, 90 % confidence, 0 otherwise.

    Parameters
    ----------
    z_scores : array-like, shape (n,)
        Gi* z-scores; the sign says hot (+) or cold (-).
    p_values : array-like, shape (n,)
        Two-sided raw p-values.
    fdr : bool, default True
        Judge significance on the Benjamini-Hochberg adjusted p-values
        (:func:`false_discovery_rate`), as Optimized Hot Spot Analysis does;
        otherwise on the raw p-values.

    Returns
    -------
    numpy.ndarray of int8, shape (n,)
        ``sign(z) * 3`` if the (adjusted) p <= 0.01, ``* 2`` if <= 0.05,
        ``* 1`` if <= 0.10, else 0. NaN z or p gives 0.

    Examples
    --------
    >>> confidence_bins([3.0, -2.0, 1.7, 0.5], [0.0027, 0.0455, 0.0891, 0.6171], fdr=False)
    array([ 3, -2,  1,  0], dtype=int8)
    >>> confidence_bins([3.0, -2.0, 1.7, 0.5], [0.0027, 0.0455, 0.0891, 0.6171], fdr=True)
    array([ 2, -1,  0,  0], dtype=int8)
    """
    z = np.asarray(z_scores, dtype=np.float64)
    p = np.asarray(p_values, dtype=np.float64)
    if z.shape != p.shape or z.ndim != 1:
        raise ValueError(f"z_scores and p_values must be 1-D of equal length; got {z.shape} and {p.shape}")
    judged = false_discovery_rate(p) if fdr else p
    return _judged_bins(z, judged)


def _judged_bins(z: np.ndarray, judged: np.ndarray) -> np.ndarray:
    """Gi_Bin of z-scores whose p-values (raw or FDR-adjusted) are ``judged``; any shape."""
    level = np.zeros(z.shape, dtype=np.int8)
    for alpha, b in reversed(CONFIDENCE_LEVELS):  # weakest first, strongest overwrites
        level[judged <= alpha] = b
    sign = np.sign(np.nan_to_num(z)).astype(np.int8)
    return (level * sign).astype(np.int8)


# --------------------------------------------------------------------------
# Gi*
# --------------------------------------------------------------------------


def _gi_star_z(
    lag: np.ndarray, wsum: np.ndarray, w2sum: np.ndarray, mean: float, sd: float, n: int
) -> np.ndarray:
    """Ord & Getis (1995) Gi* z from the local weighted sum and the weight moments.

    ``z_i = (sum_j w_ij x_j - xbar W_i) / (S sqrt((n S1_i - W_i^2) / (n - 1)))``
    with ``W_i = sum_j w_ij``, ``S1_i = sum_j w_ij^2`` (self included) and
    ``S`` the population standard deviation of all ``n`` values.
    """
    spread = (n * w2sum - wsum**2) / (n - 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        den = sd * np.sqrt(np.where(spread > 0, spread, np.nan))
        return (lag - mean * wsum) / den


def gi_star_z_scores(weights: sparse.sparray | sparse.spmatrix, values: npt.ArrayLike) -> np.ndarray:
    """Analytical Getis-Ord Gi* z-scores for any weights matrix.

    The weights must already carry the self-weight on the diagonal (build them
    with ``include_self=True``); for binary weights the result equals
    ``esda.G_Local(values, w, star=True, transform="B").Zs``.

    Parameters
    ----------
    weights : scipy.sparse matrix or array, shape (n, n)
        Non-negative weights ``w_ij``, diagonal included.
    values : array-like, shape (n,)
        The attribute ``x`` (incident counts per cell, rates, ...).

    Returns
    -------
    numpy.ndarray, shape (n,)
        ``z_i = (sum_j w_ij x_j - xbar W_i) / (S sqrt((n S1_i - W_i^2)/(n-1)))``,
        NaN where the neighbourhood is the whole data set (``n S1_i = W_i^2``).

    References
    ----------
    .. [1] Ord, J. K. and Getis, A. (1995). Geographical Analysis 27(4), eq. 9.

    Examples
    --------
    >>> from spatial_analysis.weights import distance_band_weights
    >>> pts = [[10, 10], [20, 10], [40, 10], [15, 20], [30, 20], [30, 30]]
    >>> w = distance_band_weights(pts, 15, include_self=True)
    >>> gi_star_z_scores(w, [2, 3, 3.2, 5, 8, 7]).round(4)
    array([-1.3973, -0.2892,  0.6506, -0.2892,  1.2345,  2.0242])
    """
    w = sparse.csr_array(weights, dtype=np.float64)
    n = w.shape[0]
    if w.shape != (n, n):
        raise ValueError(f"weights must be square; got shape {w.shape}")
    x = check_finite_values(values, shape=(n,), name="values")
    if n < 2:
        raise ValueError(f"values needs at least 2 entries; got {n}")
    sd = float(x.std())
    if sd == 0:
        raise ValueError("values are all equal; Gi* needs variation to compare cells")
    wsum = np.asarray(w.sum(axis=1)).ravel()
    w2sum = np.asarray(w.multiply(w).sum(axis=1)).ravel()
    return _gi_star_z(w @ x, wsum, w2sum, float(x.mean()), sd, n)


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


def _two_sided(z: float | np.ndarray) -> float | np.ndarray:
    return 2.0 * norm.sf(np.abs(z))


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
    w = sparse.csr_array(weights, dtype=np.float64)
    n = w.shape[0]
    if w.shape != (n, n):
        raise ValueError(f"weights must be square; got shape {w.shape}")
    x = check_finite_values(values, shape=(n,), name="values")
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
        p_normality=float(_two_sided(z_norm)),
        p_randomisation=float(_two_sided(z_rand)),
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
            out["p"][k] = _two_sided(out["z"][k])
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
        distances=_readonly(evaluated.copy()),
        morans_i=_readonly(res["i"]),
        expected=_readonly(res["ei"]),
        variance=_readonly(res["var"]),
        z_scores=_readonly(res["z"]),
        p_values=_readonly(res["p"]),
        mean_neighbours=_readonly(res["mean_neigh"]),
        first_peak_index=first_idx,
        first_peak_distance=None if first_idx is None else float(evaluated[first_idx]),
        max_peak_index=max_idx,
        max_peak_distance=None if max_idx is None else float(evaluated[max_idx]),
        n_outliers=int(outliers.sum()),
        dropped_bands=dropped,
    )


# --------------------------------------------------------------------------
# Automatic scale (Optimized Hot Spot Analysis)
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class ScaleDecision:
    """The distance band Optimized Hot Spot Analysis would use, and why.

    Attributes
    ----------
    distance : float
        Distance band in metres.
    method : {"first_peak", "k_neighbours", "standard_distance"}
        ``"first_peak"``: first peak of incremental spatial autocorrelation;
        ``"k_neighbours"``: no peak, average distance to the k-th nearest
        neighbour; ``"standard_distance"``: that average exceeded one
        standard distance, which is used instead.
    k : int or None
        Neighbour count of the fallback rule (None for a peak).
    standard_distance : float
        One standard distance of the cells, in metres.
    incremental : IncrementalMoranResult
        The distance-band series that was examined.
    log : tuple of str
        Plain-language account of the decision.
    """

    distance: float
    method: Literal["first_peak", "k_neighbours", "standard_distance"]
    k: int | None
    standard_distance: float
    incremental: IncrementalMoranResult
    log: tuple[str, ...]


def ohsa_k(n: int) -> int:
    """OHSA's fallback neighbour count: 5 % of the features, at least 3, at most 30.

    Examples
    --------
    >>> ohsa_k(40), ohsa_k(400), ohsa_k(4000)
    (3, 20, 30)
    """
    return int(min(max(int(n * OHSA_K_FRACTION), OHSA_K_MIN), OHSA_K_MAX))


def optimized_distance_band(
    points: npt.ArrayLike,
    values: npt.ArrayLike,
    *,
    n_bands: int = 10,
    max_neighbours: int = 500,
) -> ScaleDecision:
    """Choose the scale of analysis as ArcGIS's Optimized Hot Spot Analysis does.

    1. Run :func:`incremental_spatial_autocorrelation` on the values; if it
       has a peak, the distance of the **first peak** is the scale.
    2. Otherwise take ``k = 5 %`` of the cells, at least 3 and at most 30,
       and use the **average distance to the k-th nearest neighbour** --
    3. unless that exceeds **one standard distance** of the cells, in which
       case the standard distance is used.

    Parameters
    ----------
    points : array-like, shape (n, 2)
        Cell centroids in metres.
    values : array-like, shape (n,)
        Counts per cell.
    n_bands : int, default 10
        Number of bands examined.
    max_neighbours : int, default 500
        See :func:`incremental_spatial_autocorrelation`.

    Returns
    -------
    ScaleDecision

    Notes
    -----
    Esri words the fallback as "the average distance that would yield K
    neighbors for each feature": the mean over cells of the distance to the
    k-th neighbour, not the maximum (which would be the distance at which
    *every* cell has k neighbours, reported in the log for comparison).

    References
    ----------
    .. [1] Esri, "How Optimized Hot Spot Analysis works" (Scale of analysis),
       ArcGIS Pro tool reference.

    Examples
    --------
    >>> import numpy as np
    >>> xx, yy = np.meshgrid(np.arange(12) * 250.0, np.arange(12) * 250.0)
    >>> pts = np.c_[xx.ravel(), yy.ravel()]
    >>> rng = np.random.default_rng(1)
    >>> decision = optimized_distance_band(pts, rng.poisson(3, len(pts)))
    >>> decision.method, decision.k, round(decision.distance)
    ('k_neighbours', 7, 400)
    >>> print(decision.log[-1])
    Scale of analysis: the average distance to the 7th nearest neighbour, 400 m (every cell has 7 neighbours only at 559 m; one standard distance is 1,220 m).
    """
    pts = check_points(points, min_points=4)
    check_projected_metres(pts)
    inc = incremental_spatial_autocorrelation(pts, values, n_bands=n_bands, max_neighbours=max_neighbours)
    sd = standard_distance(pts)
    log: list[str] = []
    if inc.n_outliers:
        log.append(
            f"Locational outliers: {inc.n_outliers} cell(s) lie more than {OUTLIER_SD:g} standard deviations "
            "beyond the average nearest-neighbour distance; they are set aside when choosing the first band."
        )
    if inc.distances.size:
        zs = ", ".join(f"{_m(d)}: {z:.2f}" for d, z in zip(inc.distances, inc.z_scores))
        log.append(
            f"Incremental spatial autocorrelation over {inc.distances.size} distance bands "
            f"({_m(inc.distances[0])} to {_m(inc.distances[-1])}); Moran's I z-score by band: {zs}."
        )
    if inc.dropped_bands:
        log.append(
            f"{inc.dropped_bands} wider band(s) were not evaluated: cells would have more than "
            f"{max_neighbours} neighbours on average."
        )
    if inc.first_peak_distance is not None:
        z_peak = float(inc.z_scores[inc.first_peak_index])
        log.append(
            f"Scale of analysis: the first statistically significant peak of spatial autocorrelation is at "
            f"{_m(inc.first_peak_distance)} (z = {z_peak:.2f}); that distance band is used."
        )
        return ScaleDecision(
            distance=float(inc.first_peak_distance),
            method="first_peak",
            k=None,
            standard_distance=sd,
            incremental=inc,
            log=tuple(log),
        )
    n = pts.shape[0]
    k = min(ohsa_k(n), n - 1)
    kd = k_neighbour_distances(pts, k)
    log.append(
        f"No statistically significant peak (z > {PEAK_Z}) of spatial autocorrelation was found; "
        f"falling back to k = {k} neighbours (5% of {n} cells, kept between {OHSA_K_MIN} and {OHSA_K_MAX})."
    )
    if kd.mean > sd:
        log.append(
            f"The average distance to the {k}th nearest neighbour ({_m(kd.mean)}) exceeds one standard "
            f"distance ({_m(sd)}); the standard distance is used as the scale of analysis."
        )
        dist, method = sd, "standard_distance"
    else:
        log.append(
            f"Scale of analysis: the average distance to the {k}th nearest neighbour, {_m(kd.mean)} "
            f"(every cell has {k} neighbours only at {_m(kd.max)}; one standard distance is {_m(sd)})."
        )
        dist, method = kd.mean, "k_neighbours"
    return ScaleDecision(
        distance=float(dist), method=method, k=k, standard_distance=sd, incremental=inc, log=tuple(log)
    )


# --------------------------------------------------------------------------
# Gi* estimator and function
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class GiStarResult:
    """Result of :func:`gi_star` (the fitted attributes of :class:`GetisOrdGiStar`).

    Attributes
    ----------
    z_scores : numpy.ndarray, shape (n,)
        Gi* z-scores (esda ``Zs``); NaN for cells not analysed.
    p_values : numpy.ndarray, shape (n,)
        Two-sided normal p-values (esda's ``p_norm`` is one-sided: ours is
        twice it).
    p_values_fdr : numpy.ndarray, shape (n,)
        Benjamini-Hochberg adjusted p-values over the analysed cells.
    confidence_bins : numpy.ndarray of int8, shape (n,)
        Esri's Gi_Bin: +-3/2/1 for 99/95/90 % confidence, 0 otherwise.
    n_neighbours : numpy.ndarray of int64, shape (n,)
        Neighbours of each cell, not counting itself.
    analysed : numpy.ndarray of bool, shape (n,)
        Cells that took part (all, unless ``zero_cells="drop"``).
    weights_kind : {"distance_band", "knn"}
    distance : float or None
        Distance band in metres (None for kNN).
    k : int or None
        Number of neighbours (None for a distance band).
    fdr : bool
        Whether the bins use the FDR-corrected p-values.
    scale : ScaleDecision or None
        The automatic-scale decision, if the distance was chosen automatically.
    weights : scipy.sparse.csr_array
        The binary weights used, self included, over the analysed cells.
    decision_log : tuple of str
        What was checked and decided, in plain words, for the run record.
    """

    z_scores: np.ndarray
    p_values: np.ndarray
    p_values_fdr: np.ndarray
    confidence_bins: np.ndarray
    n_neighbours: np.ndarray
    analysed: np.ndarray
    weights_kind: str
    distance: float | None
    k: int | None
    fdr: bool
    scale: ScaleDecision | None
    weights: sparse.csr_array
    decision_log: tuple[str, ...]


def _resolve_min_incidents(min_incidents: object, zero_cells: str) -> int | None:
    if min_incidents is None:
        return None
    if isinstance(min_incidents, str):
        check_choice(min_incidents, ("auto",), name="min_incidents")
        return OHSA_MIN_INCIDENTS_UNBOUNDED if zero_cells == "drop" else OHSA_MIN_INCIDENTS_BOUNDED
    return check_int(min_incidents, name="min_incidents", minimum=0)


def _assess(
    y_all: np.ndarray, zero_cells: str, min_inc: int | None, min_feat: int | None, log: list[str]
) -> np.ndarray:
    """Esri's initial data assessment; returns the mask of cells to analyse."""
    n_all = y_all.size
    counts = min_inc is not None
    if counts and (y_all < 0).any():
        bad = int(np.flatnonzero(y_all < 0)[0])
        raise ValueError(
            f"y has a negative count at index {bad} ({y_all[bad]:g}); incident counts cannot be negative "
            "(set min_incidents=None to analyse values other than counts)"
        )
    analysed = y_all > 0 if zero_cells == "drop" else np.ones(n_all, dtype=bool)
    y = y_all[analysed]
    n_zero = int((y_all == 0).sum())
    what = "incidents" if counts else "total value"
    log.append(
        f"Initial data assessment: {n_all:,} cells, {what} {y_all.sum():,.6g}; values per cell min "
        f"{y_all.min():,.6g}, max {y_all.max():,.6g}, mean {y_all.mean():,.4g}, sd {y_all.std():,.4g}; "
        f"{n_zero:,} cell(s) ({100 * n_zero / n_all:.1f}%) are zero."
    )
    if zero_cells == "drop":
        log.append(
            f"Zero cells dropped (as ArcGIS does for a fishnet without a bounding polygon): "
            f"{int(analysed.sum()):,} cells with at least one incident are analysed."
        )
    if min_inc is not None:
        total = float(y_all.sum())
        rule = (
            f"Rule (Esri OHSA): at least {min_inc} incidents "
            f"(Esri asks {OHSA_MIN_INCIDENTS_BOUNDED} when the cells cover a bounded study area or are "
            f"aggregation polygons, {OHSA_MIN_INCIDENTS_UNBOUNDED} for a fishnet without a bounding polygon)"
        )
        if total < min_inc:
            raise ValueError(
                f"y holds {total:g} incidents; Optimized Hot Spot Analysis needs at least {min_inc} "
                "(min_incidents) to find hot spots reliably"
            )
        log.append(f"{rule}: {total:,.6g}, passed.")
    if min_feat is not None:
        if y.size < min_feat:
            raise ValueError(
                f"only {y.size} cell(s) can be analysed; Optimized Hot Spot Analysis needs at least "
                f"{min_feat} (min_features)"
            )
        log.append(f"Rule (Esri OHSA): at least {min_feat} cells analysed: {y.size:,}, passed.")
    if y.size < 3:
        raise ValueError(f"only {y.size} cell(s) can be analysed; Gi* needs at least 3")
    if float(y.std()) == 0:
        raise ValueError(
            f"all analysed cells have the same value ({y[0]:g}); Gi* needs variation to find hot or cold spots"
        )
    log.append("Rule (Esri OHSA): the values must vary between cells: passed.")
    return analysed


def gi_star(
    points: npt.ArrayLike,
    values: npt.ArrayLike,
    *,
    weights: Literal["distance_band", "knn"] = "distance_band",
    distance: float | None = None,
    k: int | None = None,
    fdr: bool = True,
    zero_cells: Literal["keep", "drop"] = "keep",
    min_incidents: int | Literal["auto"] | None = "auto",
    min_features: int | None = OHSA_MIN_FEATURES,
    n_bands: int = 10,
    max_neighbours: int = 500,
) -> GiStarResult:
    """Getis-Ord Gi* hot spots of counts per cell, Optimized-Hot-Spot style.

    For each cell, Gi* compares the sum of the counts in its neighbourhood
    (the cell itself included) with what that sum would be if counts were
    spread at random: a large positive z-score is a *hot spot* (high counts
    surrounded by high counts), a large negative one a *cold spot*.

    Parameters
    ----------
    points : array-like, shape (n, 2)
        Cell centroids (grid cells, polygon centroids) in metres, projected
        CRS (EPSG:32616 for Belize).
    values : array-like, shape (n,)
        Incident counts per cell (or any value when ``min_incidents=None``).
    weights : {"distance_band", "knn"}, default "distance_band"
        Neighbourhood: all cells within ``distance`` (binary), or the ``k``
        nearest cells. The cell itself is always included (the "star").
    distance : float, optional
        Distance band in metres. Default: chosen automatically by
        :func:`optimized_distance_band` (only with ``weights="distance_band"``).
    k : int, optional
        Number of neighbours for ``weights="knn"``. Default: OHSA's rule,
        5 % of the cells between 3 and 30.
    fdr : bool, default True
        Judge significance on False-Discovery-Rate corrected p-values, as
        Optimized Hot Spot Analysis does.
    zero_cells : {"keep", "drop"}, default "keep"
        ``"keep"``: every cell is part of the study area (ArcGIS with a
        bounding polygon, or aggregation polygons). ``"drop"``: analyse only
        cells with at least one incident (ArcGIS's fishnet without a bounding
        polygon); dropped cells get NaN z/p and bin 0.
    min_incidents : int, "auto" or None, default "auto"
        Minimum total count. ``"auto"`` applies Esri's rule: 30, or 60 with
        ``zero_cells="drop"``. None skips it (values that are not counts).
    min_features : int or None, default 30
        Minimum number of analysed cells (Esri's rule); None skips it.
    n_bands, max_neighbours : int
        Passed to :func:`optimized_distance_band` when the distance is automatic.

    Returns
    -------
    GiStarResult

    Raises
    ------
    ValueError
        If a minimum rule fails, the values do not vary, or a parameter is
        invalid (the message names it).

    Warns
    -----
    UserWarning
        If some cells have no neighbour but themselves (their z-score is then
        not spatial), or a neighbourhood spans every cell (z undefined).

    Notes
    -----
    ``z_i = (sum_j w_ij x_j - xbar sum_j w_ij) /
    (S sqrt((n sum_j w_ij^2 - (sum_j w_ij)^2) / (n - 1)))`` with binary
    ``w_ij`` including ``w_ii = 1``, ``xbar`` the mean and ``S`` the
    population standard deviation of the analysed values (Ord & Getis 1995;
    ArcGIS's formula). For binary weights this is ``esda.G_Local(x, w,
    star=True, transform="B").Zs``.

    References
    ----------
    .. [1] Ord, J. K. and Getis, A. (1995). Geographical Analysis 27(4), 286-306.
    .. [2] Esri, "How Hot Spot Analysis (Getis-Ord Gi*) works" and "How
       Optimized Hot Spot Analysis works", ArcGIS Pro tool reference.

    Examples
    --------
    A 10 x 10 grid of 250 m cells with a cluster of high counts in one corner:

    >>> import numpy as np
    >>> xx, yy = np.meshgrid(np.arange(10) * 250.0, np.arange(10) * 250.0)
    >>> cells = np.c_[xx.ravel(), yy.ravel()] + [300_000.0, 1_900_000.0]
    >>> counts = np.ones(100)
    >>> counts[(xx.ravel() < 750) & (yy.ravel() < 750)] = 8
    >>> r = gi_star(cells, counts, distance=400)
    >>> r.confidence_bins.reshape(10, 10)[:4, :4]
    array([[3, 3, 3, 0],
           [3, 3, 3, 1],
           [3, 3, 3, 0],
           [0, 1, 0, 0]], dtype=int8)
    >>> print(r.decision_log[-1])
    Gi* with FDR correction: 11 hot-spot cell(s) (9 at 99%, 0 at 95%, 2 at 90% confidence) and 0 cold-spot cell(s); 89 not significant.
    """
    kind = check_choice(weights, ("distance_band", "knn"), name="weights")
    zc = check_choice(zero_cells, ("keep", "drop"), name="zero_cells")
    pts_all = check_points(points, name="points")
    check_projected_metres(pts_all, name="points")
    n_all = pts_all.shape[0]
    y_all = check_finite_values(values, shape=(n_all,), name="values")
    if kind == "knn" and distance is not None:
        raise ValueError(f"distance is for weights='distance_band'; got distance={distance!r} with weights='knn'")
    if kind == "distance_band" and k is not None:
        raise ValueError(f"k is for weights='knn'; got k={k!r} with weights='distance_band'")
    min_inc = _resolve_min_incidents(min_incidents, zc)
    min_feat = None if min_features is None else check_int(min_features, name="min_features", minimum=1)
    use_fdr = bool(fdr)

    log: list[str] = []
    analysed = _assess(y_all, zc, min_inc, min_feat, log)
    pts, y = pts_all[analysed], y_all[analysed]
    n = y.size

    scale: ScaleDecision | None = None
    dist_used: float | None = None
    k_used: int | None = None
    if kind == "distance_band":
        if distance is None:
            scale = optimized_distance_band(pts, y, n_bands=n_bands, max_neighbours=max_neighbours)
            log.extend(scale.log)
            dist_used = scale.distance
        else:
            dist_used = check_positive(distance, name="distance")
            log.append(f"Scale of analysis: distance band {_m(dist_used)}, set by the caller.")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # isolated cells are reported below instead
            w = distance_band_weights(pts, dist_used, include_self=True)
    else:
        if k is None:
            k_used = min(ohsa_k(n), n - 1)
            log.append(
                f"Neighbourhood: the k = {k_used} nearest cells (OHSA's rule: 5% of {n} cells, "
                f"between {OHSA_K_MIN} and {OHSA_K_MAX})."
            )
        else:
            k_used = check_int(k, name="k", minimum=1)
            log.append(f"Neighbourhood: the k = {k_used} nearest cells, set by the caller.")
        w = knn_weights(pts, k_used, include_self=True)

    n_neigh = neighbour_counts(w)
    summary = neighbour_summary(n_neigh)
    log.append(f"Neighbourhood check: {summary.describe()} (the cell itself is also counted by Gi*).")
    if summary.n_isolated:
        warnings.warn(
            f"{summary.n_isolated} of {n} analysed cell(s) have no neighbour within distance={dist_used!r}; "
            "their Gi* z-score only compares the cell with the mean",
            UserWarning,
            stacklevel=2,
        )

    z = gi_star_z_scores(w, y)
    n_undefined = int(np.isnan(z).sum())
    if n_undefined:
        warnings.warn(
            f"{n_undefined} cell(s) have every cell in their neighbourhood; their Gi* z-score is undefined (NaN). "
            "Use a smaller distance or k",
            UserWarning,
            stacklevel=2,
        )
        log.append(f"{n_undefined} cell(s) have every cell as neighbour; their z-score is undefined.")
    p = _two_sided(z)
    q = false_discovery_rate(p)
    bins = confidence_bins(z, p, fdr=use_fdr)

    counts_by_bin = {b: int((bins == b).sum()) for b in (3, 2, 1, -1, -2, -3)}
    hot = counts_by_bin[3] + counts_by_bin[2] + counts_by_bin[1]
    cold = counts_by_bin[-3] + counts_by_bin[-2] + counts_by_bin[-1]
    log.append(
        f"Gi* {'with FDR correction' if use_fdr else 'without FDR correction'}: {hot} hot-spot cell(s) "
        f"({counts_by_bin[3]} at 99%, {counts_by_bin[2]} at 95%, {counts_by_bin[1]} at 90% confidence) and "
        f"{cold} cold-spot cell(s); {n - hot - cold} not significant."
    )

    def full(a: np.ndarray, fill: float | int, dtype: npt.DTypeLike) -> np.ndarray:
        out = np.full(n_all, fill, dtype=dtype)
        out[analysed] = a
        return _readonly(out)

    return GiStarResult(
        z_scores=full(z, np.nan, np.float64),
        p_values=full(p, np.nan, np.float64),
        p_values_fdr=full(q, np.nan, np.float64),
        confidence_bins=full(bins, 0, np.int8),
        n_neighbours=full(n_neigh, 0, np.int64),
        analysed=_readonly(analysed.copy()),
        weights_kind=kind,
        distance=dist_used,
        k=k_used,
        fdr=use_fdr,
        scale=scale,
        weights=w,
        decision_log=tuple(log),
    )


class GetisOrdGiStar:
    """Getis-Ord Gi* hot-spot analysis as an estimator (ArcGIS's Optimized Hot Spot Analysis).

    ``fit(X=cell_centroids, y=counts)`` computes, per cell, the Gi* z-score,
    p-value and Esri confidence bin. See :func:`gi_star` for the method.

    Parameters
    ----------
    weights : {"distance_band", "knn"}, default "distance_band"
        Neighbourhood kind; the cell itself is always included.
    distance : float, optional
        Distance band in metres; default chosen automatically
        (first peak of incremental spatial autocorrelation, else the average
        distance to the k-th neighbour capped at one standard distance).
    k : int, optional
        Neighbours for ``weights="knn"``; default 5 % of cells in [3, 30].
    fdr : bool, default True
        False Discovery Rate correction of the bins.
    zero_cells : {"keep", "drop"}, default "keep"
        Analyse every cell, or only cells with at least one incident.
    min_incidents : int, "auto" or None, default "auto"
        Esri's minimum total count (30; 60 when zero cells are dropped).
    min_features : int or None, default 30
        Esri's minimum number of analysed cells.
    n_bands : int, default 10
        Distance bands examined by the automatic scale.
    max_neighbours : int, default 500
        Widest automatic band, as an average neighbour count.

    Attributes
    ----------
    z_scores_ : numpy.ndarray, shape (n,)
        Gi* z-scores (esda ``Zs``).
    p_values_ : numpy.ndarray, shape (n,)
        Two-sided p-values.
    p_values_fdr_ : numpy.ndarray, shape (n,)
        Benjamini-Hochberg adjusted p-values.
    confidence_bins_ : numpy.ndarray of int8, shape (n,)
        Esri's Gi_Bin (+-3/2/1, 0).
    n_neighbours_ : numpy.ndarray, shape (n,)
        Neighbours per cell, the cell itself not counted.
    analysed_ : numpy.ndarray of bool, shape (n,)
        Cells analysed.
    distance_ : float or None
        Distance band used, metres.
    k_ : int or None
        Neighbour count used (kNN).
    scale_ : ScaleDecision or None
        Automatic-scale decision, when the distance was automatic.
    weights_ : scipy.sparse.csr_array
        Binary weights (self included) over the analysed cells.
    decision_log_ : list of str
        Plain-language record of checks and decisions, for the run record.
    n_features_in_ : int
        Number of cells passed to ``fit``.

    References
    ----------
    .. [1] Ord, J. K. and Getis, A. (1995). Geographical Analysis 27(4), 286-306.
    .. [2] Esri, "How Optimized Hot Spot Analysis works", ArcGIS Pro tool reference.

    Examples
    --------
    >>> import numpy as np
    >>> xx, yy = np.meshgrid(np.arange(10) * 250.0, np.arange(10) * 250.0)
    >>> cells = np.c_[xx.ravel(), yy.ravel()] + [300_000.0, 1_900_000.0]
    >>> counts = np.random.default_rng(1).poisson(2, 100)
    >>> counts[:3] = 20
    >>> est = GetisOrdGiStar(distance=500).fit(cells, counts)
    >>> est.distance_, est.confidence_bins_[:3]
    (500.0, array([3, 3, 3], dtype=int8))
    """

    def __init__(
        self,
        *,
        weights: Literal["distance_band", "knn"] = "distance_band",
        distance: float | None = None,
        k: int | None = None,
        fdr: bool = True,
        zero_cells: Literal["keep", "drop"] = "keep",
        min_incidents: int | Literal["auto"] | None = "auto",
        min_features: int | None = OHSA_MIN_FEATURES,
        n_bands: int = 10,
        max_neighbours: int = 500,
    ) -> None:
        self.weights = weights
        self.distance = distance
        self.k = k
        self.fdr = fdr
        self.zero_cells = zero_cells
        self.min_incidents = min_incidents
        self.min_features = min_features
        self.n_bands = n_bands
        self.max_neighbours = max_neighbours

    def fit(self, X: npt.ArrayLike, y: npt.ArrayLike) -> GetisOrdGiStar:
        """Compute Gi* for cells ``X`` (centroids in metres) with counts ``y``.

        Parameters
        ----------
        X : array-like, shape (n, 2)
            Cell centroids in metres.
        y : array-like, shape (n,)
            Counts per cell.

        Returns
        -------
        GetisOrdGiStar
            ``self``, fitted.
        """
        r = _warn_at_callers_caller(
            gi_star,
            X,
            y,
            weights=self.weights,
            distance=self.distance,
            k=self.k,
            fdr=self.fdr,
            zero_cells=self.zero_cells,
            min_incidents=self.min_incidents,
            min_features=self.min_features,
            n_bands=self.n_bands,
            max_neighbours=self.max_neighbours,
        )
        self.z_scores_ = r.z_scores
        self.p_values_ = r.p_values
        self.p_values_fdr_ = r.p_values_fdr
        self.confidence_bins_ = r.confidence_bins
        self.n_neighbours_ = r.n_neighbours
        self.analysed_ = r.analysed
        self.distance_ = r.distance
        self.k_ = r.k
        self.scale_ = r.scale
        self.weights_ = r.weights
        self.decision_log_ = list(r.decision_log)
        self.n_features_in_ = int(r.z_scores.size)
        return self

    def get_params(self, deep: bool = True) -> dict[str, object]:
        """Parameters of this estimator (sklearn convention)."""
        return {
            name: getattr(self, name)
            for name in (
                "weights",
                "distance",
                "k",
                "fdr",
                "zero_cells",
                "min_incidents",
                "min_features",
                "n_bands",
                "max_neighbours",
            )
        }

    def set_params(self, **params: object) -> GetisOrdGiStar:
        """Set parameters (sklearn convention); unknown names raise ValueError."""
        valid = self.get_params()
        for key, value in params.items():
            if key not in valid:
                raise ValueError(f"unknown parameter {key!r} for GetisOrdGiStar; valid: {sorted(valid)}")
            setattr(self, key, value)
        return self
