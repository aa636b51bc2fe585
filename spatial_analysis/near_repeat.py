"""Near-repeat analysis: the Knox test as Ratcliffe's Near Repeat Calculator runs it.

Every pair of incidents is placed in a spatial band (metres) and a temporal band
(days). The observed count of pairs in each space-time cell is compared with the
counts obtained when the incident times are shuffled across incidents (Monte Carlo
permutation): if burglaries close in space are also close in time more often than
shuffling produces, there is a near-repeat pattern.

Bands are half-open, ``[lo, hi)``
---------------------------------
A pair exactly on an edge belongs to the band that *starts* at that edge, so every
pair falls in exactly one spatial and one temporal band. With the defaults
(``spatial_bandwidth=100``, ``n_spatial_bands=3``, ``same_location_tolerance=1``,
``temporal_bandwidth=7``, ``n_temporal_bands=3``) the rows and columns are::

    same location  [0, 1) m        [0, 7) days     (same day up to 6 days apart)
                   [1, 100) m      [7, 14) days
                   [100, 200) m    [14, 21) days
                   [200, 300) m    beyond [21, inf) days
    beyond         [300, inf) m

A pair 100 m and 7 days apart is counted once, in row ``[100, 200)`` and column
``[7, 14)``.

What the Near Repeat Calculator does instead
--------------------------------------------
The Near Repeat Calculator (NRC, Ratcliffe 2020) labels its bands as closed
integer ranges, "Same location", "1 to 100", "101 to 200", ... metres and "0 to 7",
"8 to 14", ... days, which read as including *both* edges. Davies and Steenbeek
(NearRepeat R package, vignette "NearRepeat and the Near Repeat Calculator
software: a comparison", 2019) reproduced its observed tables and showed that the
counts are in fact computed on ``[a - 1, b)``: the column labelled "0 to 7" holds
pairs 0-6 days apart and the one labelled "8 to 14" holds pairs 7-13 days apart;
the row "101 to 200" holds pairs in [100, 200) metres; "Same location" holds
[0, 1) metres. So a pair exactly 7 days apart is reported under the label
"8 to 14", which by its own wording excludes 7, while the label "0 to 7" claims it;
on a two-incident example (100 m, 3 days apart; bands of 200 m and 3 days) the NRC
reports the pair in "4 to 6 days". The labels also leave gaps (100.5 m fits
neither "1 to 100" nor "101 to 200"). The published contents and labels disagree
by one unit at every boundary.

We compute the same contents as the NRC with these defaults (bands
``[0, 1), [1, 100), [100, 200), ...`` metres and ``[0, 7), [7, 14), ...`` days) but
label every band with its true half-open interval, and the edge rule is the same
in the observed table, in every permutation and in the per-incident labels. A
test builds pairs exactly on every edge and checks each is counted in exactly one
cell, the one whose interval starts at that edge.

Incident labels
---------------
Each incident gets one of :data:`INCIDENT_LABELS`, using a "linking" window of
``label_distance`` metres and ``label_days`` days (defaults: the first near band
and the first time band, i.e. 100 m and 7 days):

* ``"repeat"``: an earlier incident lies at the same location (distance
  ``< same_location_tolerance``) and ``0 <= days since < label_days``.
* ``"near repeat"``: not a repeat, and an earlier incident lies at
  ``same_location_tolerance <= distance < label_distance`` within the same window.
* ``"originator"``: neither of the above, but at least one later incident is a
  repeat or near repeat *of it* (it started a chain).
* ``"isolated"``: none of the above.

"Earlier" uses the incident time and, for incidents at the same instant, a fixed
order by (time, x, y); exact duplicate records keep their input order. A repeat
that is itself followed by further repeats stays ``"repeat"``.

References
----------
Knox, E. G. (1964). The detection of space-time interactions. *Journal of the Royal
Statistical Society C*, 13(1), 25-30.

Ratcliffe, J. H. (2020). *Near Repeat Calculator* (version 2.0), Temple University.
https://www.jratcliffe.net/software/near-repeat-calculator

Johnson, S. D., Bernasco, W., Bowers, K. J., Elffers, H., Ratcliffe, J., Rengert,
G., & Townsley, M. (2007). Space-time patterns of risk: a cross national assessment
of residential burglary victimization. *Journal of Quantitative Criminology*, 23,
201-219.

Steenbeek, W. & Davies, T. (2019). NearRepeat: analyzing same repeat and near
repeat spatio-temporal point patterns using the Knox test (R package), vignette
"NearRepeat and the Near Repeat Calculator software: a comparison".
https://github.com/wsteenbeek/NearRepeat
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Literal, Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.spatial import cKDTree

from ._validation import check_choice, check_coordinates, check_int, check_points, check_positive, check_projected_metres
from .base import Estimator

__all__ = [
    "INCIDENT_LABELS",
    "KnoxResult",
    "NearRepeat",
    "knox_test",
    "near_repeat_labels",
]

#: Per-incident labels, in the order of precedence used by :func:`near_repeat_labels`.
INCIDENT_LABELS: tuple[str, ...] = ("repeat", "near repeat", "originator", "isolated")

Metric = Literal["euclidean", "manhattan"]
_P_NORM = {"euclidean": 2.0, "manhattan": 1.0}


# --------------------------------------------------------------------------- result


@dataclass(frozen=True, eq=False)
class KnoxResult:
    """Knox test table (the Near Repeat Calculator's output, with true band labels).

    Rows are spatial bands (first row: same location; last row: beyond the
    largest band), columns are temporal bands (last column: beyond). Every band
    is the half-open interval ``[lo, hi)``.

    Attributes
    ----------
    spatial_bands : tuple of (float, float)
        ``(lo, hi)`` in metres for each row; the last ``hi`` is ``inf``.
    temporal_bands : tuple of (float, float)
        ``(lo, hi)`` in days for each column; the last ``hi`` is ``inf``.
    spatial_labels, temporal_labels : tuple of str
        Human-readable interval labels, e.g. ``"[1, 100) m"``.
    observed : ndarray of int64, shape (n_spatial, n_temporal)
        Number of incident pairs in each space-time cell. Sums to n(n-1)/2.
    expected : ndarray of float64
        Mean count over the permutations (times shuffled across incidents).
    knox_ratio : ndarray of float64
        ``observed / expected`` (NaN where ``expected`` is 0). Above 1 means more
        pairs close in both space and time than chance.
    p_values : ndarray of float64
        One-sided pseudo p-value for over-representation,
        ``(#permutations with count >= observed + 1) / (permutations + 1)``.
    permutations : int
        Number of Monte Carlo permutations.
    n_incidents, n_pairs : int
        Number of incidents and of incident pairs, n(n-1)/2.
    metric : str
        ``"euclidean"`` or ``"manhattan"``.
    """

    spatial_bands: tuple[tuple[float, float], ...]
    temporal_bands: tuple[tuple[float, float], ...]
    spatial_labels: tuple[str, ...]
    temporal_labels: tuple[str, ...]
    observed: np.ndarray
    expected: np.ndarray
    knox_ratio: np.ndarray
    p_values: np.ndarray
    permutations: int
    n_incidents: int
    n_pairs: int
    metric: str

    def to_frame(self) -> pd.DataFrame:
        """Return the table in long form, one row per space-time cell.

        Columns: ``spatial_band``, ``temporal_band``, ``distance_lo_m``,
        ``distance_hi_m``, ``days_lo``, ``days_hi``, ``observed``, ``expected``,
        ``knox_ratio``, ``p_value``.
        """
        rows = []
        for i, (slo, shi) in enumerate(self.spatial_bands):
            for j, (tlo, thi) in enumerate(self.temporal_bands):
                rows.append(
                    {
                        "spatial_band": self.spatial_labels[i],
                        "temporal_band": self.temporal_labels[j],
                        "distance_lo_m": slo,
                        "distance_hi_m": shi,
                        "days_lo": tlo,
                        "days_hi": thi,
                        "observed": int(self.observed[i, j]),
                        "expected": float(self.expected[i, j]),
                        "knox_ratio": float(self.knox_ratio[i, j]),
                        "p_value": float(self.p_values[i, j]),
                    }
                )
        return pd.DataFrame(rows)


# ---------------------------------------------------------------------- validation


def _check_metric(metric: str) -> str:
    return check_choice(metric, tuple(_P_NORM), name="metric")


def _as_days(times: npt.ArrayLike, n: int, *, name: str = "times") -> np.ndarray:
    """Return ``times`` as float64 days (only differences matter).

    Numbers are taken as days; numpy datetime64, pandas Timestamps (naive or
    tz-aware) and ``datetime.date`` objects are converted to days since the
    earliest one.
    """
    arr = np.asarray(times)
    if arr.ndim != 1 or arr.shape[0] != n:
        raise ValueError(f"{name} must be 1-D with one value per point ({n}); got shape {arr.shape}")
    if arr.dtype.kind == "M":
        if np.isnat(arr).any():
            bad = int(np.flatnonzero(np.isnat(arr))[0])
            raise ValueError(f"{name} has a missing date (NaT) at row {bad}")
        return ((arr - arr.min()) / np.timedelta64(1, "D")).astype(np.float64)
    if arr.dtype.kind == "O":
        try:
            idx = pd.DatetimeIndex(pd.to_datetime(arr, utc=True))
        except (TypeError, ValueError) as exc:
            raise TypeError(f"{name} must be numbers (days) or dates/datetimes; got {arr[:3].tolist()!r}...") from exc
        if idx.isna().any():
            bad = int(np.flatnonzero(idx.isna())[0])
            raise ValueError(f"{name} has a missing date at row {bad}")
        return np.asarray((idx - idx.min()) / pd.Timedelta(days=1), dtype=np.float64)
    if arr.dtype.kind in "iuf":
        days = arr.astype(np.float64)
        if not np.isfinite(days).all():
            bad = int(np.flatnonzero(~np.isfinite(days))[0])
            raise ValueError(f"{name} has a non-finite value at row {bad}: {days[bad]!r}")
        return days
    raise TypeError(f"{name} must be numbers (days) or dates/datetimes; got dtype {arr.dtype}")


def _check_edges(edges: Sequence[float], *, name: str) -> np.ndarray:
    e = np.asarray(edges, dtype=np.float64)
    if e.ndim != 1 or e.size < 2:
        raise ValueError(f"{name} must list at least two band edges; got {edges!r}")
    if not np.isfinite(e).all():
        raise ValueError(f"{name} must be finite (the 'beyond' band is added for you); got {edges!r}")
    if e[0] != 0:
        raise ValueError(f"{name} must start at 0; got {edges!r}")
    if (np.diff(e) <= 0).any():
        raise ValueError(f"{name} must be strictly increasing; got {edges!r}")
    return e


def _spatial_edges(
    spatial_bandwidth: float, n_spatial_bands: int, same_location_tolerance: float, spatial_edges
) -> np.ndarray:
    if spatial_edges is not None:
        return _check_edges(spatial_edges, name="spatial_edges")
    bw = check_positive(spatial_bandwidth, name="spatial_bandwidth")
    k = check_int(n_spatial_bands, name="n_spatial_bands", minimum=1)
    tol = check_positive(same_location_tolerance, name="same_location_tolerance")
    if tol >= bw:
        raise ValueError(
            f"same_location_tolerance ({same_location_tolerance!r} m) must be smaller than "
            f"spatial_bandwidth ({spatial_bandwidth!r} m)"
        )
    return np.concatenate([[0.0, tol], bw * np.arange(1, k + 1)])


def _temporal_edges(temporal_bandwidth: float, n_temporal_bands: int, temporal_edges) -> np.ndarray:
    if temporal_edges is not None:
        return _check_edges(temporal_edges, name="temporal_edges")
    tb = check_positive(temporal_bandwidth, name="temporal_bandwidth")
    k = check_int(n_temporal_bands, name="n_temporal_bands", minimum=1)
    return tb * np.arange(0, k + 1, dtype=np.float64)


def _fmt(v: float) -> str:
    return "inf" if math.isinf(v) else f"{v:g}"


def _band_labels(
    edges: np.ndarray, unit: str, *, first: str | None
) -> tuple[tuple[tuple[float, float], ...], tuple[str, ...]]:
    bounds = [(float(edges[i]), float(edges[i + 1])) for i in range(edges.size - 1)]
    bounds.append((float(edges[-1]), math.inf))
    labels = [f"[{_fmt(lo)}, {_fmt(hi)}) {unit}" for lo, hi in bounds]
    if first is not None:
        labels[0] = f"{first} {labels[0]}"
    labels[-1] = f"beyond {labels[-1]}"
    return tuple(bounds), tuple(labels)


# ------------------------------------------------------------------------ geometry


def _pair_distances(pts: np.ndarray, i: np.ndarray, j: np.ndarray, metric: str) -> np.ndarray:
    dx = pts[i, 0] - pts[j, 0]
    dy = pts[i, 1] - pts[j, 1]
    if metric == "euclidean":
        return np.hypot(dx, dy)
    return np.abs(dx) + np.abs(dy)


def _close_pairs(pts: np.ndarray, radius: float, metric: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """All pairs i < j with distance strictly below ``radius`` (no dense matrix).

    The k-d tree answers "within radius" with its own arithmetic; we query a hair
    wider and keep pairs by the distance computed here, so the edge rule is the
    one used everywhere else in this module.
    """
    tree = cKDTree(pts)
    pairs = tree.query_pairs(radius * (1 + 1e-9), p=_P_NORM[metric], output_type="ndarray")
    if pairs.size == 0:
        empty = np.empty(0, dtype=np.intp)
        return empty, empty, np.empty(0, dtype=np.float64)
    i = pairs[:, 0].astype(np.intp)
    j = pairs[:, 1].astype(np.intp)
    d = _pair_distances(pts, i, j, metric)
    keep = d < radius
    return i[keep], j[keep], d[keep]


def _pairs_closer_than(t_sorted: np.ndarray, edge: float) -> int:
    """Number of pairs with ``t[b] - t[a] < edge`` (a < b) in sorted times, O(n log n).

    Uses the same floating-point predicate as the pairwise code so the counts
    agree exactly at band edges.
    """
    n = t_sorted.size
    idx = np.arange(n)
    k = np.searchsorted(t_sorted, t_sorted + edge, side="left")
    k = np.maximum(k, idx + 1)
    while True:  # move right while the next time is still closer than ``edge``
        nxt = np.minimum(k, n - 1)
        grow = (k < n) & (t_sorted[nxt] - t_sorted < edge)
        if not grow.any():
            break
        k[grow] += 1
    while True:  # move left while the last counted time is not closer than ``edge``
        prev = np.maximum(k - 1, 0)
        shrink = (k > idx + 1) & (t_sorted[prev] - t_sorted >= edge)
        if not shrink.any():
            break
        k[shrink] -= 1
    return int((k - idx - 1).sum())


def _canonical_order(pts: np.ndarray, days: np.ndarray) -> np.ndarray:
    """Order by (time, x, y); ties keep input order. Makes results row-order free."""
    return np.lexsort((pts[:, 1], pts[:, 0], days))


# ---------------------------------------------------------------------- Knox test


def _knox(
    pts: np.ndarray,
    days: np.ndarray,
    s_edges: np.ndarray,
    t_edges: np.ndarray,
    *,
    metric: str,
    permutations: int,
    random_state,
) -> KnoxResult:
    n = pts.shape[0]
    order = _canonical_order(pts, days)
    pts = pts[order]
    days = days[order]

    n_s = s_edges.size  # rows: s_edges.size - 1 finite bands + beyond
    n_t = t_edges.size  # columns: t_edges.size - 1 finite bands + beyond
    n_near = n_s - 1

    i, j, d = _close_pairs(pts, float(s_edges[-1]), metric)
    s_part = (np.searchsorted(s_edges, d, side="right") - 1) * n_t
    n_pairs = n * (n - 1) // 2

    # Column totals over *all* pairs depend on the times only, so they are the
    # same in every permutation; the "beyond" distance row is total minus near rows.
    below = [0] + [_pairs_closer_than(days, float(e)) for e in t_edges[1:]]
    col_totals = np.diff(np.asarray(below + [n_pairs], dtype=np.int64))

    def table(t: np.ndarray) -> np.ndarray:
        dt = np.abs(t[i] - t[j])
        cell = s_part + (np.searchsorted(t_edges, dt, side="right") - 1)
        near = np.bincount(cell, minlength=n_near * n_t).reshape(n_near, n_t)
        return np.vstack([near, col_totals - near.sum(axis=0)])

    observed = table(days)
    rng = np.random.default_rng(random_state)
    total = np.zeros(observed.shape, dtype=np.float64)
    at_least = np.zeros(observed.shape, dtype=np.int64)
    for _ in range(permutations):
        sim = table(days[rng.permutation(n)])
        total += sim
        at_least += sim >= observed
    expected = total / permutations
    ratio = np.divide(observed, expected, out=np.full(expected.shape, np.nan), where=expected > 0)
    p_values = (at_least + 1) / (permutations + 1)

    for arr in (observed, expected, ratio, p_values):
        arr.setflags(write=False)  # the result is a frozen record
    s_bounds, s_labels = _band_labels(s_edges, "m", first="same location")
    t_bounds, t_labels = _band_labels(t_edges, "days", first=None)
    return KnoxResult(
        spatial_bands=s_bounds,
        temporal_bands=t_bounds,
        spatial_labels=s_labels,
        temporal_labels=t_labels,
        observed=observed,
        expected=expected,
        knox_ratio=ratio,
        p_values=p_values,
        permutations=permutations,
        n_incidents=n,
        n_pairs=n_pairs,
        metric=metric,
    )


def _labels(
    pts: np.ndarray,
    days: np.ndarray,
    *,
    same_location_tolerance: float,
    label_distance: float,
    label_days: float,
    metric: str,
) -> np.ndarray:
    n = pts.shape[0]
    order = _canonical_order(pts, days)
    rank = np.empty(n, dtype=np.intp)
    rank[order] = np.arange(n)

    i, j, d = _close_pairs(pts, label_distance, metric)
    dt = np.abs(days[i] - days[j])
    keep = dt < label_days
    i, j, d = i[keep], j[keep], d[keep]
    earlier = np.where(rank[i] < rank[j], i, j)
    later = np.where(rank[i] < rank[j], j, i)
    same = d < same_location_tolerance

    is_repeat = np.zeros(n, dtype=bool)
    is_near = np.zeros(n, dtype=bool)
    has_follower = np.zeros(n, dtype=bool)
    is_repeat[later[same]] = True
    is_near[later[~same]] = True
    has_follower[earlier] = True

    labels = np.full(n, "isolated", dtype=object)
    labels[has_follower] = "originator"
    labels[is_near] = "near repeat"
    labels[is_repeat] = "repeat"
    return labels


def _prepare(points, times, metric) -> tuple[np.ndarray, np.ndarray, str]:
    pts = check_points(points, min_points=2)
    check_projected_metres(pts)
    days = _as_days(times, pts.shape[0])
    return pts, days, _check_metric(metric)


def _check_permutations(permutations: int) -> int:
    perms = check_int(permutations, name="permutations", minimum=1)
    if 1 / (perms + 1) > 0.05:
        warnings.warn(
            f"with permutations={perms} the smallest possible p-value is {1 / (perms + 1):.3g}; "
            "use at least 19 (999 recommended)",
            stacklevel=3,
        )
    return perms


def knox_test(
    points: npt.ArrayLike,
    times: npt.ArrayLike,
    *,
    spatial_bandwidth: float = 100.0,
    n_spatial_bands: int = 3,
    temporal_bandwidth: float = 7.0,
    n_temporal_bands: int = 3,
    same_location_tolerance: float = 1.0,
    spatial_edges: Sequence[float] | None = None,
    temporal_edges: Sequence[float] | None = None,
    metric: Metric = "euclidean",
    permutations: int = 999,
    random_state: int | np.random.Generator | None = None,
) -> KnoxResult:
    """Knox test table with Monte Carlo expected counts, Knox ratios and p-values.

    Parameters
    ----------
    points : array_like, shape (n, 2)
        Incident x, y in metres (projected CRS, EPSG:32616 for Belize). n >= 2.
    times : array_like, shape (n,)
        Incident times: numbers in days, or dates/datetimes (datetime64, pandas
        Timestamps, ``datetime.date``). The NRC uses whole dates; pass dates (not
        datetimes) to match it, since time of day makes differences fractional.
    spatial_bandwidth : float, default 100
        Width of each spatial band in metres.
    n_spatial_bands : int, default 3
        Number of spatial bands after the same-location band.
    temporal_bandwidth : float, default 7
        Width of each temporal band in days.
    n_temporal_bands : int, default 3
        Number of temporal bands before the "beyond" band.
    same_location_tolerance : float, default 1
        Pairs closer than this (metres) are "same location"; the first near band
        then runs from this value to ``spatial_bandwidth``. 1 m reproduces the
        Near Repeat Calculator's same-location counts.
    spatial_edges, temporal_edges : sequence of float, optional
        Explicit band edges, starting at 0 and strictly increasing, instead of the
        bandwidth parameters (which are then ignored). ``spatial_edges[0:2]`` is
        the same-location band. A "beyond" band ``[edges[-1], inf)`` is always added.
    metric : {"euclidean", "manhattan"}, default "euclidean"
        Distance between incidents, in metres.
    permutations : int, default 999
        Number of Monte Carlo permutations of the times across incidents.
    random_state : int, Generator or None, default None
        Seed for ``np.random.default_rng``. Results do not depend on row order:
        incidents are first sorted by (time, x, y), then permutation k is the k-th
        ``rng.permutation(n)``.

    Returns
    -------
    KnoxResult
        Observed and expected tables, Knox ratios and pseudo p-values.

    Notes
    -----
    Every band is half-open ``[lo, hi)``; see the module docstring for how this
    differs from the Near Repeat Calculator's labels. Pairs closer than the
    largest spatial edge are found with a k-d tree (``cKDTree.query_pairs``), so
    memory and time grow with the number of *close* pairs, not n^2; the
    "beyond" distance row is obtained from the time differences alone (its column
    totals do not change under permutation). Each permutation costs
    O(close pairs).

    References
    ----------
    Knox (1964); Ratcliffe (2020), Near Repeat Calculator; Johnson et al. (2007);
    Steenbeek & Davies (2019). Full citations in the module docstring.

    Examples
    --------
    Four burglaries: two on one street a day apart, two far away.

    >>> import numpy as np
    >>> pts = np.array([[0, 0], [50, 0], [5000, 0], [5000, 3000]])
    >>> days = np.array([0, 1, 30, 90])
    >>> res = knox_test(pts, days, permutations=99, random_state=1)
    >>> res.spatial_labels[1], res.temporal_labels[0]
    ('[1, 100) m', '[0, 7) days')
    >>> int(res.observed[1, 0]), int(res.observed.sum())
    (1, 6)
    """
    pts, days, metric = _prepare(points, times, metric)
    s_edges = _spatial_edges(spatial_bandwidth, n_spatial_bands, same_location_tolerance, spatial_edges)
    t_edges = _temporal_edges(temporal_bandwidth, n_temporal_bands, temporal_edges)
    perms = _check_permutations(permutations)
    if np.ptp(days) == 0:
        warnings.warn(
            "all incidents have the same time; every permutation equals the observed table, "
            "so Knox ratios are 1 and p-values are 1",
            stacklevel=2,
        )
    return _knox(pts, days, s_edges, t_edges, metric=metric, permutations=perms, random_state=random_state)


def near_repeat_labels(
    points: npt.ArrayLike,
    times: npt.ArrayLike,
    *,
    same_location_tolerance: float = 1.0,
    label_distance: float = 100.0,
    label_days: float = 7.0,
    metric: Metric = "euclidean",
) -> np.ndarray:
    """Label each incident as repeat, near repeat, originator or isolated.

    Parameters
    ----------
    points : array_like, shape (n, 2)
        Incident x, y in metres. n >= 2.
    times : array_like, shape (n,)
        Incident times in days, or dates/datetimes.
    same_location_tolerance : float, default 1
        Metres below which two incidents are at the same location.
    label_distance : float, default 100
        A later incident closer than this (metres) is a near repeat.
    label_days : float, default 7
        ... if it happened less than this many days after (``[0, label_days)``).
    metric : {"euclidean", "manhattan"}, default "euclidean"

    Returns
    -------
    ndarray of str (object), shape (n,)
        One of :data:`INCIDENT_LABELS` per incident, in input order. See the
        module docstring for the definitions.

    Examples
    --------
    >>> pts = [[0, 0], [0, 0], [60, 0], [4000, 0]]
    >>> near_repeat_labels(pts, [0, 2, 3, 3]).tolist()
    ['originator', 'repeat', 'near repeat', 'isolated']
    """
    pts, days, metric = _prepare(points, times, metric)
    tol = check_positive(same_location_tolerance, name="same_location_tolerance")
    dist = check_positive(label_distance, name="label_distance")
    window = check_positive(label_days, name="label_days")
    if tol >= dist:
        raise ValueError(
            f"same_location_tolerance ({same_location_tolerance!r} m) must be smaller than "
            f"label_distance ({label_distance!r} m)"
        )
    return _labels(pts, days, same_location_tolerance=tol, label_distance=dist, label_days=window, metric=metric)


class NearRepeat(Estimator):
    """Near-repeat analysis (Knox test + incident labels), sklearn-style.

    Parameters
    ----------
    spatial_bandwidth : float, default 100
        Spatial band width in metres.
    n_spatial_bands : int, default 3
        Number of spatial bands after the same-location band.
    temporal_bandwidth : float, default 7
        Temporal band width in days.
    n_temporal_bands : int, default 3
        Number of temporal bands before "beyond".
    same_location_tolerance : float, default 1
        Metres below which two incidents count as the same location.
    spatial_edges, temporal_edges : sequence of float, optional
        Explicit band edges (start at 0, increasing); override the bandwidths.
    metric : {"euclidean", "manhattan"}, default "euclidean"
    permutations : int, default 999
        Monte Carlo permutations of the times.
    random_state : int, Generator or None, default None
        Seed for ``np.random.default_rng``.
    label_distance : float, optional
        Near-repeat distance for the incident labels; default: the upper edge of
        the first near band (``spatial_bandwidth``, or ``spatial_edges[2]``).
    label_days : float, optional
        Time window for the labels; default: the first temporal band's upper edge.

    Attributes
    ----------
    result_ : KnoxResult
        The full table (see :class:`KnoxResult`).
    observed_, expected_, knox_ratio_, p_values_ : ndarray
        Shortcuts to the arrays in ``result_``.
    spatial_bands_, temporal_bands_ : tuple of (float, float)
        Half-open ``[lo, hi)`` bands in metres and days.
    labels_ : ndarray of str, shape (n,)
        Per-incident label, one of :data:`INCIDENT_LABELS`.

    References
    ----------
    Knox (1964); Ratcliffe (2020), Near Repeat Calculator; Steenbeek & Davies
    (2019). See the :mod:`spatial_analysis.near_repeat` module docstring.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> pts = rng.uniform(0, 2000, size=(60, 2))
    >>> days = rng.integers(0, 120, size=60)
    >>> nr = NearRepeat(permutations=99, random_state=0).fit(pts, days)
    >>> nr.observed_.shape, int(nr.observed_.sum()) == 60 * 59 // 2
    ((5, 4), True)
    >>> sorted(set(nr.labels_)) <= sorted(INCIDENT_LABELS)
    True
    """

    def __init__(
        self,
        *,
        spatial_bandwidth: float = 100.0,
        n_spatial_bands: int = 3,
        temporal_bandwidth: float = 7.0,
        n_temporal_bands: int = 3,
        same_location_tolerance: float = 1.0,
        spatial_edges: Sequence[float] | None = None,
        temporal_edges: Sequence[float] | None = None,
        metric: Metric = "euclidean",
        permutations: int = 999,
        random_state: int | np.random.Generator | None = None,
        label_distance: float | None = None,
        label_days: float | None = None,
    ) -> None:
        self.spatial_bandwidth = spatial_bandwidth
        self.n_spatial_bands = n_spatial_bands
        self.temporal_bandwidth = temporal_bandwidth
        self.n_temporal_bands = n_temporal_bands
        self.same_location_tolerance = same_location_tolerance
        self.spatial_edges = spatial_edges
        self.temporal_edges = temporal_edges
        self.metric = metric
        self.permutations = permutations
        self.random_state = random_state
        self.label_distance = label_distance
        self.label_days = label_days

    def fit(self, X: npt.ArrayLike, y: npt.ArrayLike) -> "NearRepeat":
        """Run the Knox test and label the incidents.

        Parameters
        ----------
        X : array_like of shape (n, 2), or GeoSeries/GeoDataFrame of points
            Incident x, y in metres.
        y : array_like, shape (n,)
            Incident times in days, or dates/datetimes.

        Returns
        -------
        self
        """
        xy, _ = check_coordinates(X, name="X")
        pts, days, metric = _prepare(xy, y, self.metric)
        s_edges = _spatial_edges(
            self.spatial_bandwidth, self.n_spatial_bands, self.same_location_tolerance, self.spatial_edges
        )
        t_edges = _temporal_edges(self.temporal_bandwidth, self.n_temporal_bands, self.temporal_edges)
        perms = _check_permutations(self.permutations)
        if np.ptp(days) == 0:
            warnings.warn(
                "all incidents have the same time; Knox ratios are 1 and p-values are 1",
                stacklevel=2,
            )
        tol = float(s_edges[1])
        if self.label_distance is not None:
            dist = check_positive(self.label_distance, name="label_distance")
        elif s_edges.size > 2:
            dist = float(s_edges[2])
        else:
            raise ValueError(
                f"spatial_edges={self.spatial_edges!r} has no near band after the same-location band; "
                "give label_distance"
            )
        window = float(t_edges[1]) if self.label_days is None else check_positive(self.label_days, name="label_days")
        if tol >= dist:
            raise ValueError(
                f"label_distance ({self.label_distance!r} m) must exceed the same-location band ({tol:g} m)"
            )

        self.result_ = _knox(
            pts, days, s_edges, t_edges, metric=metric, permutations=perms, random_state=self.random_state
        )
        self.observed_ = self.result_.observed
        self.expected_ = self.result_.expected
        self.knox_ratio_ = self.result_.knox_ratio
        self.p_values_ = self.result_.p_values
        self.spatial_bands_ = self.result_.spatial_bands
        self.temporal_bands_ = self.result_.temporal_bands
        self.labels_ = _labels(
            pts, days, same_location_tolerance=tol, label_distance=dist, label_days=window, metric=metric
        )
        return self
