"""Significance of local statistics: two-sided p-values, the False Discovery Rate and Esri's bins.

The step every hot-spot statistic ends with (Gi* in :mod:`spatial_analysis.hotspots`,
space-time Gi* in :mod:`spatial_analysis.emerging`), on its own, as esda keeps it
apart from the statistics.

References
----------
.. [1] Benjamini, Y. and Hochberg, Y. (1995). Controlling the false discovery
   rate: a practical and powerful approach to multiple testing. Journal of
   the Royal Statistical Society B 57(1), 289-300.
.. [2] Esri, "What is a z-score? What is a p-value?", ArcGIS Pro tool reference.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy.stats import norm

__all__ = [
    "CONFIDENCE_LEVELS",
    "confidence_bins",
    "false_discovery_rate",
    "signed_confidence_bins",
    "two_sided_p_values",
]

#: (significance level, bin) pairs of Esri's Gi_Bin field, strongest first.
CONFIDENCE_LEVELS: tuple[tuple[float, int], ...] = ((0.01, 3), (0.05, 2), (0.10, 1))


def two_sided_p_values(z: float | np.ndarray) -> float | np.ndarray:
    """Two-sided normal p-values ``2 * (1 - Phi(|z|))`` (NaN stays NaN).

    Examples
    --------
    >>> round(float(two_sided_p_values(1.959964)), 4)
    0.05
    """
    return 2.0 * norm.sf(np.abs(z))


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
    return signed_confidence_bins(z, judged)


def signed_confidence_bins(z: np.ndarray, judged: np.ndarray) -> np.ndarray:
    """Gi_Bin of z-scores whose p-values (raw or FDR-adjusted) are ``judged``; any shape.

    The step shared by :func:`confidence_bins` (one test per cell) and the
    space-time bins of :mod:`spatial_analysis.emerging` (a cells x steps
    array judged at once).

    Examples
    --------
    >>> signed_confidence_bins(np.array([[2.9, -1.8]]), np.array([[0.004, 0.07]]))
    array([[ 3, -1]], dtype=int8)
    """
    level = np.zeros(z.shape, dtype=np.int8)
    for alpha, b in reversed(CONFIDENCE_LEVELS):  # weakest first, strongest overwrites
        level[judged <= alpha] = b
    sign = np.sign(np.nan_to_num(z)).astype(np.int8)
    return (level * sign).astype(np.int8)


