"""Local hot spots: Getis-Ord Gi* and the automatic scale of Optimized Hot Spot Analysis.

What a crime analyst knows from ArcGIS as *Hot Spot Analysis (Getis-Ord Gi*)*
and *Optimized Hot Spot Analysis*, on plain arrays:

* :func:`gi_star` / :class:`GetisOrdGiStar` -- counts per cell (or per
  polygon, at its centroid) in, a z-score, a p-value and an Esri confidence
  bin (+-3, +-2, +-1 for 99, 95, 90 % confidence; 0 = not significant) per
  cell out, optionally corrected for multiple testing with the False
  Discovery Rate, with the scale of analysis chosen automatically as
  Optimized Hot Spot Analysis does and every decision written to a
  plain-language log;
* :func:`optimized_distance_band` -- the automatic scale rule, from the
  incremental spatial autocorrelation of
  :mod:`spatial_analysis.autocorrelation`.

Split along esda's lines: the significance step (FDR, confidence bins) is in
:mod:`spatial_analysis.significance`, global Moran's I and its incremental
scale in :mod:`spatial_analysis.autocorrelation`.

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

from ._validation import (
    check_choice,
    check_coordinates,
    check_finite_values,
    check_int,
    check_points,
    check_positive,
    check_projected_metres,
    check_weights_and_values,
    format_metres,
)
from .autocorrelation import OUTLIER_SD, PEAK_Z, IncrementalMoranResult, incremental_spatial_autocorrelation
from .base import Estimator, readonly
from .significance import confidence_bins, false_discovery_rate, two_sided_p_values
from .weights import (
    distance_band_weights,
    k_neighbour_distances,
    knn_weights,
    neighbour_counts,
    neighbour_summary,
    standard_distance,
)

__all__ = [
    "GetisOrdGiStar",
    "GiStarResult",
    "OHSA_K_MAX",
    "OHSA_K_MIN",
    "OHSA_MIN_FEATURES",
    "ScaleDecision",
    "gi_star",
    "gi_star_z_from_sums",
    "gi_star_z_scores",
    "ohsa_k",
    "optimized_distance_band",
]

#: Optimized Hot Spot Analysis constants (Esri, "How Optimized Hot Spot Analysis works").
OHSA_MIN_FEATURES = 30
OHSA_MIN_INCIDENTS_BOUNDED = 30
OHSA_MIN_INCIDENTS_UNBOUNDED = 60
OHSA_K_FRACTION = 0.05
OHSA_K_MIN = 3
OHSA_K_MAX = 30


# --------------------------------------------------------------------------
# Gi*
# --------------------------------------------------------------------------


def gi_star_z_from_sums(
    lag: np.ndarray, wsum: np.ndarray, w2sum: np.ndarray, mean: float, sd: float, n: int
) -> np.ndarray:
    """Ord & Getis (1995) Gi* z from the local weighted sum and the weight moments.

    The core that :func:`gi_star_z_scores` and the space-time Gi* of
    :mod:`spatial_analysis.emerging` share; any array shape broadcasts.

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
    w, x = check_weights_and_values(weights, values)
    n = x.size
    if n < 2:
        raise ValueError(f"values needs at least 2 entries; got {n}")
    sd = float(x.std())
    if sd == 0:
        raise ValueError("values are all equal; Gi* needs variation to compare cells")
    wsum = np.asarray(w.sum(axis=1)).ravel()
    w2sum = np.asarray(w.multiply(w).sum(axis=1)).ravel()
    return gi_star_z_from_sums(w @ x, wsum, w2sum, float(x.mean()), sd, n)


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
        zs = ", ".join(f"{format_metres(d)}: {z:.2f}" for d, z in zip(inc.distances, inc.z_scores))
        log.append(
            f"Incremental spatial autocorrelation over {inc.distances.size} distance bands "
            f"({format_metres(inc.distances[0])} to {format_metres(inc.distances[-1])}); Moran's I z-score by band: {zs}."
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
            f"{format_metres(inc.first_peak_distance)} (z = {z_peak:.2f}); that distance band is used."
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
            f"The average distance to the {k}th nearest neighbour ({format_metres(kd.mean)}) exceeds one standard "
            f"distance ({format_metres(sd)}); the standard distance is used as the scale of analysis."
        )
        dist, method = sd, "standard_distance"
    else:
        log.append(
            f"Scale of analysis: the average distance to the {k}th nearest neighbour, {format_metres(kd.mean)} "
            f"(every cell has {k} neighbours only at {format_metres(kd.max)}; one standard distance is {format_metres(sd)})."
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
            log.append(f"Scale of analysis: distance band {format_metres(dist_used)}, set by the caller.")
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
            f"{summary.n_isolated} of {n} analysed cell(s) have no neighbour within {format_metres(dist_used)}; "
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
    p = two_sided_p_values(z)
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
        return readonly(out)

    return GiStarResult(
        z_scores=full(z, np.nan, np.float64),
        p_values=full(p, np.nan, np.float64),
        p_values_fdr=full(q, np.nan, np.float64),
        confidence_bins=full(bins, 0, np.int8),
        n_neighbours=full(n_neigh, 0, np.int64),
        analysed=readonly(analysed.copy()),
        weights_kind=kind,
        distance=dist_used,
        k=k_used,
        fdr=use_fdr,
        scale=scale,
        weights=w,
        decision_log=tuple(log),
    )


class GetisOrdGiStar(Estimator):
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
        xy, _ = check_coordinates(X, name="X")
        r = gi_star(
            xy,
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
