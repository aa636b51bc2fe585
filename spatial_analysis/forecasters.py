"""Next-period hot-spot forecasters: one score per cell from the incidents before a date.

Each forecaster is an estimator with one ``fit`` form,
``fit(X, y, cells, *, origin=None)``: ``X`` the incident locations (metres),
``y`` their times (datetimes, sorted), ``cells`` the target tessellation (a
GeoDataFrame from :mod:`spatial_analysis.grids`), ``origin`` the start of the
period to forecast (default: just after the last incident). Only incidents
before ``origin`` are used. The fitted ``scores_`` hold one score per cell,
aligned with the rows of ``cells``: higher means more crime expected there in
the next period. Scores rank cells; they are not calibrated counts.

The candidates of the selection in :mod:`spatial_analysis.forecast_selection`:

- :class:`PriorCounts` -- incidents per cell so far, the peer every method
  must beat (over long horizons, hard to beat on a fine grid);
- :class:`RecencyWeightedCounts` -- counts with exponential decay: an incident
  ``t`` days old weighs ``0.5 ** (t / half_life_days)`` (Bowers, Johnson &
  Pease 2004: risk is raised near recent crime and decays);
- :class:`KDEForecast` -- kernel density of the incidents, read at the cells
  (Chainey, Tompson & Uhlig 2008 found KDE the best of the classic hot-spot
  maps); ``bandwidth="auto"`` is Esri's default search radius;
- :class:`GiStarForecast` -- Getis-Ord Gi* z-scores of the counts per cell;
- :class:`RecencyKDE` -- the blend: recency-weighted counts smoothed by a small
  kernel (a prospective hot-spot map in the manner of Bowers et al. 2004);
- :class:`SelfExcitingForecast` -- a space-time self-exciting point process
  (Mohler et al. 2011): a background density plus a triggering kernel for
  near repeats, fitted by expectation-maximisation, for short horizons.

References
----------
Bowers, K. J., Johnson, S. D., & Pease, K. (2004). Prospective hot-spotting:
the future of crime mapping? *British Journal of Criminology*, 44(5), 641-658.

Chainey, S., Tompson, L., & Uhlig, S. (2008). The utility of hotspot mapping
for predicting spatial patterns of crime. *Security Journal*, 21, 4-28.

Mohler, G. O., Short, M. B., Brantingham, P. J., Schoenberg, F. P., & Tita,
G. E. (2011). Self-exciting point process modeling of crime. *Journal of the
American Statistical Association*, 106(493), 100-108.

Veen, A. & Schoenberg, F. P. (2008). Estimation of space-time branching
process models in seismology using an EM-type algorithm. *Journal of the
American Statistical Association*, 103(482), 614-624.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from ._validation import check_coordinates, check_geodataframe_projected, check_int, check_positive, format_metres
from .base import Estimator
from .grids import assign_cells
from .hotspots import gi_star
from .kde import density_at, kernel_density

__all__ = [
    "GiStarForecast",
    "KDEForecast",
    "PriorCounts",
    "RecencyKDE",
    "RecencyWeightedCounts",
    "SelfExcitingForecast",
    "cell_areas",
    "cell_side",
    "check_cells",
    "check_incidents",
    "check_timestamp",
    "check_times",
]

_DAY_NS = 86_400 * 10**9
_EQUAL_AREA_RTOL = 1e-3
"""Cells whose areas differ by less than 0.1% count as equal (reprojection noise)."""


# --------------------------------------------------------------------------- shared input checks


def check_times(times: object, n: int, *, name: str = "times") -> pd.DatetimeIndex:
    """``times`` as a sorted, timezone-free DatetimeIndex of length ``n`` (UTC if it had a zone).

    Raises ``ValueError`` naming ``name`` for numbers, missing values, the
    wrong length or an order that is not ascending.
    """
    arr = np.asarray(times)
    if arr.dtype.kind in "iufb":
        raise ValueError(f"{name} must be datetimes (datetime64, pandas Timestamps); got numbers of dtype {arr.dtype}")
    try:
        idx = pd.DatetimeIndex(times)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be datetimes (datetime64, pandas Timestamps); {exc}") from None
    if idx.tz is not None:
        idx = idx.tz_convert("UTC").tz_localize(None)
    idx = idx.as_unit("ns")
    if len(idx) != n:
        raise ValueError(f"{name} must have one time per point ({n}); got {len(idx)}")
    if idx.hasnans:
        raise ValueError(f"{name} has a missing time (NaT) at position {int(np.flatnonzero(idx.isna())[0])}")
    if not idx.is_monotonic_increasing:
        bad = int(np.flatnonzero(np.diff(idx.asi8) < 0)[0]) + 1
        raise ValueError(f"{name} must be sorted ascending; position {bad} ({idx[bad]}) is before the one above it")
    return idx


def check_timestamp(value: object, *, name: str) -> pd.Timestamp:
    """One instant as a timezone-free Timestamp in UTC (as :func:`check_times` makes the incident times)."""
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a date or datetime; got {value!r}") from None
    if ts is pd.NaT:
        raise ValueError(f"{name} must be a date or datetime; got {value!r}")
    return (ts.tz_convert("UTC").tz_localize(None) if ts.tz is not None else ts).as_unit("ns")


def check_cells(cells: object, points: np.ndarray | None = None, *, name: str = "cells") -> np.ndarray:
    """Validate target cells; return each point's cell position (-1 outside) or an empty array.

    The cells are a GeoDataFrame of polygons in a projected CRS: a
    tessellation from :func:`~spatial_analysis.grids.square_grid` or
    :func:`~spatial_analysis.grids.hex_grid` (points are assigned by
    arithmetic), or boundary polygons such as police beats (points are
    assigned to the first polygon that holds them). No point inside the cells'
    bounds suggests another CRS.
    """
    if not isinstance(cells, gpd.GeoDataFrame):
        raise TypeError(f"{name} must be a GeoDataFrame of cells or polygons; got {type(cells).__name__}")
    check_geodataframe_projected(cells, name=name)
    if len(cells) < 2:
        raise ValueError(f"{name} needs at least 2 cells to rank; got {len(cells)}")
    geoms = cells.geometry.to_numpy()
    if not (shapely.get_type_id(geoms) >= shapely.GeometryType.POLYGON).all() or (shapely.area(geoms) <= 0).any():
        raise ValueError(f"{name} must be polygons of positive area")
    if points is None:
        return np.empty(0, dtype=np.int64)
    x0, y0, x1, y1 = cells.total_bounds
    overlap = (points[:, 0] >= x0) & (points[:, 0] <= x1) & (points[:, 1] >= y0) & (points[:, 1] <= y1)
    if points.shape[0] and not overlap.any():
        raise ValueError(
            f"no point falls in {name} ({x0:,.0f}, {y0:,.0f}, {x1:,.0f}, {y1:,.0f}); are the points in the cells' "
            f"CRS ({cells.crs.to_string()})?"
        )
    if "tessellation" in cells.attrs:
        return assign_cells(cells, points)
    pos = np.full(points.shape[0], -1, dtype=np.int64)
    point_idx, cell_idx = shapely.STRtree(geoms).query(shapely.points(points), predicate="intersects")
    first = np.unique(point_idx, return_index=True)[1]  # a point on a shared edge goes to the first polygon
    pos[point_idx[first]] = cell_idx[first]
    return pos


def cell_areas(cells: gpd.GeoDataFrame) -> np.ndarray | None:
    """Areas of the cells (m^2) when they differ by more than 0.1%, else None (equal cells)."""
    area = cells.geometry.area.to_numpy()
    return None if np.allclose(area, area[0], rtol=_EQUAL_AREA_RTOL, atol=0) else area


def check_incidents(X: object, y: object, cells: object) -> tuple[np.ndarray, pd.DatetimeIndex, np.ndarray]:
    """The one check of a forecaster's input: (points, times, cell position of each point, -1 outside).

    ``X`` as :func:`~spatial_analysis._validation.check_coordinates` takes it
    (in the cells' CRS when it has one), ``y`` as :func:`check_times`,
    ``cells`` as :func:`check_cells`.
    """
    xy, crs = check_coordinates(X, name="X")
    cells_crs = getattr(cells, "crs", None)
    if crs is not None and cells_crs is not None and not crs.equals(cells_crs):
        raise ValueError(f"X is in {crs.to_string()} but cells are in {cells_crs.to_string()}; reproject one of them")
    t = check_times(y, xy.shape[0], name="y")
    return xy, t, check_cells(cells, xy)


def _training_data(forecaster: Estimator, X, y, cells, origin) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Validated (points, age in days at the origin, cell position) of the incidents before ``origin``."""
    xy, t, pos = check_incidents(X, y, cells)
    at = t[-1] + pd.Timedelta(1, "ns") if origin is None else check_timestamp(origin, name="origin")
    before = t < at
    if not before.any():
        raise ValueError(f"{type(forecaster).__name__}: no incident before origin {at}; the training window is empty")
    age = (at.value - t.asi8[before]) / _DAY_NS
    forecaster.origin_ = at
    forecaster.n_incidents_ = int(before.sum())
    return xy[before], age, pos[before]


def cell_side(cells: gpd.GeoDataFrame) -> float:
    """A tessellation's cell size, or the side of a square of the cells' median area (metres)."""
    size = cells.attrs.get("tessellation", {}).get("cell_size")
    return float(size) if size else math.sqrt(float(np.median(cells.geometry.area)))


def _counts(pos: np.ndarray, n_cells: int, weights: np.ndarray | None = None) -> np.ndarray:
    inside = pos >= 0
    w = None if weights is None else weights[inside]
    return np.bincount(pos[inside], weights=w, minlength=n_cells).astype(np.float64)


def _decay(age_days: np.ndarray, half_life_days: float) -> np.ndarray:
    return np.exp2(-age_days / check_positive(half_life_days, name="half_life_days"))


def _density_at_cells(
    xy: np.ndarray, w: np.ndarray | None, cells: gpd.GeoDataFrame, bandwidth: object, kernel: str = "quartic"
) -> tuple[np.ndarray, float]:
    """KDE of the points read at the cells, and the bandwidth used.

    On a square tessellation the surface is computed on the cells themselves
    (one origin rule); otherwise on a grid three times finer, averaged over
    each cell.
    """
    spec = cells.attrs.get("tessellation", {})
    square = spec.get("kind") == "square"
    side = float(spec["cell_size"]) if square else cell_side(cells) / 3.0
    if isinstance(bandwidth, str):
        h = bandwidth  # "auto": kernel_density validates it
    else:
        h = check_positive(bandwidth, name="bandwidth")
    with warnings.catch_warnings():  # both are about drawing a surface, not about ranking cells
        warnings.filterwarnings("ignore", message="bandwidth .* is smaller than cell_size")
        warnings.filterwarnings("ignore", message="all .* points are identical")
        grid = kernel_density(
            xy, bandwidth=h, cell_size=side, kernel=kernel, sample_weight=w, extent=tuple(cells.total_bounds)
        )
    return density_at(grid, cells, how="centroid" if square else "mean"), grid.bandwidth


# --------------------------------------------------------------------------- forecasters


class PriorCounts(Estimator):
    """Incidents per cell before the origin: the peer of every hot-spot forecast.

    Attributes
    ----------
    scores_ : numpy.ndarray of shape (n_cells,)
        Incident count per cell.
    origin_ : pandas.Timestamp
        Start of the forecast period.
    n_incidents_ : int
        Incidents used.

    Examples
    --------
    >>> import pandas as pd
    >>> from spatial_analysis.grids import square_grid
    >>> cells = square_grid(100, extent=(300_000, 1_900_000, 300_200, 1_900_100), crs=32616)
    >>> pts = [[300_050, 1_900_050], [300_150, 1_900_050], [300_150, 1_900_050]]
    >>> times = pd.to_datetime(["2024-01-03", "2024-01-09", "2024-02-01"])
    >>> PriorCounts().fit(pts, times, cells).scores_.tolist()
    [1.0, 2.0]
    >>> PriorCounts().fit(pts, times, cells, origin="2024-01-31").scores_.tolist()
    [1.0, 1.0]
    """

    family = "prior counts"
    complexity = 0

    def __init__(self) -> None:
        pass

    @property
    def label(self) -> str:
        return "prior counts"

    def fit(self, X: npt.ArrayLike, y: npt.ArrayLike, cells: gpd.GeoDataFrame, *, origin=None) -> PriorCounts:
        """Count the incidents before ``origin`` in each cell; returns self."""
        _, _, pos = _training_data(self, X, y, cells, origin)
        self.scores_ = _counts(pos, len(cells))
        return self


class RecencyWeightedCounts(Estimator):
    """Counts per cell with exponential decay: an incident ``t`` days old weighs ``0.5 ** (t / half_life_days)``.

    Parameters
    ----------
    half_life_days : float, default 90
        Age at which an incident counts half.

    Attributes
    ----------
    scores_ : numpy.ndarray of shape (n_cells,)
        Decayed count per cell.
    origin_, n_incidents_
        As :class:`PriorCounts`.

    Examples
    --------
    >>> import pandas as pd
    >>> from spatial_analysis.grids import square_grid
    >>> cells = square_grid(100, extent=(300_000, 1_900_000, 300_200, 1_900_100), crs=32616)
    >>> pts = [[300_050, 1_900_050], [300_050, 1_900_050], [300_150, 1_900_050]]
    >>> times = pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-31"])
    >>> fc = RecencyWeightedCounts(half_life_days=30).fit(pts, times, cells, origin="2024-01-31")
    >>> fc.scores_.tolist()  # two incidents one half-life old; the one on the origin is not history
    [1.0, 0.0]
    """

    family = "recency-weighted counts"
    complexity = 1

    def __init__(self, *, half_life_days: float = 90.0) -> None:
        self.half_life_days = half_life_days

    @property
    def label(self) -> str:
        return f"recency-weighted counts (half-life {self.half_life_days:g} days)"

    def fit(
        self, X: npt.ArrayLike, y: npt.ArrayLike, cells: gpd.GeoDataFrame, *, origin=None
    ) -> RecencyWeightedCounts:
        """Sum the decayed weights of the incidents before ``origin`` in each cell; returns self."""
        _, age, pos = _training_data(self, X, y, cells, origin)
        self.scores_ = _counts(pos, len(cells), _decay(age, self.half_life_days))
        return self


class KDEForecast(Estimator):
    """Kernel density of the incidents before the origin, read at the cells.

    Parameters
    ----------
    bandwidth : float or "auto", default "auto"
        Quartic search radius in metres; "auto" is Esri's default, the spatial
        Silverman rule (:func:`spatial_analysis.kde.silverman_bandwidth`) on
        the training incidents.

    Attributes
    ----------
    scores_ : numpy.ndarray of shape (n_cells,)
        Density per km^2 at each cell (at its centre on a square grid).
    bandwidth_ : float
        Search radius used, metres.
    origin_, n_incidents_
        As :class:`PriorCounts`.

    Examples
    --------
    >>> import pandas as pd
    >>> from spatial_analysis.grids import square_grid
    >>> cells = square_grid(100, extent=(300_000, 1_900_000, 300_500, 1_900_100), crs=32616)
    >>> pts = [[300_050, 1_900_050]] * 3
    >>> times = pd.to_datetime(["2024-01-03", "2024-01-09", "2024-02-01"])
    >>> KDEForecast(bandwidth=250.0).fit(pts, times, cells).scores_.round(1).tolist()
    [45.8, 32.3, 5.9, 0.0, 0.0]

    That is ``3 * 3 / (pi 0.25^2) * (1 - (d / 250)^2)^2`` per km^2 at ``d`` =
    0, 100 and 200 m from the records.
    """

    family = "kernel density"
    complexity = 2

    def __init__(self, *, bandwidth: float | str = "auto") -> None:
        self.bandwidth = bandwidth

    @property
    def label(self) -> str:
        if isinstance(self.bandwidth, str):
            return "kernel density (Esri default bandwidth)"
        return f"kernel density ({format_metres(float(self.bandwidth))})"

    def fit(self, X: npt.ArrayLike, y: npt.ArrayLike, cells: gpd.GeoDataFrame, *, origin=None) -> KDEForecast:
        """Density of the incidents before ``origin`` at each cell; returns self."""
        xy, _, _ = _training_data(self, X, y, cells, origin)
        self.scores_, self.bandwidth_ = _density_at_cells(xy, None, cells, self.bandwidth)
        return self


class RecencyKDE(Estimator):
    """The blend: recency-weighted counts smoothed by a small kernel.

    Each incident before the origin weighs ``0.5 ** (age / half_life_days)``
    and is spread by a quartic kernel of radius ``bandwidth``; the score is
    the weighted density at each cell. With a bandwidth of a cell or two this
    keeps the fine grain of counts but lets risk spill into the next street,
    as near repeats do (Bowers, Johnson & Pease 2004).

    Parameters
    ----------
    half_life_days : float, default 90
        Age at which an incident counts half.
    bandwidth : float, default 150
        Quartic search radius in metres.

    Attributes
    ----------
    scores_ : numpy.ndarray of shape (n_cells,)
        Decayed density per km^2 at each cell.
    bandwidth_ : float
        Search radius used, metres.
    origin_, n_incidents_
        As :class:`PriorCounts`.

    Examples
    --------
    >>> import pandas as pd
    >>> from spatial_analysis.grids import square_grid
    >>> cells = square_grid(100, extent=(300_000, 1_900_000, 300_500, 1_900_100), crs=32616)
    >>> pts = [[300_050, 1_900_050]] * 3
    >>> times = pd.to_datetime(["2024-01-03", "2024-01-09", "2024-02-01"])
    >>> blend = RecencyKDE(half_life_days=30.0, bandwidth=250.0).fit(pts, times, cells, origin="2024-02-01")
    >>> blend.n_incidents_, blend.scores_.argmax()  # the record on the origin is not history
    (2, np.int64(0))
    """

    family = "blend"
    complexity = 4

    def __init__(self, *, half_life_days: float = 90.0, bandwidth: float = 150.0) -> None:
        self.half_life_days = half_life_days
        self.bandwidth = bandwidth

    @property
    def label(self) -> str:
        return f"blend (half-life {self.half_life_days:g} days, {format_metres(float(self.bandwidth))} kernel)"

    def fit(self, X: npt.ArrayLike, y: npt.ArrayLike, cells: gpd.GeoDataFrame, *, origin=None) -> RecencyKDE:
        """Decayed density of the incidents before ``origin`` at each cell; returns self."""
        xy, age, _ = _training_data(self, X, y, cells, origin)
        w = _decay(age, self.half_life_days)
        self.scores_, self.bandwidth_ = _density_at_cells(xy, w, cells, check_positive(self.bandwidth, name="bandwidth"))
        return self


class GiStarForecast(Estimator):
    """Getis-Ord Gi* z-scores of the counts per cell before the origin.

    Every cell takes part (``zero_cells="keep"``) and Esri's minimum rules are
    off: a short training window is still scored. Cells whose z-score is
    undefined (their neighbourhood is every cell) score lowest.

    Parameters
    ----------
    distance : float, optional
        Distance band in metres; default Optimized Hot Spot Analysis's
        automatic scale.

    Attributes
    ----------
    scores_ : numpy.ndarray of shape (n_cells,)
        Gi* z-score per cell.
    distance_ : float
        Distance band used, metres.
    origin_, n_incidents_
        As :class:`PriorCounts`.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from spatial_analysis.grids import square_grid
    >>> cells = square_grid(100, extent=(300_000, 1_900_000, 301_000, 1_901_000), crs=32616)
    >>> rng = np.random.default_rng(0)
    >>> hot = rng.normal([300_150, 1_900_850], 40, (60, 2))
    >>> pts = np.vstack([hot, rng.uniform([300_000, 1_900_000], [301_000, 1_901_000], (40, 2))])
    >>> times = pd.date_range("2024-01-01", periods=100, freq="D")
    >>> gi = GiStarForecast(distance=150.0).fit(pts, times, cells)
    >>> sorted(np.argsort(-gi.scores_)[:9].tolist())  # the nine cells of the hot north-west corner
    [0, 1, 2, 10, 11, 12, 20, 21, 22]
    """

    family = "Gi*"
    complexity = 3

    def __init__(self, *, distance: float | None = None) -> None:
        self.distance = distance

    @property
    def label(self) -> str:
        if self.distance is None:
            return "Gi* z-score (automatic distance)"
        return f"Gi* z-score ({format_metres(float(self.distance))})"

    def fit(self, X: npt.ArrayLike, y: npt.ArrayLike, cells: gpd.GeoDataFrame, *, origin=None) -> GiStarForecast:
        """Gi* z-scores of the counts before ``origin``; returns self."""
        _, _, pos = _training_data(self, X, y, cells, origin)
        counts = _counts(pos, len(cells))
        centroids = np.column_stack([cells.geometry.centroid.x, cells.geometry.centroid.y])
        if np.ptp(counts) == 0:
            warnings.warn("every cell has the same count; Gi* cannot rank them, all score 0", UserWarning, stacklevel=2)
            self.scores_, self.distance_ = np.zeros(len(cells)), self.distance
            return self
        r = gi_star(centroids, counts, distance=self.distance, min_incidents=None, min_features=None)
        z = np.asarray(r.z_scores)
        self.scores_ = np.where(np.isnan(z), np.nanmin(z) - 1.0 if np.isfinite(z).any() else 0.0, z)
        self.distance_ = r.distance
        return self


# --------------------------------------------------------------------------- self-exciting point process

_PAIR_CHUNK_DAYS = 30.0
"""Events are paired with their possible parents a month of children at a time (bounded memory)."""


@dataclass(frozen=True)
class _Pairs:
    """Possible (child, parent) pairs: parent earlier by at most the lag, within the distance."""

    child: np.ndarray
    parent: np.ndarray
    dt: np.ndarray  # days
    d2: np.ndarray  # m^2


def _candidate_parents(xy: np.ndarray, days: np.ndarray, max_lag: float, max_distance: float) -> _Pairs:
    """Every pair (i, j) with ``0 < t_i - t_j <= max_lag`` and distance ``<= max_distance``; ``days`` sorted."""
    out: list[tuple[np.ndarray, ...]] = []
    start = days[0]
    while start <= days[-1]:
        c0, c1 = np.searchsorted(days, [start, start + _PAIR_CHUNK_DAYS])
        p0 = np.searchsorted(days, start - max_lag)
        if c1 > c0:
            m = cKDTree(xy[c0:c1]).sparse_distance_matrix(cKDTree(xy[p0:c1]), max_distance, output_type="ndarray")
            i, j = m["i"].astype(np.int64) + c0, m["j"].astype(np.int64) + p0  # same-location pairs included
            dt = days[i] - days[j]
            keep = (dt > 0) & (dt <= max_lag)
            i, j, dt = i[keep], j[keep], dt[keep]
            d2 = ((xy[i] - xy[j]) ** 2).sum(axis=1)
            out.append((i, j, dt, d2))
        start += _PAIR_CHUNK_DAYS
    cols = [np.concatenate(c) for c in zip(*out)] if out else [np.empty(0, np.int64)] * 2 + [np.empty(0)] * 2
    return _Pairs(*cols)


class SelfExcitingForecast(Estimator):
    """A space-time self-exciting point process (Mohler et al. 2011), for short horizons.

    The rate of crime at ``(x, t)`` is a background that does not change in
    time plus a kick from every earlier crime (near repeats):

    ``lambda(x, t) = mu(x) + sum_{t_j < t} theta * omega * exp(-omega (t - t_j)) * N(x - x_j; sigma^2)``

    ``theta`` is the expected number of crimes each crime triggers, ``1 /
    omega`` their mean delay in days and ``sigma`` their spread in metres.
    The model is fitted by expectation-maximisation in the manner of Veen &
    Schoenberg (2008) and Mohler et al. (2011): the E-step gives every crime
    the probability that it is background or triggered by each earlier crime
    within ``max_distance`` and ``max_lag_days`` (stochastic declustering);
    the M-step sets ``theta``, ``omega`` and ``sigma`` in closed form and the
    background to a Gaussian kernel density of the crimes weighted by their
    background probabilities. It is deterministic: no sampling.

    The score of a cell is the expected number of crimes in it over the next
    ``horizon_days``: the background over that horizon plus what the recent
    crimes are still expected to trigger, ``theta * (exp(-omega a) -
    exp(-omega (a + horizon)))`` for a crime ``a`` days old, spread by the
    Gaussian of ``sigma``. Both are read at the cells as densities.

    Parameters
    ----------
    horizon_days : float, default 30
        Length of the forecast period.
    training_days : float, default 365
        History used to fit (the most recent days before the origin).
    background_bandwidth : float, default 250
        Standard deviation of the background's Gaussian kernel, metres.
    max_distance : float, default 500
        Farthest a crime may trigger another, metres.
    max_lag_days : float, default 90
        Longest delay between a crime and one it triggers.
    min_sigma : float, default 25
        Smallest triggering spread, metres (records geocoded to one street
        point would otherwise shrink it to 0).
    n_iter : int, default 30
        EM iterations.

    Attributes
    ----------
    scores_ : numpy.ndarray of shape (n_cells,)
        Expected crimes per km^2 over the horizon at each cell.
    theta_, omega_, sigma_ : float
        Triggering: offspring per crime, decay per day, spread in metres.
    background_share_ : float
        Expected share of the training crimes that are background.
    origin_, n_incidents_
        As :class:`PriorCounts`.

    References
    ----------
    Mohler et al. (2011); Veen & Schoenberg (2008). See the module docstring.
    """

    family = "self-exciting"
    complexity = 5

    def __init__(
        self,
        *,
        horizon_days: float = 30.0,
        training_days: float = 365.0,
        background_bandwidth: float = 250.0,
        max_distance: float = 500.0,
        max_lag_days: float = 90.0,
        min_sigma: float = 25.0,
        n_iter: int = 30,
    ) -> None:
        self.horizon_days = horizon_days
        self.training_days = training_days
        self.background_bandwidth = background_bandwidth
        self.max_distance = max_distance
        self.max_lag_days = max_lag_days
        self.min_sigma = min_sigma
        self.n_iter = n_iter

    @property
    def label(self) -> str:
        return f"self-exciting point process ({self.horizon_days:g}-day horizon)"

    def fit(
        self, X: npt.ArrayLike, y: npt.ArrayLike, cells: gpd.GeoDataFrame, *, origin=None
    ) -> SelfExcitingForecast:
        """Fit by EM on the crimes of the last ``training_days`` before ``origin``; returns self."""
        horizon = check_positive(self.horizon_days, name="horizon_days")
        window = check_positive(self.training_days, name="training_days")
        bg_h = check_positive(self.background_bandwidth, name="background_bandwidth")
        max_lag = check_positive(self.max_lag_days, name="max_lag_days")
        min_sigma = check_positive(self.min_sigma, name="min_sigma")
        n_iter = check_int(self.n_iter, name="n_iter", minimum=1)
        xy, age, _ = _training_data(self, X, y, cells, origin)
        recent = age <= window
        xy, age = xy[recent], age[recent]
        days = window - age  # time since the window start; ascending, as the times are sorted
        pairs = _candidate_parents(xy, days, max_lag, check_positive(self.max_distance, name="max_distance"))
        n = xy.shape[0]
        theta, omega, sigma2 = 0.5, 1.0 / 14.0, 100.0**2
        p_bg = np.full(n, 0.5)
        for _ in range(n_iter):
            # background rate per m^2 per day at each crime, from the crimes weighted by p_bg
            mu = self._background(xy, p_bg, bg_h, window)
            g = theta * omega * np.exp(-omega * pairs.dt) * np.exp(-pairs.d2 / (2 * sigma2)) / (2 * math.pi * sigma2)
            lam = mu + np.bincount(pairs.child, weights=g, minlength=n)
            p = g / lam[pairs.child]
            p_bg = mu / lam
            triggered = p.sum()
            theta = min(triggered / n, 0.99)
            if triggered > 0:
                omega = float(np.clip(triggered / (p * pairs.dt).sum(), 1.0 / max_lag, 10.0))
                sigma2 = max(float((p * pairs.d2).sum() / (2 * triggered)), min_sigma**2)
        self.theta_, self.omega_, self.sigma_ = float(theta), float(omega), math.sqrt(sigma2)
        self.background_share_ = float(p_bg.mean())
        background, _ = _density_at_cells(xy, p_bg * (horizon / window), cells, bg_h, kernel="gaussian")
        kick = theta * (np.exp(-omega * age) - np.exp(-omega * (age + horizon)))
        triggered_density, _ = _density_at_cells(xy, kick, cells, self.sigma_, kernel="gaussian")
        self.scores_ = background + triggered_density
        return self

    @staticmethod
    def _background(xy: np.ndarray, weight: np.ndarray, bandwidth: float, window: float) -> np.ndarray:
        """Background rate per m^2 per day at the crimes: Gaussian KDE of the weighted crimes over the window."""
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="bandwidth .* is smaller than cell_size")
            grid = kernel_density(xy, bandwidth=bandwidth, cell_size=bandwidth / 2, kernel="gaussian", sample_weight=weight)
        return density_at(grid, xy) / 1e6 / window
