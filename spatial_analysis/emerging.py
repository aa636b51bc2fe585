"""Emerging hot spot analysis: how hot and cold spots change over time.

ArcGIS's *Emerging Hot Spot Analysis* on plain arrays. A space-time cube goes
in as cell centroids (``n_cells x 2``, metres) and a counts array
(``n_cells x n_steps``, e.g. incidents per cell per month). For every bin
(cell, time step) a space-time Getis-Ord Gi* z-score is computed, the
neighbourhood being the cells within ``distance`` metres in the current and
the ``time_step_window`` previous time steps. A Mann-Kendall test on each
cell's series of Gi* z-scores says whether clustering is intensifying or
fading. Each cell then gets one of Esri's 17 categories:

====  ========================  ==========================================================
code  category                  rule (hot; cold is the mirror image)
====  ========================  ==========================================================
1     new hot spot              hot in the final step, never hot before
2     consecutive hot spot      a single run of >= 2 hot steps at the end, never hot
                                before it, < 90 % of steps hot
3     intensifying hot spot     >= 90 % of steps hot incl. the final one, significant
                                upward trend
4     persistent hot spot       >= 90 % of steps hot incl. the final one, no significant
                                trend
5     diminishing hot spot      >= 90 % of steps hot incl. the final one, significant
                                downward trend
6     sporadic hot spot         hot in the final step, on-and-off hot before, < 90 % hot,
                                never a cold spot
7     oscillating hot spot      hot in the final step, a cold spot in some earlier step,
                                < 90 % hot
8     historical hot spot       not hot in the final step, >= 90 % of steps hot
0     no pattern detected       none of the above
====  ========================  ==========================================================

Cold spots have the negative codes (-1 new cold spot ... -8 historical cold
spot); for them "intensifying" means a significant *downward* trend of the
z-scores (colder and colder).

Where Esri's sentences overlap, these tie-breaks apply (and are tested):

* a cell significant in the **final** step gets a category of that sign
  (a cell hot >= 90 % of the time that turns cold at the end is an
  *oscillating cold spot*, not a *historical hot spot*);
* a final-step hot spot with **any earlier cold spot** is *oscillating*, even
  if it was never hot before (which the *new*/*consecutive* wording alone
  would also allow);
* *persistent* requires the final step hot, so it never overlaps
  *historical*.

References
----------
.. [1] Esri, "How Emerging Hot Spot Analysis works", ArcGIS Pro tool
   reference, Space Time Pattern Mining toolbox (the category definitions).
.. [2] Esri, "Emerging Hot Spot Analysis (Space Time Pattern Mining)", ArcGIS
   Pro tool reference (neighborhood time step, entire-cube global window).
.. [3] Ord, J. K. and Getis, A. (1995). Local spatial autocorrelation
   statistics: distributional issues and an application. Geographical
   Analysis 27(4), 286-306.
.. [4] Mann, H. B. (1945). Nonparametric tests against trend. Econometrica
   13(3), 245-259; Kendall, M. G. (1975). Rank Correlation Methods, 4th ed.,
   Griffin, London (variance with ties).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ._validation import (
    check_coordinates,
    check_finite_values,
    check_int,
    check_points,
    check_positive,
    check_projected_metres,
    format_metres,
)
from .base import Estimator, readonly
from .hotspots import ScaleDecision, gi_star_z_from_sums, optimized_distance_band
from .significance import false_discovery_rate, signed_confidence_bins, two_sided_p_values
from .weights import distance_band_weights, neighbour_counts, neighbour_summary

__all__ = [
    "CATEGORIES",
    "EmergingHotSpots",
    "EmergingHotSpotsResult",
    "MannKendallResult",
    "SpaceTimeGiStar",
    "classify_emerging",
    "emerging_hot_spots",
    "mann_kendall",
    "space_time_gi_star",
]

#: Esri's pattern codes and names (ArcGIS's CATEGORY field uses the same codes).
CATEGORIES: dict[int, str] = {
    0: "no pattern detected",
    1: "new hot spot",
    2: "consecutive hot spot",
    3: "intensifying hot spot",
    4: "persistent hot spot",
    5: "diminishing hot spot",
    6: "sporadic hot spot",
    7: "oscillating hot spot",
    8: "historical hot spot",
    -1: "new cold spot",
    -2: "consecutive cold spot",
    -3: "intensifying cold spot",
    -4: "persistent cold spot",
    -5: "diminishing cold spot",
    -6: "sporadic cold spot",
    -7: "oscillating cold spot",
    -8: "historical cold spot",
}

#: Share of time steps that makes a location "mostly" a hot (cold) spot.
NINETY_PERCENT = 0.9


# --------------------------------------------------------------------------
# Mann-Kendall
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class MannKendallResult:
    """Mann-Kendall trend test, one value per series.

    Attributes
    ----------
    s : numpy.ndarray
        ``S = sum_{i<j} sign(x_j - x_i)``: positive for an upward trend.
    variance : numpy.ndarray
        ``Var(S) = [n(n-1)(2n+5) - sum_t t(t-1)(2t+5)] / 18`` over groups of
        ``t`` tied values.
    z : numpy.ndarray
        ``(S - 1)/sqrt(Var)`` if S > 0, ``(S + 1)/sqrt(Var)`` if S < 0, else 0
        (continuity-corrected).
    p : numpy.ndarray
        Two-sided normal p-value of ``z``.
    tau : numpy.ndarray
        Kendall's tau-a, ``S / (n(n-1)/2)``.
    """

    s: np.ndarray
    variance: np.ndarray
    z: np.ndarray
    p: np.ndarray
    tau: np.ndarray


def _tie_term(x: np.ndarray) -> np.ndarray:
    """Per row, sum over tied groups of t(t-1)(2t+5) (vectorised over rows)."""
    m, n = x.shape
    s = np.sort(x, axis=1)
    flat = s.ravel()
    new_group = np.ones(m * n, dtype=bool)
    new_group[1:] = flat[1:] != flat[:-1]
    new_group[::n] = True  # every row starts a new group
    group = np.cumsum(new_group) - 1
    sizes = np.bincount(group).astype(np.float64)
    group_row = np.flatnonzero(new_group) // n
    return np.bincount(group_row, weights=sizes * (sizes - 1) * (2 * sizes + 5), minlength=m)


def mann_kendall(series: npt.ArrayLike) -> MannKendallResult:
    """Mann-Kendall test for a monotonic trend, vectorised over many series.

    Parameters
    ----------
    series : array-like, shape (n_steps,) or (n_series, n_steps)
        Values in time order (e.g. a cell's Gi* z-scores), n_steps >= 2.

    Returns
    -------
    MannKendallResult
        Arrays of shape (n_series,) (0-d for a 1-D input).

    Notes
    -----
    With time as ``x`` (no ties) and the series as ``y``, ``S`` equals
    ``tau_b * sqrt(n0 * (n0 - n2))`` with ``tau_b = scipy.stats.kendalltau``,
    ``n0 = n(n-1)/2`` and ``n2`` the number of tied pairs in ``y``.

    References
    ----------
    .. [1] Mann, H. B. (1945). Econometrica 13(3), 245-259.
    .. [2] Kendall, M. G. (1975). Rank Correlation Methods. Griffin.

    Examples
    --------
    Of the ten pairs, eight rise, one falls (3 then 2) and one is tied (the
    two 2.0s), so S = 8 - 1 = 7; the tied pair removes 2*1*9 = 18 from
    ``n(n-1)(2n+5) = 300``, so Var(S) = 282 / 18:

    >>> r = mann_kendall([1.0, 2.0, 3.0, 2.0, 5.0])
    >>> int(r.s), float(r.variance), round(float(r.z), 4), round(float(r.p), 4)
    (7, 15.666666666666666, 1.5159, 0.1296)
    """
    x = np.asarray(series, dtype=np.float64)
    one = x.ndim == 1
    x2 = check_finite_values(x[None, :] if one else x, shape=(None, None), name="series")
    m, n = x2.shape
    if n < 2:
        raise ValueError(f"series needs at least 2 time steps; got {n}")
    s = np.zeros(m)
    for lag in range(1, n):
        s += np.sign(x2[:, lag:] - x2[:, :-lag]).sum(axis=1)
    var = (n * (n - 1) * (2 * n + 5) - _tie_term(x2)) / 18.0
    with np.errstate(invalid="ignore", divide="ignore"):
        sd = np.sqrt(var)
        z = np.where(s > 0, (s - 1) / sd, np.where(s < 0, (s + 1) / sd, 0.0))
    z = np.where(var > 0, z, 0.0)
    p = two_sided_p_values(z)
    tau = s / (n * (n - 1) / 2)
    if one:
        return MannKendallResult(s=s[0], variance=var[0], z=z[0], p=p[0], tau=tau[0])
    return MannKendallResult(
        s=readonly(s), variance=readonly(var), z=readonly(z), p=readonly(p), tau=readonly(tau)
    )


# --------------------------------------------------------------------------
# Space-time Gi*
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class SpaceTimeGiStar:
    """Space-time Gi* per bin.

    Attributes
    ----------
    z : numpy.ndarray, shape (n_cells, n_steps)
        Gi* z-scores.
    p : numpy.ndarray, shape (n_cells, n_steps)
        Two-sided p-values.
    p_fdr : numpy.ndarray, shape (n_cells, n_steps)
        Benjamini-Hochberg adjusted p-values over all bins of the cube.
    n_neighbours : numpy.ndarray, shape (n_cells,)
        Spatial neighbours per cell (itself not counted).
    """

    z: np.ndarray
    p: np.ndarray
    p_fdr: np.ndarray
    n_neighbours: np.ndarray


def space_time_gi_star(
    points: npt.ArrayLike,
    counts: npt.ArrayLike,
    *,
    distance: float,
    time_step_window: int = 1,
) -> SpaceTimeGiStar:
    """Gi* for every bin of a space-time cube.

    The neighbourhood of bin (cell ``i``, step ``t``) is every bin (``j``,
    ``s``) with ``j`` within ``distance`` metres of ``i`` (``i`` itself
    included) and ``t - time_step_window <= s <= t``, all with weight 1 --
    ArcGIS's "neighborhood distance" and "neighborhood time step". The global
    mean and standard deviation are those of the entire cube (ArcGIS's
    default global window). Early steps simply have fewer previous steps.

    Parameters
    ----------
    points : array-like, shape (n_cells, 2)
        Cell centroids in metres.
    counts : array-like, shape (n_cells, n_steps)
        Value of each bin.
    distance : float
        Spatial neighbourhood radius in metres.
    time_step_window : int, default 1
        Number of previous time steps in the neighbourhood (0 = same step only).

    Returns
    -------
    SpaceTimeGiStar

    Notes
    -----
    Equal to ``esda.G_Local(counts.ravel(), W_st, star=True,
    transform="B").Zs`` with the explicit ``(n_cells * n_steps)``-square
    space-time weights ``W_st`` (tested), but computed as the spatial lag
    ``W @ counts`` summed over the time window, so it scales to large cubes.

    Examples
    --------
    >>> import numpy as np
    >>> xx, yy = np.meshgrid(np.arange(5) * 100.0, np.arange(5) * 100.0)
    >>> pts = np.c_[xx.ravel(), yy.ravel()]
    >>> counts = np.ones((25, 4))
    >>> counts[12, 3] = 10.0  # a burst in the centre cell in the last step
    >>> r = space_time_gi_star(pts, counts, distance=100)
    >>> bool(r.z[12, 3] == r.z.max()), round(float(r.z[12, 3]), 2)
    (True, 3.0)
    """
    pts = check_points(points, name="points", min_points=2)
    check_projected_metres(pts, name="points")
    n_cells = pts.shape[0]
    x = check_finite_values(counts, shape=(n_cells, None), name="counts")
    n_steps = x.shape[1]
    if n_steps < 1:
        raise ValueError("counts needs at least one time step (column)")
    d = check_positive(distance, name="distance")
    win = check_int(time_step_window, name="time_step_window", minimum=0)
    sd = float(x.std())
    if sd == 0:
        raise ValueError("counts are all equal; Gi* needs variation between bins")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        w = distance_band_weights(pts, d, include_self=True)
    spatial_lag = w @ x  # (n_cells, n_steps)
    lag = spatial_lag.copy()
    for back in range(1, min(win, n_steps - 1) + 1):
        lag[:, back:] += spatial_lag[:, :-back]
    steps_in_window = np.minimum(np.arange(n_steps), win) + 1  # (n_steps,)
    wsum = np.asarray(w.sum(axis=1)).ravel()[:, None] * steps_in_window[None, :]
    z = gi_star_z_from_sums(lag, wsum, wsum, float(x.mean()), sd, x.size)
    p = two_sided_p_values(z)
    q = false_discovery_rate(p.ravel()).reshape(p.shape)
    counts_nb = neighbour_counts(w)
    return SpaceTimeGiStar(z=readonly(z), p=readonly(p), p_fdr=readonly(q), n_neighbours=readonly(counts_nb))


# --------------------------------------------------------------------------
# Categories
# --------------------------------------------------------------------------


def _classify_one_sign(
    hit: np.ndarray, other: np.ndarray, trend_sig: np.ndarray, trend_with: np.ndarray
) -> np.ndarray:
    """Codes 0..8 for one direction (hot, or cold with the sign flipped).

    ``hit``: bins significant in this direction; ``other``: in the opposite
    one; ``trend_with``: the trend runs in this direction (up for hot).
    """
    m, n = hit.shape
    code = np.zeros(m, dtype=np.int8)
    n_hit = hit.sum(axis=1)
    mostly = n_hit * 10 >= 9 * n  # >= 90 % of the time steps, in integers
    final = hit[:, -1]
    # length of the run of hits that ends at the final step
    not_hit_rev = ~hit[:, ::-1]
    has_break = not_hit_rev.any(axis=1)
    run = np.where(has_break, np.argmax(not_hit_rev, axis=1), n)
    hit_before_run = n_hit > run
    any_other = other.any(axis=1)

    trend_up = trend_sig & trend_with
    trend_down = trend_sig & ~trend_with
    strong = final & mostly
    code[strong & trend_up] = 3  # intensifying
    code[strong & trend_down] = 5  # diminishing
    code[strong & ~trend_sig] = 4  # persistent
    weak = final & ~mostly
    code[weak & any_other] = 7  # oscillating
    plain = weak & ~any_other
    code[plain & ~hit_before_run & (run == 1)] = 1  # new
    code[plain & ~hit_before_run & (run >= 2)] = 2  # consecutive
    code[plain & hit_before_run] = 6  # sporadic
    code[~final & mostly] = 8  # historical
    return code


def classify_emerging(
    significance: npt.ArrayLike,
    trend_z: npt.ArrayLike,
    trend_p: npt.ArrayLike,
    *,
    trend_alpha: float = 0.10,
) -> np.ndarray:
    """Esri's emerging hot spot category of each location.

    Parameters
    ----------
    significance : array-like of int, shape (n_cells, n_steps)
        +1 where the bin is a significant hot spot, -1 a significant cold
        spot, 0 otherwise, in time order.
    trend_z, trend_p : array-like, shape (n_cells,)
        Mann-Kendall z-score and p-value of each cell's Gi* z-score series.
    trend_alpha : float, default 0.10
        The trend is significant when ``trend_p <= trend_alpha``.

    Returns
    -------
    numpy.ndarray of int8, shape (n_cells,)
        Codes of :data:`CATEGORIES` (1..8 hot, -1..-8 cold, 0 none).

    Examples
    --------
    >>> sig = [[0, 0, 0, 0, 1],      # hot only at the end
    ...        [0, 0, 0, 1, 1],      # a final run of two
    ...        [1, 1, 1, 1, 1],      # always hot, rising
    ...        [-1, 0, 0, 0, 1]]     # was cold, now hot
    >>> codes = classify_emerging(sig, [0.0, 0.0, 2.5, 0.0], [1.0, 1.0, 0.01, 1.0])
    >>> [CATEGORIES[int(c)] for c in codes]
    ['new hot spot', 'consecutive hot spot', 'intensifying hot spot', 'oscillating hot spot']
    """
    sig = np.asarray(significance)
    if sig.ndim != 2 or sig.shape[1] < 1:
        raise ValueError(f"significance must have shape (n_cells, n_steps); got {sig.shape}")
    if not np.isin(sig, (-1, 0, 1)).all():
        raise ValueError("significance must hold only -1 (cold), 0 and +1 (hot)")
    m = sig.shape[0]
    tz = check_finite_values(trend_z, shape=(m,), name="trend_z")
    tp = np.asarray(trend_p, dtype=np.float64)
    if tp.shape != (m,):
        raise ValueError(f"trend_p must have shape ({m},); got {tp.shape}")
    alpha = check_positive(trend_alpha, name="trend_alpha")
    trend_sig = tp <= alpha  # NaN p is never significant
    hot, cold = sig == 1, sig == -1
    hot_code = _classify_one_sign(hot, cold, trend_sig, tz > 0)
    cold_code = _classify_one_sign(cold, hot, trend_sig, tz < 0)
    final_cold = cold[:, -1]
    # A final-step cold spot takes a cold category; otherwise the hot one (if any).
    code = np.where(final_cold, -cold_code, np.where(hot_code != 0, hot_code, -cold_code))
    return code.astype(np.int8)


# --------------------------------------------------------------------------
# Estimator and function
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class EmergingHotSpotsResult:
    """Result of :func:`emerging_hot_spots` (fitted attributes of :class:`EmergingHotSpots`).

    Attributes
    ----------
    category : numpy.ndarray of str, shape (n_cells,)
        Category name (see :data:`CATEGORIES`).
    category_code : numpy.ndarray of int8, shape (n_cells,)
        Esri's code, -8..8.
    trend_s, trend_z, trend_p, trend_tau : numpy.ndarray, shape (n_cells,)
        Mann-Kendall S, z, two-sided p and tau of each cell's Gi* z-series.
    gi_z, gi_p, gi_p_fdr : numpy.ndarray, shape (n_cells, n_steps)
        Space-time Gi* z-score, p-value and FDR-adjusted p-value per bin.
    gi_bins : numpy.ndarray of int8, shape (n_cells, n_steps)
        Per-bin Esri confidence bins (+-3/2/1, 0).
    significance : numpy.ndarray of int8, shape (n_cells, n_steps)
        +1/-1 where the bin counts as a hot/cold spot for the categories.
    distance : float
        Spatial neighbourhood in metres.
    time_step_window : int
        Previous time steps in the neighbourhood.
    scale : ScaleDecision or None
        The automatic distance decision, if the distance was automatic.
    decision_log : tuple of str
        Plain-language record of the run.
    """

    category: np.ndarray
    category_code: np.ndarray
    trend_s: np.ndarray
    trend_z: np.ndarray
    trend_p: np.ndarray
    trend_tau: np.ndarray
    gi_z: np.ndarray
    gi_p: np.ndarray
    gi_p_fdr: np.ndarray
    gi_bins: np.ndarray
    significance: np.ndarray
    distance: float
    time_step_window: int
    scale: ScaleDecision | None
    decision_log: tuple[str, ...]


def emerging_hot_spots(
    points: npt.ArrayLike,
    counts: npt.ArrayLike,
    *,
    distance: float | None = None,
    time_step_window: int = 1,
    alpha: float = 0.10,
    trend_alpha: float = 0.10,
    fdr: bool = True,
) -> EmergingHotSpotsResult:
    """Emerging hot spot analysis of a space-time cube of counts.

    Parameters
    ----------
    points : array-like, shape (n_cells, 2)
        Cell centroids in metres (projected CRS).
    counts : array-like, shape (n_cells, n_steps)
        Incidents per cell per time step, oldest step first; n_steps >= 2.
    distance : float, optional
        Spatial neighbourhood in metres. Default: chosen from the cells'
        total counts by :func:`~spatial_analysis.hotspots.optimized_distance_band`
        (Esri computes its own default from the spatial distribution but does
        not publish the rule; we reuse Optimized Hot Spot Analysis's).
    time_step_window : int, default 1
        Previous time steps in each bin's neighbourhood (Esri's
        "neighborhood time step", default 1).
    alpha : float, default 0.10
        A bin is a hot (cold) spot when its (FDR-adjusted) p-value is
        ``<= alpha`` and z > 0 (< 0); 0.10 is Esri's 90 % confidence level,
        the weakest Gi_Bin.
    trend_alpha : float, default 0.10
        Significance level of the Mann-Kendall trend.
    fdr : bool, default True
        Correct the bins for multiple testing with the False Discovery Rate
        over all bins of the cube, as ArcGIS does.

    Returns
    -------
    EmergingHotSpotsResult

    Warns
    -----
    UserWarning
        With fewer than 10 time steps: the 90 % rules then need every step
        and the trend test has little power.

    References
    ----------
    .. [1] Esri, "How Emerging Hot Spot Analysis works", ArcGIS Pro tool reference.

    Examples
    --------
    A 6 x 6 grid of 250 m cells over 12 months; a block of cells that is busy
    all year and a second block that only became busy in the last three months:

    >>> import numpy as np
    >>> xx, yy = np.meshgrid(np.arange(6) * 250.0, np.arange(6) * 250.0)
    >>> cells = np.c_[xx.ravel(), yy.ravel()] + [300_000.0, 1_900_000.0]
    >>> counts = np.ones((36, 12))
    >>> old = (xx.ravel() < 500) & (yy.ravel() < 500)
    >>> new = (xx.ravel() > 750) & (yy.ravel() > 750)
    >>> counts[old] = 6.0
    >>> counts[np.ix_(new, [9, 10, 11])] = 12.0
    >>> r = emerging_hot_spots(cells, counts, distance=300)
    >>> sorted(set(r.category[old])), sorted(set(r.category[new]))
    (['persistent hot spot'], ['consecutive hot spot'])
    """
    pts = check_points(points, name="points", min_points=2)
    check_projected_metres(pts, name="points")
    n_cells = pts.shape[0]
    x = check_finite_values(counts, shape=(n_cells, None), name="counts")
    n_steps = x.shape[1]
    if n_steps < 2:
        raise ValueError(f"counts needs at least 2 time steps (columns) for a trend; got {n_steps}")
    win = check_int(time_step_window, name="time_step_window", minimum=0)
    a = check_positive(alpha, name="alpha")
    ta = check_positive(trend_alpha, name="trend_alpha")
    if a >= 1 or ta >= 1:
        raise ValueError(f"alpha and trend_alpha must be below 1; got alpha={alpha!r}, trend_alpha={trend_alpha!r}")
    use_fdr = bool(fdr)
    if float(x.std()) == 0:
        raise ValueError("counts are all equal; there is nothing to find hot or cold spots in")
    if n_steps < 10:
        warnings.warn(
            f"counts has only {n_steps} time steps; with fewer than 10 the 90% rules need every step "
            "and the Mann-Kendall trend has little power",
            UserWarning,
            stacklevel=2,
        )

    log: list[str] = [
        f"Space-time cube: {n_cells:,} cells x {n_steps} time steps = {x.size:,} bins; total {x.sum():,.6g}; "
        f"per bin min {x.min():,.6g}, max {x.max():,.6g}, mean {x.mean():,.4g}."
    ]
    scale: ScaleDecision | None = None
    if distance is None:
        totals = x.sum(axis=1)
        if n_cells < 4 or float(totals.std()) == 0:
            raise ValueError(
                "distance cannot be chosen automatically (need >= 4 cells whose totals vary); pass distance="
            )
        scale = optimized_distance_band(pts, totals)
        d = scale.distance
        log.append("Neighbourhood distance chosen automatically from each cell's total over all time steps:")
        log.extend(scale.log)
    else:
        d = check_positive(distance, name="distance")
        log.append(f"Neighbourhood distance {format_metres(d)}, set by the caller.")
    log.append(
        f"Neighbourhood time step: the current and {win} previous step(s); global mean and spread "
        "taken over the entire cube."
    )

    st = space_time_gi_star(pts, x, distance=d, time_step_window=win)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        summary = neighbour_summary(distance_band_weights(pts, d))
    log.append(f"Spatial neighbourhood check: {summary.describe()}.")
    if summary.n_isolated:
        warnings.warn(
            f"{summary.n_isolated} of {n_cells} cell(s) have no neighbour within {format_metres(d)}; "
            "their Gi* only compares them over time",
            UserWarning,
            stacklevel=2,
        )
    judged = st.p_fdr if use_fdr else st.p
    bins = signed_confidence_bins(st.z, judged)
    significance = np.where(judged <= a, np.sign(np.nan_to_num(st.z)), 0).astype(np.int8)
    mk = mann_kendall(np.nan_to_num(st.z))
    codes = classify_emerging(significance, mk.z, mk.p, trend_alpha=ta)
    names = np.array([CATEGORIES[int(c)] for c in codes], dtype=object)

    n_hot = int((significance == 1).sum())
    n_cold = int((significance == -1).sum())
    log.append(
        f"Space-time Gi* {'with FDR correction' if use_fdr else 'without FDR correction'}: {n_hot:,} hot-spot "
        f"and {n_cold:,} cold-spot bins at p <= {a:g}; Mann-Kendall trend significant at p <= {ta:g}."
    )
    present = [(c, int((codes == c).sum())) for c in CATEGORIES if (codes == c).any()]
    log.append("Categories: " + "; ".join(f"{CATEGORIES[c]} {k:,}" for c, k in present) + ".")

    return EmergingHotSpotsResult(
        category=readonly(names),
        category_code=readonly(codes),
        trend_s=mk.s,
        trend_z=mk.z,
        trend_p=mk.p,
        trend_tau=mk.tau,
        gi_z=st.z,
        gi_p=st.p,
        gi_p_fdr=st.p_fdr,
        gi_bins=readonly(bins),
        significance=readonly(significance),
        distance=float(d),
        time_step_window=win,
        scale=scale,
        decision_log=tuple(log),
    )


class EmergingHotSpots(Estimator):
    """Emerging hot spot analysis as an estimator (ArcGIS's Emerging Hot Spot Analysis).

    ``fit(X=cell_centroids, y=counts)`` with ``counts`` of shape
    ``(n_cells, n_steps)``. See :func:`emerging_hot_spots`.

    Parameters
    ----------
    distance : float, optional
        Spatial neighbourhood in metres (default: automatic).
    time_step_window : int, default 1
        Previous time steps in the neighbourhood.
    alpha : float, default 0.10
        Bin significance level (90 % confidence).
    trend_alpha : float, default 0.10
        Mann-Kendall significance level.
    fdr : bool, default True
        False Discovery Rate correction over all bins.

    Attributes
    ----------
    category_ : numpy.ndarray of str, shape (n_cells,)
        Category names.
    category_code_ : numpy.ndarray of int8, shape (n_cells,)
        Esri codes -8..8.
    trend_s_, trend_z_, trend_p_, trend_tau_ : numpy.ndarray, shape (n_cells,)
        Mann-Kendall statistics of each cell's Gi* z-score series.
    gi_z_, gi_p_, gi_p_fdr_ : numpy.ndarray, shape (n_cells, n_steps)
        Space-time Gi* z, p and FDR-adjusted p per bin.
    gi_bins_ : numpy.ndarray of int8, shape (n_cells, n_steps)
        Per-bin confidence bins.
    significance_ : numpy.ndarray of int8, shape (n_cells, n_steps)
        +1 hot / -1 cold / 0 per bin as used by the categories.
    distance_ : float
        Spatial neighbourhood used, metres.
    scale_ : ScaleDecision or None
        Automatic distance decision.
    decision_log_ : list of str
        Plain-language record of the run.

    Examples
    --------
    >>> import numpy as np
    >>> xx, yy = np.meshgrid(np.arange(6) * 250.0, np.arange(6) * 250.0)
    >>> cells = np.c_[xx.ravel(), yy.ravel()]
    >>> counts = np.ones((36, 10))
    >>> counts[:3, -1] = 15.0
    >>> est = EmergingHotSpots(distance=300).fit(cells, counts)
    >>> est.category_[:3].tolist()
    ['new hot spot', 'new hot spot', 'new hot spot']
    """

    def __init__(
        self,
        *,
        distance: float | None = None,
        time_step_window: int = 1,
        alpha: float = 0.10,
        trend_alpha: float = 0.10,
        fdr: bool = True,
    ) -> None:
        self.distance = distance
        self.time_step_window = time_step_window
        self.alpha = alpha
        self.trend_alpha = trend_alpha
        self.fdr = fdr

    def fit(self, X: npt.ArrayLike, y: npt.ArrayLike) -> EmergingHotSpots:
        """Classify cells ``X`` (centroids, metres) from counts ``y`` (cells x steps).

        Returns
        -------
        EmergingHotSpots
            ``self``, fitted.
        """
        xy, _ = check_coordinates(X, name="X")
        r = emerging_hot_spots(
            xy,
            y,
            distance=self.distance,
            time_step_window=self.time_step_window,
            alpha=self.alpha,
            trend_alpha=self.trend_alpha,
            fdr=self.fdr,
        )
        self.category_ = r.category
        self.category_code_ = r.category_code
        self.trend_s_ = r.trend_s
        self.trend_z_ = r.trend_z
        self.trend_p_ = r.trend_p
        self.trend_tau_ = r.trend_tau
        self.gi_z_ = r.gi_z
        self.gi_p_ = r.gi_p
        self.gi_p_fdr_ = r.gi_p_fdr
        self.gi_bins_ = r.gi_bins
        self.significance_ = r.significance
        self.distance_ = r.distance
        self.scale_ = r.scale
        self.decision_log_ = list(r.decision_log)
        self.n_features_in_ = int(r.category.size)
        return self
