"""Sparse spatial weights from point coordinates in metres.

Cells of a grid, polygon centroids or incident locations go in as an ``(n, 2)``
array of x, y in a projected CRS (EPSG:32616 for Belize); a
``scipy.sparse.csr_array`` of shape ``(n, n)`` comes out, where row ``i`` holds
the weights ``w_ij`` of the neighbours ``j`` of point ``i``.

Everything is built with :class:`scipy.spatial.cKDTree` and vectorised numpy,
so a 100,000-cell fishnet with a 750 m band takes well under a second; no
Python loop runs per point.

Two neighbourhoods are offered, the two ArcGIS calls ``FIXED_DISTANCE_BAND``
and ``K_NEAREST_NEIGHBORS``:

* :func:`distance_band_weights` -- every point within ``distance`` metres
  (inclusive) is a neighbour, weight 1 (binary);
* :func:`knn_weights` -- the ``k`` nearest other points are neighbours,
  weight 1.

Both can put the point itself on the diagonal (``include_self=True``), which
is what the Getis-Ord Gi* ("G-i-star") statistic needs, and can be
row-standardised (each row sums to 1), which is what Moran's I uses.

The neighbour statistics (:func:`neighbour_summary`,
:func:`nearest_neighbour_distances`, :func:`k_neighbour_distances`,
:func:`standard_distance`) are the numbers the automatic-scale rules of
Optimized Hot Spot Analysis need (see :mod:`spatial_analysis.hotspots`).

References
----------
.. [1] Esri, "Modeling spatial relationships" and "Calculate Distance Band from
   Neighbor Count", ArcGIS Pro tool reference, Spatial Statistics toolbox.
.. [2] Esri, "Standard Distance (Spatial Statistics)", ArcGIS Pro tool reference.
.. [3] Getis, A. and Ord, J. K. (1992). The analysis of spatial association by
   use of distance statistics. Geographical Analysis 24(3), 189-206.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.spatial import cKDTree

from ._validation import check_points, check_positive, check_projected_metres, format_metres

__all__ = [
    "KNeighbourDistances",
    "NeighbourSummary",
    "distance_band_weights",
    "k_neighbour_distances",
    "knn_weights",
    "nearest_neighbour_distances",
    "neighbour_counts",
    "neighbour_summary",
    "row_standardise",
    "standard_distance",
]


def _prepare_points(points: npt.ArrayLike, *, name: str = "points", min_points: int = 1) -> np.ndarray:
    pts = check_points(points, name=name, min_points=min_points)
    check_projected_metres(pts, name=name)
    return pts


def _check_k(k: object, n: int, *, name: str = "k") -> int:
    if isinstance(k, (bool, np.bool_)) or not isinstance(k, (int, np.integer)):
        raise TypeError(f"{name} must be an integer number of neighbours; got {k!r}")
    k = int(k)
    if k < 1:
        raise ValueError(f"{name} must be >= 1; got {k}")
    if k > n - 1:
        raise ValueError(f"{name} must be at most the number of other points ({n - 1}); got {k}")
    return k


def _finish(
    rows: np.ndarray,
    cols: np.ndarray,
    n: int,
    *,
    include_self: bool,
    row_standardize: bool,
) -> sparse.csr_array:
    if include_self:
        diag = np.arange(n, dtype=rows.dtype)
        rows = np.concatenate([rows, diag])
        cols = np.concatenate([cols, diag])
    data = np.ones(rows.shape[0], dtype=np.float64)
    w = sparse.csr_array((data, (rows, cols)), shape=(n, n))
    w.sort_indices()  # (row, col) pairs are unique by construction: nothing to sum
    if row_standardize:
        w = row_standardise(w)
    return w


def row_standardise(weights: sparse.sparray | sparse.spmatrix) -> sparse.csr_array:
    """Return a copy of ``weights`` whose non-empty rows each sum to 1.

    Rows without any weight (isolated points) stay all-zero.

    Parameters
    ----------
    weights : scipy.sparse matrix or array, shape (n, n)
        Non-negative spatial weights.

    Returns
    -------
    scipy.sparse.csr_array
        ``w_ij / sum_j w_ij``; the input is not modified.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import sparse
    >>> w = sparse.csr_array(np.array([[0., 1., 1.], [1., 0., 0.], [0., 0., 0.]]))
    >>> row_standardise(w).toarray()
    array([[0. , 0.5, 0.5],
           [1. , 0. , 0. ],
           [0. , 0. , 0. ]])
    """
    w = sparse.csr_array(weights, dtype=np.float64, copy=True)
    sums = np.asarray(w.sum(axis=1)).ravel()
    inv = np.divide(1.0, sums, out=np.zeros_like(sums), where=sums != 0)
    w.data *= np.repeat(inv, np.diff(w.indptr))
    return w


def distance_band_weights(
    points: npt.ArrayLike,
    distance: float,
    *,
    include_self: bool = False,
    row_standardize: bool = False,
) -> sparse.csr_array:
    """Binary fixed-distance-band weights: neighbours are the points within ``distance``.

    ``w_ij = 1`` when ``0 < ||p_i - p_j|| <= distance`` (coincident points,
    at distance 0, are neighbours too), else 0.

    Parameters
    ----------
    points : array-like, shape (n, 2)
        x, y coordinates in metres (projected CRS, EPSG:32616 for Belize).
    distance : float
        Band radius in metres, > 0. The band is inclusive.
    include_self : bool, default False
        Put 1 on the diagonal (the point is its own neighbour), as the
        Getis-Ord Gi* statistic requires.
    row_standardize : bool, default False
        Divide each row by its sum so non-empty rows sum to 1 (ArcGIS's
        "Standardization: ROW"; esda/libpysal transform ``"r"``).

    Returns
    -------
    scipy.sparse.csr_array, shape (n, n)
        Symmetric unless ``row_standardize`` is set; sorted indices.

    Warns
    -----
    UserWarning
        If some points have no neighbour within ``distance`` (other than
        themselves): their local statistics then say nothing spatial.

    References
    ----------
    .. [1] Esri, "Modeling spatial relationships: Fixed distance band",
       ArcGIS Pro tool reference.

    Examples
    --------
    Three cells 250 m apart in a row; a 250 m band links each to its direct
    neighbours:

    >>> pts = [[300_000.0, 1_900_000.0], [300_250.0, 1_900_000.0], [300_500.0, 1_900_000.0]]
    >>> distance_band_weights(pts, 250).toarray()
    array([[0., 1., 0.],
           [1., 0., 1.],
           [0., 1., 0.]])
    >>> distance_band_weights(pts, 250, include_self=True, row_standardize=True).toarray().round(3)
    array([[0.5  , 0.5  , 0.   ],
           [0.333, 0.333, 0.333],
           [0.   , 0.5  , 0.5  ]])
    """
    pts = _prepare_points(points)
    d = check_positive(distance, name="distance")
    n = pts.shape[0]
    tree = cKDTree(pts)
    pairs = tree.query_pairs(r=d, output_type="ndarray")
    rows = np.concatenate([pairs[:, 0], pairs[:, 1]])
    cols = np.concatenate([pairs[:, 1], pairs[:, 0]])
    isolated = int((np.bincount(rows, minlength=n) == 0).sum())
    if isolated:
        warnings.warn(
            f"{isolated} of {n} point(s) have no neighbour within distance={format_metres(d)}; "
            "a larger distance gives every point at least one neighbour",
            UserWarning,
            stacklevel=2,
        )
    return _finish(rows, cols, n, include_self=include_self, row_standardize=row_standardize)


def knn_weights(
    points: npt.ArrayLike,
    k: int,
    *,
    include_self: bool = False,
    row_standardize: bool = False,
) -> sparse.csr_array:
    """Binary k-nearest-neighbour weights: neighbours are the ``k`` closest other points.

    The matrix is generally not symmetric (``j`` may be among ``i``'s nearest
    without ``i`` being among ``j``'s). When several points tie at the k-th
    distance (common on a regular grid), the tie is broken by the k-d tree's
    order, as in libpysal's ``KNN``.

    Parameters
    ----------
    points : array-like, shape (n, 2)
        x, y coordinates in metres (projected CRS).
    k : int
        Number of neighbours per point, 1 <= k <= n - 1. The point itself is
        never counted among its ``k`` neighbours.
    include_self : bool, default False
        Also put 1 on the diagonal (needed for Gi*), giving ``k + 1``
        non-zeros per row.
    row_standardize : bool, default False
        Divide each row by its sum.

    Returns
    -------
    scipy.sparse.csr_array, shape (n, n)

    References
    ----------
    .. [1] Esri, "Modeling spatial relationships: K nearest neighbors",
       ArcGIS Pro tool reference.

    Examples
    --------
    >>> pts = [[0.0, 0.0], [100.0, 0.0], [300.0, 0.0], [1000.0, 0.0]]
    >>> knn_weights(pts, 1).toarray()
    array([[0., 1., 0., 0.],
           [1., 0., 0., 0.],
           [0., 1., 0., 0.],
           [0., 0., 1., 0.]])
    """
    pts = _prepare_points(points, min_points=2)
    n = pts.shape[0]
    kk = _check_k(k, n)
    tree = cKDTree(pts)
    _, idx = tree.query(pts, k=kk + 1)
    idx = np.asarray(idx).reshape(n, kk + 1)
    # Drop the point itself; with coincident points it may not come first, and
    # if it is missing altogether (more than k coincident points) drop the last.
    is_self = idx == np.arange(n)[:, None]
    missing = ~is_self.any(axis=1)
    is_self[missing, -1] = True
    first_self = np.argmax(is_self, axis=1)
    drop = np.zeros_like(is_self)
    drop[np.arange(n), first_self] = True
    neigh = idx[~drop].reshape(n, kk)
    rows = np.repeat(np.arange(n), kk)
    cols = neigh.ravel()
    return _finish(rows, cols, n, include_self=include_self, row_standardize=row_standardize)


def neighbour_counts(weights: sparse.sparray | sparse.spmatrix) -> np.ndarray:
    """Number of neighbours of each point, not counting the point itself.

    Parameters
    ----------
    weights : scipy.sparse matrix or array, shape (n, n)

    Returns
    -------
    numpy.ndarray of int64, shape (n,)
        Count of non-zero off-diagonal weights in each row.

    Examples
    --------
    >>> pts = [[0.0, 0.0], [100.0, 0.0], [200.0, 0.0], [900.0, 0.0]]
    >>> neighbour_counts(knn_weights(pts, 2, include_self=True))
    array([2, 2, 2, 2])
    >>> neighbour_counts(distance_band_weights(pts[:3], 150, include_self=True))
    array([1, 2, 1])
    """
    w = sparse.csr_array(weights)
    if w.shape[0] != w.shape[1]:
        raise ValueError(f"weights must be square; got shape {w.shape}")
    if (w.data == 0).any():
        w = w.copy()
        w.eliminate_zeros()
    if not w.has_canonical_format:
        w = w.copy()
        w.sum_duplicates()
    return (np.diff(w.indptr) - (w.diagonal() != 0)).astype(np.int64)


@dataclass(frozen=True)
class NeighbourSummary:
    """Neighbour counts of a weights matrix (the point itself not counted).

    Attributes
    ----------
    n_points : int
        Number of rows.
    min, max : int
        Fewest and most neighbours of any point.
    mean, median : float
        Average and median number of neighbours.
    n_isolated : int
        Points with no neighbour at all.
    """

    n_points: int
    min: int
    max: int
    mean: float
    median: float
    n_isolated: int

    def describe(self) -> str:
        """One plain-language line, for a decision log."""
        text = (
            f"neighbours per cell: mean {self.mean:.1f}, median {self.median:g}, "
            f"min {self.min}, max {self.max}"
        )
        if self.n_isolated:
            text += f"; {self.n_isolated} of {self.n_points} cell(s) have no neighbour"
        return text


def neighbour_summary(weights: sparse.sparray | sparse.spmatrix | np.ndarray) -> NeighbourSummary:
    """Summarise how many neighbours each point has.

    Parameters
    ----------
    weights : scipy.sparse matrix or array, shape (n, n), or the neighbour
        counts of :func:`neighbour_counts` (a 1-D integer array).

    Returns
    -------
    NeighbourSummary

    Examples
    --------
    >>> pts = [[0.0, 0.0], [100.0, 0.0], [200.0, 0.0], [300.0, 0.0]]
    >>> s = neighbour_summary(distance_band_weights(pts, 100))
    >>> (s.min, s.max, s.mean, s.n_isolated)
    (1, 2, 1.5, 0)
    """
    if isinstance(weights, np.ndarray) and weights.ndim == 1:
        counts = weights.astype(np.int64, copy=False)
    else:
        counts = neighbour_counts(weights)
    if counts.size == 0:
        raise ValueError("weights must have at least one row; got shape (0, 0)")
    return NeighbourSummary(
        n_points=int(counts.size),
        min=int(counts.min()),
        max=int(counts.max()),
        mean=float(counts.mean()),
        median=float(np.median(counts)),
        n_isolated=int((counts == 0).sum()),
    )


def nearest_neighbour_distances(points: npt.ArrayLike, *, exclude_coincident: bool = True) -> np.ndarray:
    """Distance in metres from each point to its nearest other point.

    Parameters
    ----------
    points : array-like, shape (n, 2), n >= 2
        x, y in metres.
    exclude_coincident : bool, default True
        Ignore other points at exactly the same location, so the distance is
        to the nearest *distinct* location (as ArcGIS does when it picks the
        starting distance of Incremental Spatial Autocorrelation). If every
        point shares one location the result is all zeros.

    Returns
    -------
    numpy.ndarray, shape (n,)

    Examples
    --------
    >>> nearest_neighbour_distances([[0.0, 0.0], [0.0, 0.0], [30.0, 40.0]])
    array([50., 50., 50.])
    >>> nearest_neighbour_distances([[0.0, 0.0], [0.0, 0.0], [30.0, 40.0]], exclude_coincident=False)
    array([ 0.,  0., 50.])
    """
    pts = _prepare_points(points, min_points=2)
    if exclude_coincident:
        uniq, inverse = np.unique(pts, axis=0, return_inverse=True)
        inverse = np.asarray(inverse).ravel()
        if uniq.shape[0] < 2:
            return np.zeros(pts.shape[0])
        d, _ = cKDTree(uniq).query(uniq, k=2)
        return d[:, 1][inverse]
    d, _ = cKDTree(pts).query(pts, k=2)
    return d[:, 1].copy()


@dataclass(frozen=True)
class KNeighbourDistances:
    """Distances from each point to its k-th nearest neighbour.

    The three numbers of ArcGIS's "Calculate Distance Band from Neighbor
    Count".

    Attributes
    ----------
    k : int
        Number of neighbours.
    distances : numpy.ndarray, shape (n,)
        Distance (m) from each point to its k-th nearest other point.
    min : float
        The distance at which at least one point has k neighbours.
    mean : float
        Average distance to the k-th neighbour.
    max : float
        The distance at which *every* point has at least k neighbours (the
        farthest k-th neighbour lies exactly on it, so allow for rounding when
        using it as a band: ``max * (1 + 1e-12)``).
    """

    k: int
    distances: np.ndarray
    min: float
    mean: float
    max: float


def k_neighbour_distances(points: npt.ArrayLike, k: int) -> KNeighbourDistances:
    """Distance from each point to its k-th nearest other point, and its min/mean/max.

    Parameters
    ----------
    points : array-like, shape (n, 2)
        x, y in metres.
    k : int
        1 <= k <= n - 1.

    Returns
    -------
    KNeighbourDistances

    References
    ----------
    .. [1] Esri, "Calculate Distance Band from Neighbor Count (Spatial
       Statistics)", ArcGIS Pro tool reference.

    Examples
    --------
    >>> r = k_neighbour_distances([[0.0, 0.0], [100.0, 0.0], [300.0, 0.0]], k=1)
    >>> r.distances, r.min, r.mean, r.max
    (array([100., 100., 200.]), 100.0, 133.33333333333334, 200.0)
    """
    pts = _prepare_points(points, min_points=2)
    kk = _check_k(k, pts.shape[0])
    d, _ = cKDTree(pts).query(pts, k=kk + 1)
    dist = np.asarray(d).reshape(pts.shape[0], kk + 1)[:, kk]
    dist.setflags(write=False)
    return KNeighbourDistances(
        k=kk, distances=dist, min=float(dist.min()), mean=float(dist.mean()), max=float(dist.max())
    )


def standard_distance(points: npt.ArrayLike) -> float:
    """One standard distance of a point set, in metres.

    ``sqrt(sum((x - mean x)^2) / n + sum((y - mean y)^2) / n)``: how far, in
    the root-mean-square sense, points lie from their mean centre. ArcGIS's
    Optimized Hot Spot Analysis never uses a distance band wider than this.

    Parameters
    ----------
    points : array-like, shape (n, 2)
        x, y in metres.

    Returns
    -------
    float

    References
    ----------
    .. [1] Esri, "How Standard Distance works", ArcGIS Pro tool reference.

    Examples
    --------
    >>> standard_distance([[0.0, 0.0], [600.0, 0.0], [0.0, 800.0], [600.0, 800.0]])
    500.0
    """
    pts = _prepare_points(points)
    centred = pts - pts.mean(axis=0)
    return float(np.sqrt((centred**2).sum(axis=1).mean()))
