"""Point clusters of incidents: DBSCAN, HDBSCAN and CrimeStat's nearest-neighbour
hierarchical clustering (NNH), each cluster returned as a polygon.

All coordinates are metres in a projected CRS (EPSG:32616 for Belize). Output
polygons are GeoDataFrames in the CRS the caller names; a geographic CRS is
refused.

Cluster polygons
----------------
* ``"convex"``: the convex hull of the cluster's points.
* ``"concave"``: ``shapely.concave_hull(points, ratio=concave_ratio)``, no holes;
  ``ratio=1`` is the convex hull, smaller values hug the points more tightly.
* ``"ellipse"`` (NNH only): the standard deviational ellipse, as CrimeStat draws
  NNH clusters (see :class:`NNHClustering`).

A hull of 1 or 2 distinct locations, or of points on one straight line, is a
point or a line, not a polygon. Such a hull is buffered by ``degenerate_buffer``
metres (default 5 m) so that every cluster is a valid polygon with an area. Its
``shape`` column then says ``"buffered"``. Hulls include their points on the
boundary, so test membership with ``covers`` rather than ``contains``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Literal

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from scipy import stats
from scipy.sparse import coo_array
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree
from sklearn.cluster import DBSCAN, HDBSCAN

from .base import Estimator, warnings_at_caller
from ._validation import (
    check_choice,
    check_coordinates,
    check_int,
    check_positive,
    check_weights,
)

__all__ = [
    "ClusterResult",
    "DensityClusters",
    "NNHClustering",
    "NNHResult",
    "density_clusters",
    "nnh_clusters",
    "random_nn_threshold",
]

_CLUSTER_COLUMNS = ["cluster", "n_points", "weight", "area_m2", "mean_x", "mean_y", "shape"]
_NNH_COLUMNS = [
    "order",
    "cluster",
    "n_points",
    "n_members",
    "threshold_m",
    "mean_x",
    "mean_y",
    "area_m2",
    "axis_major_m",
    "axis_minor_m",
    "rotation_deg",
    "shape",
]
_ELLIPSE_VERTICES = 72


# --------------------------------------------------------------------- inputs


def _check_no_y(y: object) -> None:
    if y is not None:
        raise TypeError(
            f"y is not used by clustering and must be None; got {type(y).__name__} (weights go in sample_weight=)"
        )


# ---------------------------------------------------------------------- hulls


def _group_multipoints(pts: np.ndarray, labels: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """One MultiPoint per id in ``ids`` (sorted), from the points whose label is that id."""
    mask = labels >= 0
    pos = np.searchsorted(ids, labels[mask])
    order = np.argsort(pos, kind="stable")
    return shapely.multipoints(pts[mask][order], indices=pos[order])


def _hull_polygons(
    multipoints: np.ndarray, hull: str, concave_ratio: float, degenerate_buffer: float
) -> tuple[np.ndarray, np.ndarray]:
    """Convex or concave hulls; points and lines are buffered (documented)."""
    if hull == "concave":
        geoms = shapely.concave_hull(multipoints, ratio=concave_ratio, allow_holes=False)
    else:
        geoms = shapely.convex_hull(multipoints)
    shape = np.full(geoms.shape, hull, dtype=object)
    degenerate = (shapely.get_type_id(geoms) != shapely.GeometryType.POLYGON) | (shapely.area(geoms) <= 0)
    if degenerate.any():
        geoms = geoms.copy()
        geoms[degenerate] = shapely.buffer(geoms[degenerate], degenerate_buffer)
        shape[degenerate] = "buffered"
    invalid = ~shapely.is_valid(geoms)
    if invalid.any():  # a concave hull that self-touches; repair rather than emit an invalid polygon
        geoms[invalid] = shapely.make_valid(geoms[invalid])
    return geoms, shape


def _standard_deviational_ellipse(
    pts: np.ndarray, std_devs: float, min_axis: float
) -> tuple[shapely.Polygon, float, float, float]:
    """CrimeStat's standard deviational ellipse (Levine, CrimeStat IV ch. 4).

    Semi-axes along the principal directions are
    ``std_devs * sqrt(2 * sum(u_i**2) / (n - 2))`` with ``u_i`` the centred
    coordinates projected on each axis (CrimeStat's sqrt(2) and n - 2). Each
    semi-axis is at least ``min_axis`` metres. Returns the polygon, the major and
    minor semi-axes (m) and the rotation of the long axis in degrees clockwise
    from north, in [0, 180) (as :func:`spatial_analysis.descriptive.standard_deviational_ellipse`,
    which follows Esri: divisor n; this one follows CrimeStat: divisor n - 2).
    """
    n = pts.shape[0]
    centre = pts.mean(axis=0)
    d = pts - centre
    scatter = d.T @ d
    evals, evecs = np.linalg.eigh(scatter)  # ascending
    evals = np.clip(evals, 0.0, None)
    semi = std_devs * np.sqrt(2.0 * evals / (n - 2))
    minor, major = np.maximum(semi, min_axis)
    major_dir = evecs[:, 1]
    angle = float(np.degrees(np.arctan2(major_dir[0], major_dir[1])) % 180.0)  # azimuth of the long axis
    if np.isclose(angle, 180.0, atol=1e-9):
        angle = 0.0
    phi = np.linspace(0.0, 2.0 * np.pi, _ELLIPSE_VERTICES, endpoint=False)
    local = np.column_stack([major * np.cos(phi), minor * np.sin(phi)])
    rot = np.column_stack([major_dir, [-major_dir[1], major_dir[0]]])
    ring = local @ rot.T + centre
    return shapely.Polygon(ring), float(major), float(minor), angle


# -------------------------------------------------------------- DBSCAN/HDBSCAN


@dataclass(frozen=True, eq=False)
class ClusterResult:
    """Output of :func:`density_clusters`.

    Attributes
    ----------
    labels : ndarray of int64, shape (n,)
        Cluster id per point, -1 for noise (exactly scikit-learn's labels).
    clusters : GeoDataFrame
        One polygon per cluster: ``cluster``, ``n_points``, ``weight`` (sum of
        ``sample_weight``, or ``n_points``), ``area_m2``, ``mean_x``, ``mean_y``
        (mean centre, metres), ``shape`` ("convex", "concave" or "buffered").
    """

    labels: np.ndarray
    clusters: gpd.GeoDataFrame


def _empty_frame(columns: list[str], crs) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({c: pd.Series(dtype=float) for c in columns}, geometry=gpd.GeoSeries([], crs=crs), crs=crs)


def _cluster_frame(
    pts: np.ndarray,
    labels: np.ndarray,
    weights: np.ndarray | None,
    *,
    hull: str,
    concave_ratio: float,
    degenerate_buffer: float,
    crs,
) -> gpd.GeoDataFrame:
    ids = np.unique(labels[labels >= 0])
    if ids.size == 0:
        return _empty_frame(_CLUSTER_COLUMNS, crs)
    pos = np.searchsorted(ids, labels[labels >= 0])
    counts = np.bincount(pos, minlength=ids.size)
    w = np.ones(pts.shape[0]) if weights is None else weights
    geoms, shape = _hull_polygons(_group_multipoints(pts, labels, ids), hull, concave_ratio, degenerate_buffer)
    sub = pts[labels >= 0]
    frame = {
        "cluster": ids.astype(np.int64),
        "n_points": counts.astype(np.int64),
        "weight": np.bincount(pos, weights=w[labels >= 0], minlength=ids.size),
        "area_m2": shapely.area(geoms),
        "mean_x": np.bincount(pos, weights=sub[:, 0], minlength=ids.size) / counts,
        "mean_y": np.bincount(pos, weights=sub[:, 1], minlength=ids.size) / counts,
        "shape": shape,
    }
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs=crs), crs=crs)


def _check_hull(hull: str, concave_ratio: float, degenerate_buffer: float) -> tuple[str, float, float]:
    hull = check_choice(hull, ("convex", "concave"), name="hull")
    try:
        ratio = float(concave_ratio)
    except (TypeError, ValueError):
        raise TypeError(f"concave_ratio must be a number; got {concave_ratio!r}") from None
    if not 0.0 <= ratio <= 1.0:
        raise ValueError(f"concave_ratio must be in [0, 1]; got {concave_ratio!r}")
    return hull, ratio, check_positive(degenerate_buffer, name="degenerate_buffer")


class DensityClusters(Estimator):
    """DBSCAN or HDBSCAN clusters of incidents, returned as polygons.

    A thin, documented wrapper around :class:`sklearn.cluster.DBSCAN` and
    :class:`sklearn.cluster.HDBSCAN`: the labels are exactly scikit-learn's; this
    class adds validation (metres only), one polygon per cluster and its size.

    Parameters
    ----------
    method : {"dbscan", "hdbscan"}, default "dbscan"
        DBSCAN finds areas where at least ``min_samples`` incidents lie within
        ``eps`` metres of each other (neighbourhoods are closed, distance <= eps,
        as in scikit-learn). HDBSCAN needs no ``eps``: it keeps the clusters that
        persist over a range of densities and have at least ``min_cluster_size``
        incidents.
    eps : float, default 100
        DBSCAN neighbourhood radius in metres (ignored by HDBSCAN).
    min_samples : int, default 5
        Incidents (including itself, or total ``sample_weight``) needed around an
        incident for it to be a core point. For HDBSCAN, the density smoothing
        parameter (scikit-learn's ``min_samples``).
    min_cluster_size : int, default 5
        HDBSCAN only: smallest cluster kept.
    cluster_selection_epsilon : float, default 0
        HDBSCAN only: clusters closer than this many metres are merged.
    metric : {"euclidean", "manhattan"}, default "euclidean"
    hull : {"convex", "concave"}, default "convex"
        Polygon drawn around each cluster (see the module docstring).
    concave_ratio : float, default 0.3
        ``ratio`` of ``shapely.concave_hull`` in [0, 1]; 1 gives the convex hull.
    degenerate_buffer : float, default 5
        Metres to buffer a cluster hull that is a point or a line.
    crs : CRS-like, optional
        CRS of the output polygons (EPSG:32616 for Belize). Must be projected. If
        ``fit`` gets a GeoDataFrame, its CRS is used (and must agree).

    Attributes
    ----------
    labels_ : ndarray of int64, shape (n,)
        Cluster id per incident, -1 for noise.
    clusters_ : GeoDataFrame
        One row per cluster: ``cluster``, ``n_points``, ``weight``, ``area_m2``,
        ``mean_x``, ``mean_y``, ``shape``, ``geometry``.
    n_clusters_ : int
        Number of clusters found.

    References
    ----------
    Ester, M., Kriegel, H.-P., Sander, J., & Xu, X. (1996). A density-based
    algorithm for discovering clusters in large spatial databases with noise.
    *KDD-96*, 226-231.

    Campello, R. J. G. B., Moulavi, D., & Sander, J. (2013). Density-based
    clustering based on hierarchical density estimates. *PAKDD 2013*, 160-172.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> pts = np.vstack([rng.normal([1000, 1000], 20, (30, 2)), rng.uniform(0, 5000, (20, 2))])
    >>> dc = DensityClusters(eps=60, min_samples=5, crs="EPSG:32616").fit(pts)
    >>> dc.n_clusters_, int(dc.clusters_["n_points"].iloc[0]) >= 30
    (1, True)
    >>> dc.clusters_.crs.to_epsg()
    32616
    """

    def __init__(
        self,
        *,
        method: Literal["dbscan", "hdbscan"] = "dbscan",
        eps: float = 100.0,
        min_samples: int = 5,
        min_cluster_size: int = 5,
        cluster_selection_epsilon: float = 0.0,
        metric: Literal["euclidean", "manhattan"] = "euclidean",
        hull: Literal["convex", "concave"] = "convex",
        concave_ratio: float = 0.3,
        degenerate_buffer: float = 5.0,
        crs: object = None,
    ) -> None:
        self.method = method
        self.eps = eps
        self.min_samples = min_samples
        self.min_cluster_size = min_cluster_size
        self.cluster_selection_epsilon = cluster_selection_epsilon
        self.metric = metric
        self.hull = hull
        self.concave_ratio = concave_ratio
        self.degenerate_buffer = degenerate_buffer
        self.crs = crs

    def fit(
        self,
        X: npt.ArrayLike | gpd.GeoDataFrame | gpd.GeoSeries,
        y: None = None,
        *,
        sample_weight: npt.ArrayLike | None = None,
    ) -> "DensityClusters":
        """Cluster the incidents.

        Parameters
        ----------
        X : array_like of shape (n, 2), or GeoDataFrame/GeoSeries of points
            Incident locations in metres.
        y : None
            Not used; must be None (a weight array goes in ``sample_weight``).
        sample_weight : array_like of shape (n,), optional
            DBSCAN only: weight of each incident (e.g. number of offences at one
            record) counted towards ``min_samples``.

        Returns
        -------
        self
        """
        _check_no_y(y)
        method = check_choice(self.method, ("dbscan", "hdbscan"), name="method")
        metric = check_choice(self.metric, ("euclidean", "manhattan"), name="metric")
        hull, ratio, buffer = _check_hull(self.hull, self.concave_ratio, self.degenerate_buffer)
        pts, crs = check_coordinates(X, crs=self.crs, name="X")
        n = pts.shape[0]
        weights = check_weights(sample_weight, n)
        min_samples = check_int(self.min_samples, name="min_samples", minimum=1)
        if method == "dbscan":
            eps = check_positive(self.eps, name="eps")
            est = DBSCAN(eps=eps, min_samples=min_samples, metric=metric)
            labels = est.fit(pts, sample_weight=weights).labels_
        else:
            if weights is not None:
                raise ValueError(
                    "sample_weight is not supported with method='hdbscan' (scikit-learn's HDBSCAN has none)"
                )
            min_cluster_size = check_int(self.min_cluster_size, name="min_cluster_size", minimum=2)
            try:
                sel_eps = float(self.cluster_selection_epsilon)
            except (TypeError, ValueError):
                raise TypeError(
                    f"cluster_selection_epsilon must be a number; got {self.cluster_selection_epsilon!r}"
                ) from None
            if not np.isfinite(sel_eps) or sel_eps < 0:
                raise ValueError(f"cluster_selection_epsilon must be >= 0; got {self.cluster_selection_epsilon!r}")
            if min_samples > n:
                raise ValueError(f"min_samples ({min_samples}) exceeds the number of points ({n})")
            est = HDBSCAN(
                min_cluster_size=min_cluster_size,
                min_samples=min_samples,
                cluster_selection_epsilon=sel_eps,
                metric=metric,
                copy=True,
            )
            labels = est.fit(pts).labels_
        if n > 1 and np.ptp(pts, axis=0).max() == 0:
            warnings.warn("all points are identical; any cluster is a single location", stacklevel=2)
        self.labels_ = np.asarray(labels, dtype=np.int64).copy()
        self.clusters_ = _cluster_frame(
            pts, self.labels_, weights, hull=hull, concave_ratio=ratio, degenerate_buffer=buffer, crs=crs
        )
        self.n_clusters_ = int(len(self.clusters_))
        if self.n_clusters_ == 0:
            warnings.warn(f"{method.upper()} found no clusters; every point is noise", stacklevel=2)
        return self


@warnings_at_caller
def density_clusters(
    points: npt.ArrayLike | gpd.GeoDataFrame | gpd.GeoSeries,
    *,
    method: Literal["dbscan", "hdbscan"] = "dbscan",
    eps: float = 100.0,
    min_samples: int = 5,
    min_cluster_size: int = 5,
    cluster_selection_epsilon: float = 0.0,
    metric: Literal["euclidean", "manhattan"] = "euclidean",
    hull: Literal["convex", "concave"] = "convex",
    concave_ratio: float = 0.3,
    degenerate_buffer: float = 5.0,
    crs: object = None,
    sample_weight: npt.ArrayLike | None = None,
) -> ClusterResult:
    """Function form of :class:`DensityClusters` (same parameters).

    Returns
    -------
    ClusterResult
        ``labels`` (per point, -1 = noise) and ``clusters`` (GeoDataFrame).

    Examples
    --------
    >>> pts = [[0, 0], [10, 0], [0, 10], [10, 10], [5000, 5000]]
    >>> res = density_clusters(pts, eps=20, min_samples=3, crs=32616)
    >>> res.labels.tolist()
    [0, 0, 0, 0, -1]
    >>> float(res.clusters.loc[0, "area_m2"]), res.clusters.loc[0, "shape"]
    (100.0, 'convex')
    """
    est = DensityClusters(
        method=method,
        eps=eps,
        min_samples=min_samples,
        min_cluster_size=min_cluster_size,
        cluster_selection_epsilon=cluster_selection_epsilon,
        metric=metric,
        hull=hull,
        concave_ratio=concave_ratio,
        degenerate_buffer=degenerate_buffer,
        crs=crs,
    )
    est.fit(points, sample_weight=sample_weight)
    return ClusterResult(labels=est.labels_, clusters=est.clusters_)


# -------------------------------------------------------------------------- NNH


def _check_probability(probability: object) -> float:
    try:
        p = float(probability)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise TypeError(f"probability must be a number; got {probability!r}") from None
    if not 0.0 < p <= 0.5:
        raise ValueError(f"probability must be in (0, 0.5]; got {probability!r}")
    return p


def random_nn_threshold(n: int, area: float, *, probability: float = 0.1) -> float:
    """CrimeStat's NNH threshold distance from the random nearest-neighbour distance.

    Under complete spatial randomness, ``n`` points in an area ``A`` have mean
    nearest-neighbour distance ``d_ran = 0.5 * sqrt(A / n)`` with standard error
    ``SE = 0.26136 / sqrt(n**2 / A)`` (Clark & Evans 1954). The threshold is the
    lower one-tailed confidence limit ``d_ran - t * SE``, with ``t`` the Student t
    quantile at ``1 - probability`` and ``n - 1`` degrees of freedom: a random
    pair of nearest neighbours is closer than the threshold with probability
    about ``probability``. Smaller ``probability`` gives a shorter threshold and
    fewer, denser clusters; ``probability=0.5`` gives ``d_ran`` itself.

    Parameters
    ----------
    n : int
        Number of points (>= 2).
    area : float
        Study area in square metres.
    probability : float, default 0.1
        One-tailed probability in (0, 0.5].

    Returns
    -------
    float
        Threshold distance in metres. It can be <= 0 for very small ``n`` and
        ``probability``; :class:`NNHClustering` then stops.

    References
    ----------
    Levine, N. (2015). CrimeStat IV, chapter 7 "Hot spot analysis of points: I",
    section "Nearest neighbor hierarchical clustering", criterion 1 (threshold
    distance). Ned Levine & Associates / National Institute of Justice.

    Clark, P. J., & Evans, F. C. (1954). Distance to nearest neighbor as a
    measure of spatial relationships in populations. *Ecology*, 35(4), 445-453.

    Examples
    --------
    100 points in a square kilometre: d_ran = 50 m, SE = 2.6136 m.

    >>> round(random_nn_threshold(100, 1e6, probability=0.5), 6)
    50.0
    >>> round(random_nn_threshold(100, 1e6, probability=0.1), 3)
    46.628
    """
    n = check_int(n, name="n", minimum=2)
    area = check_positive(area, name="area")
    p = _check_probability(probability)
    d_ran = 0.5 * np.sqrt(area / n)
    se = 0.26136 / np.sqrt(n**2 / area)
    t = stats.t.ppf(1.0 - p, df=n - 1)
    return float(d_ran - t * se)


def _check_area(area: object, pts: np.ndarray) -> float:
    if area is None:
        w, h = np.ptp(pts, axis=0)
        a = float(w * h)
        if a <= 0:
            raise ValueError(
                "the points' bounding rectangle has no area (all on one line or one spot); give area in m^2"
            )
        return a
    if isinstance(area, shapely.Geometry):
        a = float(area.area)
        if a <= 0:
            raise ValueError(f"area geometry has no area: {area.geom_type}")
        return a
    return check_positive(area, name="area")


def _single_linkage_components(pts: np.ndarray, threshold: float) -> np.ndarray:
    """Component id per point of the graph linking pairs closer than ``threshold``."""
    n = pts.shape[0]
    pairs = cKDTree(pts).query_pairs(threshold * (1 + 1e-9), output_type="ndarray")
    if pairs.size:
        d = np.hypot(*(pts[pairs[:, 0]] - pts[pairs[:, 1]]).T)
        pairs = pairs[d < threshold]
    if len(pairs):
        graph = coo_array((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    else:
        graph = coo_array((n, n))
    _, comp = connected_components(graph, directed=False)
    return comp


@dataclass(frozen=True, eq=False)
class NNHResult:
    """Output of :func:`nnh_clusters`.

    Attributes
    ----------
    labels : ndarray of int64, shape (n,)
        First-order cluster per incident, -1 if in none.
    order_labels : ndarray of int64, shape (n, n_orders)
        Cluster per incident at each order (column k is order k + 1), -1 if none.
    clusters : GeoDataFrame
        One row per cluster and order (see :class:`NNHClustering`).
    thresholds : tuple of float
        Threshold distance (m) used at each order that produced clusters.
    area : float
        Study area (m^2) used for the random nearest-neighbour distance (NaN
        with a fixed threshold and no area given).
    """

    labels: np.ndarray
    order_labels: np.ndarray
    clusters: gpd.GeoDataFrame
    thresholds: tuple[float, ...]
    area: float


class NNHClustering(Estimator):
    """CrimeStat's nearest-neighbour hierarchical clustering (NNH).

    First-order clusters: incidents are linked when closer than the threshold
    distance, and linked groups (single linkage: chains of close pairs) of at least
    ``min_points`` incidents are kept. Second-order clusters: the same rule applied
    to the mean centres of the first-order clusters, with the threshold recomputed
    for that number of centres; and so on until an order forms no cluster, fewer
    than ``min_points`` centres remain, or ``max_order`` is reached.

    Parameters
    ----------
    probability : float, default 0.1
        One-tailed probability for the random nearest-neighbour threshold, in
        (0, 0.5] (see :func:`random_nn_threshold`). Smaller = stricter.
    threshold : float, optional
        Fixed threshold distance in metres for every order, instead of the
        random nearest-neighbour distance (CrimeStat's "fixed distance" option).
    min_points : int, default 10
        Minimum incidents (first order) or lower-order clusters (higher orders)
        per cluster; at least 2.
    area : float or shapely geometry, optional
        Study area in m^2 (or a polygon whose area is used). Default: the
        bounding rectangle of the incidents, which CrimeStat also falls back to;
        give the real study area (e.g. the district polygon) where possible,
        since the threshold grows with sqrt(area).
    max_order : int, optional
        Highest order to compute; default: until clustering stops.
    output : {"ellipse", "convex", "concave"}, default "ellipse"
        Polygon per cluster. ``"ellipse"`` is CrimeStat's standard deviational
        ellipse of the cluster's incidents; ``"convex"``/``"concave"`` are hulls
        of the incidents (see the module docstring).
    std_devs : float, default 1
        Size of the ellipses in standard deviations (CrimeStat offers 1, 1.5, 2).
    concave_ratio : float, default 0.3
        For ``output="concave"``.
    degenerate_buffer : float, default 5
        Metres: buffer for point/line hulls and minimum ellipse semi-axis.
    crs : CRS-like, optional
        Projected CRS of the output polygons.

    Attributes
    ----------
    labels_ : ndarray of int64, shape (n,)
        First-order cluster per incident, -1 if in none.
    order_labels_ : ndarray of int64, shape (n, n_orders_)
        Cluster per incident at each order; a higher-order cluster contains every
        incident of its member clusters ("abstracted" incidents).
    clusters_ : GeoDataFrame
        Columns ``order``, ``cluster`` (id within the order), ``n_points``
        (incidents), ``n_members`` (lower-order clusters, or incidents at order 1),
        ``threshold_m``, ``mean_x``, ``mean_y`` (the centre that is clustered at
        the next order: mean of the member centres), ``area_m2``,
        ``axis_major_m``/``axis_minor_m``/``rotation_deg`` (ellipse semi-axes and
        the rotation of the long axis, degrees clockwise from north in [0, 180);
        NaN for hulls), ``shape`` and ``geometry``. Polygons are drawn around all the
        incidents of a cluster, whatever its order.
    thresholds_ : tuple of float
        Threshold distance used at each order that produced clusters.
    area_ : float
        Study area in m^2 (NaN with a fixed ``threshold`` and no ``area``).
    n_orders_ : int
        Number of orders with at least one cluster.

    Notes
    -----
    Pairs are linked when their distance is strictly below the threshold. Only
    Euclidean distance is implemented. Ellipses need at least 3 incidents (n - 2
    degrees of freedom); a cluster of fewer is drawn as a buffered hull.

    References
    ----------
    Levine, N. (2015). CrimeStat IV: A Spatial Statistics Program for the Analysis
    of Crime Incident Locations, chapter 7 "Hot spot analysis of points: I"
    (nearest neighbor hierarchical clustering; threshold distance; minimum points
    per cluster; second- and higher-order clusters; ellipse and convex hull
    output). Ned Levine & Associates, Houston, TX / National Institute of Justice.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> centres = [[1000, 1000], [1400, 1000], [1200, 1350], [4000, 4000], [4400, 4000], [4200, 4350]]
    >>> pts = np.vstack([rng.normal(c, 10, (15, 2)) for c in centres] + [rng.uniform(0, 5000, (40, 2))])
    >>> nnh = NNHClustering(min_points=3, area=25e6, output="convex", crs=32616).fit(pts)
    >>> [round(t) for t in nnh.thresholds_]  # metres, order 1 and order 2
    [206, 699]
    >>> nnh.clusters_.groupby("order").size().tolist()  # six hot spots, two groups of three
    [6, 2]
    """

    def __init__(
        self,
        *,
        probability: float = 0.1,
        threshold: float | None = None,
        min_points: int = 10,
        area: float | shapely.Geometry | None = None,
        max_order: int | None = None,
        output: Literal["ellipse", "convex", "concave"] = "ellipse",
        std_devs: float = 1.0,
        concave_ratio: float = 0.3,
        degenerate_buffer: float = 5.0,
        crs: object = None,
    ) -> None:
        self.probability = probability
        self.threshold = threshold
        self.min_points = min_points
        self.area = area
        self.max_order = max_order
        self.output = output
        self.std_devs = std_devs
        self.concave_ratio = concave_ratio
        self.degenerate_buffer = degenerate_buffer
        self.crs = crs

    def fit(
        self, X: npt.ArrayLike | gpd.GeoDataFrame | gpd.GeoSeries, y: None = None, *, sample_weight: None = None
    ) -> "NNHClustering":
        """Build first- and higher-order clusters.

        Parameters
        ----------
        X : array_like of shape (n, 2), or GeoDataFrame/GeoSeries of points
            Incident locations in metres (n >= 2).
        y : None
            Not used; must be None.
        sample_weight : None
            Not supported (CrimeStat's NNH is unweighted); must be None.

        Returns
        -------
        self
        """
        _check_no_y(y)
        if sample_weight is not None:
            raise ValueError("sample_weight is not supported by NNH clustering; it counts incidents")
        pts, crs = check_coordinates(X, crs=self.crs, name="X")
        n = pts.shape[0]
        if n < 2:
            raise ValueError(f"X needs at least 2 points; got {n}")
        min_points = check_int(self.min_points, name="min_points", minimum=2)
        max_order = None if self.max_order is None else check_int(self.max_order, name="max_order", minimum=1)
        output = check_choice(self.output, ("ellipse", "convex", "concave"), name="output")
        std_devs = check_positive(self.std_devs, name="std_devs")
        _, ratio, buffer = _check_hull("convex", self.concave_ratio, self.degenerate_buffer)
        fixed = None if self.threshold is None else check_positive(self.threshold, name="threshold")
        if fixed is None:
            _check_probability(self.probability)
        if fixed is None or self.area is not None:
            area = _check_area(self.area, pts)
        else:
            area = float("nan")  # not needed with a fixed threshold
        if n > 1 and np.ptp(pts, axis=0).max() == 0:
            warnings.warn("all points are identical; NNH can only find one location", stacklevel=2)

        unit = np.arange(n)  # current unit (point or cluster centre) of each incident
        centres = pts
        columns: list[np.ndarray] = []
        frames: list[gpd.GeoDataFrame] = []
        thresholds: list[float] = []
        order = 0
        while centres.shape[0] >= min_points and (max_order is None or order < max_order):
            m = centres.shape[0]
            thr = fixed if fixed is not None else random_nn_threshold(m, area, probability=self.probability)
            if thr <= 0:
                break
            comp = _single_linkage_components(centres, thr)
            sizes = np.bincount(comp)
            keep = sizes[comp] >= min_points
            if not keep.any():
                break
            # renumber kept components 0..k-1 in order of their first member
            _, first = np.unique(comp, return_index=True)  # first member of each component
            kept_ids = np.flatnonzero(sizes >= min_points)
            kept_ids = kept_ids[np.argsort(first[kept_ids], kind="stable")]
            new_id = np.full(sizes.size, -1, dtype=np.int64)
            new_id[kept_ids] = np.arange(kept_ids.size)
            unit_cluster = np.where(keep, new_id[comp], -1)
            incident_cluster = np.where(unit >= 0, unit_cluster[np.maximum(unit, 0)], -1)
            order += 1
            k = kept_ids.size
            members = np.bincount(unit_cluster[unit_cluster >= 0], minlength=k)
            new_centres = np.column_stack(
                [np.bincount(unit_cluster[keep], weights=centres[keep, a], minlength=k) / members for a in (0, 1)]
            )
            frames.append(
                self._order_frame(
                    pts, incident_cluster, order, thr, members, new_centres, output, std_devs, ratio, buffer, crs
                )
            )
            columns.append(incident_cluster)
            thresholds.append(float(thr))
            unit, centres = incident_cluster, new_centres

        self.area_ = area
        self.thresholds_ = tuple(thresholds)
        self.n_orders_ = order
        self.order_labels_ = np.column_stack(columns) if columns else np.empty((n, 0), dtype=np.int64)
        self.labels_ = columns[0].copy() if columns else np.full(n, -1, dtype=np.int64)
        if frames:
            self.clusters_ = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry", crs=crs)
        else:
            self.clusters_ = _empty_frame(_NNH_COLUMNS, crs)
            warnings.warn(
                f"NNH found no cluster of >= {min_points} incidents closer than the threshold", stacklevel=2
            )
        return self

    @staticmethod
    def _order_frame(
        pts, incident_cluster, order, thr, members, centres, output, std_devs, ratio, buffer, crs
    ) -> gpd.GeoDataFrame:
        k = members.size
        ids = np.arange(k)
        n_points = np.bincount(incident_cluster[incident_cluster >= 0], minlength=k)
        major = np.full(k, np.nan)
        minor = np.full(k, np.nan)
        rotation = np.full(k, np.nan)
        if output == "ellipse":
            geoms = np.empty(k, dtype=object)
            shape = np.full(k, "ellipse", dtype=object)
            small = n_points < 3
            inside = np.flatnonzero(incident_cluster >= 0)
            inside = inside[np.argsort(incident_cluster[inside], kind="stable")]
            groups = np.split(inside, np.cumsum(n_points)[:-1])
            for c in np.flatnonzero(~small):
                geoms[c], major[c], minor[c], rotation[c] = _standard_deviational_ellipse(
                    pts[groups[c]], std_devs, buffer
                )
            if small.any():
                sub = np.where(np.isin(incident_cluster, ids[small]), incident_cluster, -1)
                g, s = _hull_polygons(_group_multipoints(pts, sub, ids[small]), "convex", ratio, buffer)
                geoms[small], shape[small] = g, s
        else:
            geoms, shape = _hull_polygons(_group_multipoints(pts, incident_cluster, ids), output, ratio, buffer)
        frame = {
            "order": np.full(k, order, dtype=np.int64),
            "cluster": ids.astype(np.int64),
            "n_points": n_points.astype(np.int64),
            "n_members": members.astype(np.int64),
            "threshold_m": np.full(k, thr),
            "mean_x": centres[:, 0],
            "mean_y": centres[:, 1],
            "area_m2": shapely.area(geoms),
            "axis_major_m": major,
            "axis_minor_m": minor,
            "rotation_deg": rotation,
            "shape": shape,
        }
        return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs=crs), crs=crs)


@warnings_at_caller
def nnh_clusters(
    points: npt.ArrayLike | gpd.GeoDataFrame | gpd.GeoSeries,
    *,
    probability: float = 0.1,
    threshold: float | None = None,
    min_points: int = 10,
    area: float | shapely.Geometry | None = None,
    max_order: int | None = None,
    output: Literal["ellipse", "convex", "concave"] = "ellipse",
    std_devs: float = 1.0,
    concave_ratio: float = 0.3,
    degenerate_buffer: float = 5.0,
    crs: object = None,
) -> NNHResult:
    """Function form of :class:`NNHClustering` (same parameters).

    Returns
    -------
    NNHResult

    Examples
    --------
    Two tight groups of 12 incidents 1 km apart, fixed 30 m threshold:

    >>> import numpy as np
    >>> ring = np.column_stack([np.cos(np.arange(12)), np.sin(np.arange(12))]) * 20
    >>> pts = np.vstack([ring + 1000, ring + [2000, 1000]])
    >>> res = nnh_clusters(pts, threshold=30, min_points=10, output="convex")
    >>> res.clusters[["order", "cluster", "n_points"]].values.tolist()
    [[1, 0, 12], [1, 1, 12]]
    """
    est = NNHClustering(
        probability=probability,
        threshold=threshold,
        min_points=min_points,
        area=area,
        max_order=max_order,
        output=output,
        std_devs=std_devs,
        concave_ratio=concave_ratio,
        degenerate_buffer=degenerate_buffer,
        crs=crs,
    )
    est.fit(points)
    return NNHResult(
        labels=est.labels_,
        order_labels=est.order_labels_,
        clusters=est.clusters_,
        thresholds=est.thresholds_,
        area=est.area_,
    )
