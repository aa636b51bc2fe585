"""Descriptive spatial statistics: centre, spread, orientation and concentration.

These are the classic "centrographic" statistics of crime analysis (CrimeStat
chapter 4, Esri's Measuring Geographic Distributions toolset) plus the 80-20
concentration measure. Coordinates are in metres (EPSG:32616 for Belize).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from spatial_analysis._validation import check_points, check_projected_metres, check_weights

__all__ = [
    "mean_centre",
    "standard_distance",
    "median_distance",
]


def _points_and_weights(
    points: npt.ArrayLike, sample_weight: npt.ArrayLike | None
) -> tuple[np.ndarray, np.ndarray | None]:
    xy = check_points(points)
    check_projected_metres(xy)
    w = check_weights(sample_weight, xy.shape[0])
    if w is not None and not w.sum() > 0:
        raise ValueError("sample_weight must not sum to zero; got all-zero weights")
    return xy, w


def mean_centre(points: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = None) -> np.ndarray:
    """(Weighted) mean centre of a point pattern.

    Parameters
    ----------
    points : array-like of shape (n, 2)
        x, y coordinates in metres.
    sample_weight : array-like of shape (n,), optional
        Non-negative weights (for example victims per incident). Default: every
        point weighs 1.

    Returns
    -------
    numpy.ndarray of shape (2,)
        ``[x, y]`` of the mean centre, in metres.

    References
    ----------
    Esri, "How Mean Center works", ArcGIS Pro Spatial Statistics toolbox.

    Examples
    --------
    >>> mean_centre([[0, 0], [10, 0], [10, 10], [0, 10]]).tolist()
    [5.0, 5.0]
    >>> mean_centre([[0, 0], [10, 0]], sample_weight=[3, 1]).tolist()
    [2.5, 0.0]
    """
    xy, w = _points_and_weights(points, sample_weight)
    return np.average(xy, axis=0, weights=w)


def standard_distance(points: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = None) -> float:
    """Standard distance: the root-mean-square distance to the mean centre.

    ``SD = sqrt(sum_i w_i ((x_i - X)^2 + (y_i - Y)^2) / sum_i w_i)`` with
    ``(X, Y)`` the (weighted) mean centre. The divisor is ``n`` (or the sum of
    weights), not ``n - 1``, as in Esri's Standard Distance tool.

    Parameters
    ----------
    points : array-like of shape (n, 2)
        x, y coordinates in metres.
    sample_weight : array-like of shape (n,), optional
        Non-negative weights. Default: every point weighs 1.

    Returns
    -------
    float
        Standard distance in metres (0 when all points coincide).

    References
    ----------
    Esri, "How Standard Distance works", ArcGIS Pro Spatial Statistics toolbox.

    Examples
    --------
    >>> standard_distance([[0, 0], [6, 8]])  # both points 5 m from the centre
    5.0
    """
    xy, w = _points_and_weights(points, sample_weight)
    centre = np.average(xy, axis=0, weights=w)
    sq = ((xy - centre) ** 2).sum(axis=1)
    return float(np.sqrt(np.average(sq, weights=w)))


def _weighted_median(values: np.ndarray, weights: np.ndarray | None) -> float:
    """Median that equals ``np.median`` for equal weights (mid-point rule at exact halves)."""
    if weights is None:
        return float(np.median(values))
    order = np.argsort(values, kind="stable")
    v = values[order]
    cw = np.cumsum(weights[order])
    half = cw[-1] / 2.0
    lower = int(np.searchsorted(cw, half, side="left"))
    upper = int(np.searchsorted(cw, half, side="right"))
    upper = min(upper, v.size - 1)
    return float((v[lower] + v[upper]) / 2.0)


def median_distance(points: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = None) -> float:
    """(Weighted) median distance from the points to their (weighted) mean centre.

    This is ``D_m`` in Esri's spatial Silverman bandwidth rule. With weights it
    is the weighted median: the distance below which half the total weight lies
    (mid-point of the two middle values when the half falls exactly between
    them, so equal weights give ``numpy.median``).

    Parameters
    ----------
    points : array-like of shape (n, 2)
        x, y coordinates in metres.
    sample_weight : array-like of shape (n,), optional
        Non-negative weights. Default: every point weighs 1.

    Returns
    -------
    float
        Median distance in metres.

    Examples
    --------
    >>> median_distance([[0, 0], [2, 0], [10, 0]])  # centre x = 4; distances 4, 2, 6
    4.0
    """
    xy, w = _points_and_weights(points, sample_weight)
    centre = np.average(xy, axis=0, weights=w)
    d = np.hypot(xy[:, 0] - centre[0], xy[:, 1] - centre[1])
    return _weighted_median(d, w)
