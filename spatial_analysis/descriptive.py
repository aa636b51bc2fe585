"""Descriptive spatial statistics: centre, spread, orientation and concentration.

These are the classic "centrographic" statistics of crime analysis (CrimeStat
chapter 4, Esri's Measuring Geographic Distributions toolset) plus the 80-20
concentration measure. Coordinates are in metres (EPSG:32616 for Belize).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely

from spatial_analysis._validation import check_points, check_positive, check_projected_metres, check_weights

__all__ = [
    "Concentration",
    "StandardEllipse",
    "concentration",
    "mean_centre",
    "median_distance",
    "standard_deviational_ellipse",
    "standard_distance",
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


def _centre(xy: np.ndarray, w: np.ndarray | None) -> np.ndarray:
    """(Weighted) mean of the two columns. Column-wise on purpose: numpy's
    ``axis=0`` reductions over an (n, 2) array are about 15x slower."""
    if w is None:
        return np.array([xy[:, 0].mean(), xy[:, 1].mean()])
    return np.array([np.dot(w, xy[:, 0]), np.dot(w, xy[:, 1])]) / w.sum()


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
    return _centre(xy, w)


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
    centre = _centre(xy, w)
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
    centre = _centre(xy, w)
    d = np.hypot(xy[:, 0] - centre[0], xy[:, 1] - centre[1])
    return _weighted_median(d, w)


# --------------------------------------------------------------------------- ellipse


@dataclass(frozen=True)
class StandardEllipse:
    """A standard deviational ellipse.

    Attributes
    ----------
    centre_x, centre_y : float
        (Weighted) mean centre, metres (Esri ``CenterX``, ``CenterY``).
    major, minor : float
        Semi-axis lengths along the long and short axes, metres, already
        multiplied by ``n_std`` and, if ``sqrt2_correction``, by sqrt(2)
        (Esri ``XStdDist`` / ``YStdDist`` hold the same two lengths).
    rotation : float
        Direction of the long axis, degrees clockwise from north (grid north
        of the projection), in [0, 180) (Esri ``Rotation``).
    n_std : float
        Number of standard deviations the ellipse represents.
    sqrt2_correction : bool
        Whether the sqrt(2) adjustment was applied.
    """

    centre_x: float
    centre_y: float
    major: float
    minor: float
    rotation: float
    n_std: float
    sqrt2_correction: bool

    @property
    def area_km2(self) -> float:
        """Area of the ellipse, km^2."""
        return math.pi * self.major * self.minor / 1e6

    def to_polygon(self, n_vertices: int = 72) -> shapely.Polygon:
        """The ellipse as a shapely Polygon with ``n_vertices`` vertices (metres).

        Examples
        --------
        >>> e = StandardEllipse(0.0, 0.0, 2.0, 1.0, 0.0, 1.0, True)
        >>> round(e.to_polygon(720).area / (math.pi * 2.0), 3)
        1.0
        """
        if isinstance(n_vertices, bool) or not isinstance(n_vertices, int | np.integer) or n_vertices < 8:
            raise ValueError(f"n_vertices must be an integer >= 8; got {n_vertices!r}")
        t = np.linspace(0.0, 2.0 * np.pi, int(n_vertices), endpoint=False)
        a = np.deg2rad(self.rotation)
        # long axis along azimuth `rotation`: unit vector (sin a, cos a); short axis (cos a, -sin a)
        u = self.major * np.cos(t)
        v = self.minor * np.sin(t)
        x = self.centre_x + u * np.sin(a) + v * np.cos(a)
        y = self.centre_y + u * np.cos(a) - v * np.sin(a)
        return shapely.Polygon(np.column_stack([x, y]))


def standard_deviational_ellipse(
    points: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = None,
    n_std: float = 1.0,
    sqrt2_correction: bool = True,
) -> StandardEllipse:
    """Standard deviational ellipse (directional distribution), as Esri computes it.

    With ``(dx, dy)`` the deviations from the (weighted) mean centre, the
    (weighted) covariance matrix ``C = [[sum w dx^2, sum w dx dy], [sum w dx
    dy, sum w dy^2]] / sum w`` (divisor ``n``, as Esri; CrimeStat uses
    ``n - 2``) is decomposed into eigenvalues ``l1 >= l2`` and eigenvectors.
    The semi-axes are ``n_std * f * sqrt(l1)`` and ``n_std * f * sqrt(l2)``,
    and the long axis points along the first eigenvector. This is the same
    ellipse as Yuill's (1971) rotation formula ``tan(theta) = (A + B) / C``.

    **The sqrt(2) correction.** ``f = sqrt(2)`` by default, which is Esri's
    adjustment factor for 2-D data (1.41, 2.83, 4.24 for 1, 2, 3 standard
    deviations; Wang et al. 2015). For points drawn from a bivariate normal
    distribution, the uncorrected 1-sd ellipse holds only about 39% of them
    (``1 - exp(-1/2)``), the corrected one about 63% (``1 - exp(-1)``), and
    the corrected 2-sd ellipse about 98%. Pass ``sqrt2_correction=False``
    for the classic (Lefever / Yuill / CrimeStat-style) ellipse with
    ``f = 1``.

    Parameters
    ----------
    points : array-like of shape (n, 2)
        x, y in metres.
    sample_weight : array-like of shape (n,), optional
        Non-negative weights. Default: 1 per point.
    n_std : float, default 1.0
        Size of the ellipse in standard deviations (Esri offers 1, 2, 3).
    sqrt2_correction : bool, default True
        Apply Esri's sqrt(2) factor (see above).

    Returns
    -------
    StandardEllipse

    Warns
    -----
    UserWarning
        If all points coincide (both axes 0, rotation set to 0).

    References
    ----------
    Esri, "How Directional Distribution (Standard Deviational Ellipse)
    works", ArcGIS Pro Spatial Statistics toolbox.
    Yuill, R. S. (1971). The standard deviational ellipse; an updated tool
    for spatial description. *Geografiska Annaler B* 53(1), 28-39.
    Wang, B., Shi, W. and Miao, Z. (2015). Confidence analysis of standard
    deviational ellipse and its extension into higher dimensional Euclidean
    space. *PLoS ONE* 10(3), e0118537.

    Examples
    --------
    Points spread 300 m north-south and 100 m east-west, on a straight
    cross: the long axis points north (rotation 0).

    >>> pts = [[0, 300], [0, -300], [100, 0], [-100, 0]]
    >>> e = standard_deviational_ellipse(pts, sqrt2_correction=False)
    >>> round(e.major, 6), round(e.minor, 6), e.rotation  # sqrt(300^2/2), sqrt(100^2/2)
    (212.132034, 70.710678, 0.0)
    >>> round(standard_deviational_ellipse(pts).major, 6)  # x sqrt(2)
    300.0
    """
    xy, w = _points_and_weights(points, sample_weight)
    k = check_positive(n_std, name="n_std")
    if not isinstance(sqrt2_correction, bool | np.bool_):
        raise TypeError(f"sqrt2_correction must be True or False; got {sqrt2_correction!r}")
    centre = _centre(xy, w)
    d = xy - centre
    cov = np.cov(d.T, aweights=w, bias=True) if xy.shape[0] > 1 else np.zeros((2, 2))
    vals, vecs = np.linalg.eigh(cov)  # ascending eigenvalues
    vals = np.clip(vals, 0.0, None)
    factor = k * (math.sqrt(2.0) if sqrt2_correction else 1.0)
    if vals[1] == 0.0:
        warnings.warn("all points coincide; the ellipse has zero size and its rotation is set to 0", stacklevel=2)
        rotation = 0.0
    else:
        vx, vy = vecs[:, 1]
        rotation = float(np.degrees(np.arctan2(vx, vy)) % 180.0)
        if math.isclose(rotation, 180.0, abs_tol=1e-9) or math.isclose(rotation, 0.0, abs_tol=1e-9):
            rotation = 0.0
    return StandardEllipse(
        centre_x=float(centre[0]),
        centre_y=float(centre[1]),
        major=float(factor * math.sqrt(vals[1])),
        minor=float(factor * math.sqrt(vals[0])),
        rotation=rotation,
        n_std=k,
        sqrt2_correction=bool(sqrt2_correction),
    )


# --------------------------------------------------------------------------- concentration


@dataclass(frozen=True, eq=False)
class Concentration:
    """How concentrated incidents are among places (the "80-20" reading).

    Attributes
    ----------
    share : float
        The incident share asked about (0.8 for "80%").
    place_share : float
        Smallest share of places that together hold at least ``share`` of the
        incidents, hottest places first (e.g. 0.04: 4% of the places hold 80%
        of the incidents).
    n_places_needed : int
        Number of places behind ``place_share``.
    n_places : int
        Number of places analysed (including those with no incident).
    gini : float
        Gini coefficient of the counts (0 = evenly spread, towards 1 = all in
        one place), ``1 - 2 * area under the Lorenz curve``.
    lorenz : numpy.ndarray of shape (n_places + 1, 2)
        Lorenz curve: column 0 the cumulative share of places, column 1 the
        cumulative share of incidents, places sorted from fewest to most
        incidents; from (0, 0) to (1, 1). Read-only.
    """

    share: float
    place_share: float
    n_places_needed: int
    n_places: int
    gini: float
    lorenz: np.ndarray


def concentration(counts: npt.ArrayLike, *, share: float = 0.8) -> Concentration:
    """Crime concentration: the share of places holding a given share of incidents.

    Sort places (cells, street segments, neighbourhoods) from most to fewest
    incidents and count how many it takes to reach ``share`` of all incidents.
    Pass every place of the study area, including those with no incident:
    leaving them out measures concentration among places that had crime,
    which is a different (smaller) number.

    Parameters
    ----------
    counts : array-like of shape (n_places,)
        Incidents (or weights) per place, non-negative, e.g. from
        :func:`spatial_analysis.grids.count_points`.
    share : float, default 0.8
        Share of incidents to account for, in (0, 1].

    Returns
    -------
    Concentration

    Raises
    ------
    ValueError
        For negative or non-finite counts, an empty array, or ``share``
        outside (0, 1].

    Warns
    -----
    UserWarning
        If all counts are zero (shares and Gini are then NaN).

    References
    ----------
    Weisburd, D. (2015). The law of crime concentration and the criminology
    of place. *Criminology* 53(2), 133-157.
    Eck, J. E., Lee, Y., O, S. and Martinez, N. (2017). Compared to what?
    Estimating the relative concentration of crime at places using
    systematic and other reviews. *Crime Science* 6, 8.

    Examples
    --------
    >>> c = concentration([10, 6, 2, 1, 1, 0, 0, 0, 0, 0])  # 20 incidents, 10 places
    >>> c.n_places_needed, c.place_share  # 10 + 6 = 16 = 80%
    (2, 0.2)
    >>> c.lorenz[[0, -1]].tolist()
    [[0.0, 0.0], [1.0, 1.0]]
    >>> round(c.gini, 3)
    0.73
    """
    x = np.asarray(counts, dtype=np.float64)
    if x.ndim != 1 or x.size == 0:
        raise ValueError(f"counts must be a non-empty 1-D array of counts per place; got shape {x.shape}")
    if not np.isfinite(x).all() or (x < 0).any():
        raise ValueError("counts must be finite and non-negative")
    s = check_positive(share, name="share")
    if s > 1:
        raise ValueError(f"share must lie in (0, 1]; got {share!r}")
    n = x.size
    total = float(x.sum())
    if total == 0.0:
        warnings.warn("all counts are zero; concentration is undefined", stacklevel=2)
        lorenz = np.column_stack([np.linspace(0, 1, n + 1), np.full(n + 1, np.nan)])
        lorenz.setflags(write=False)
        return Concentration(s, math.nan, 0, n, math.nan, lorenz)
    desc = np.sort(x)[::-1]
    cum = np.cumsum(desc) / total
    needed = int(np.searchsorted(cum, s - 1e-12, side="left")) + 1
    asc_cum = np.concatenate([[0.0], np.cumsum(desc[::-1]) / total])
    asc_cum[-1] = 1.0
    lorenz = np.column_stack([np.arange(n + 1) / n, asc_cum])
    lorenz.setflags(write=False)
    area = float(np.sum((asc_cum[1:] + asc_cum[:-1]) / 2.0) / n)
    return Concentration(
        share=s,
        place_share=needed / n,
        n_places_needed=needed,
        n_places=n,
        gini=1.0 - 2.0 * area,
        lorenz=lorenz,
    )
