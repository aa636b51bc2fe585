"""Shared input checks: every public function validates through these, so the
error messages read the same everywhere (they name the parameter and its value)."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pyproj
import shapely
from scipy import sparse


def format_metres(x: float) -> str:
    """A distance in metres as people read it in a message or a log line: "667 m", "12.5 m"."""
    return f"{x:,.1f} m" if abs(x) < 100 else f"{x:,.0f} m"


def check_points(points: npt.ArrayLike, *, name: str = "points", min_points: int = 1) -> np.ndarray:
    """Return ``points`` as a C-contiguous float64 array of shape (n, 2).

    Raises ``ValueError`` for the wrong shape, non-finite values or fewer than
    ``min_points`` rows, naming ``name`` in the message.
    """
    arr = np.asarray(points, dtype=np.float64)
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise ValueError(f"{name} must have shape (n, 2) of x, y in metres; got shape {arr.shape}")
    if arr.shape[0] < min_points:
        raise ValueError(f"{name} needs at least {min_points} point(s); got {arr.shape[0]}")
    if not np.isfinite(arr).all():
        bad = int(np.flatnonzero(~np.isfinite(arr).all(axis=1))[0])
        raise ValueError(f"{name} has a non-finite coordinate at row {bad}: {arr[bad].tolist()}")
    return np.ascontiguousarray(arr)


def check_projected_metres(points: np.ndarray, *, name: str = "points") -> None:
    """Reject coordinates that look like longitude/latitude degrees.

    A cloud of points that all fit inside [-180, 180] x [-90, 90] with a spread
    below one unit is almost certainly geographic; analysing it as metres would
    silently give nonsense, so we refuse it.
    """
    if points.size == 0:
        return
    x, y = points[:, 0], points[:, 1]
    lo_x, hi_x, lo_y, hi_y = x.min(), x.max(), y.min(), y.max()
    inside_degrees = max(-lo_x, hi_x) <= 180 and max(-lo_y, hi_y) <= 90
    spread = float(max(hi_x - lo_x, hi_y - lo_y))
    if inside_degrees and spread < 5:
        raise ValueError(
            f"{name} look like longitude/latitude degrees (all within +-180/+-90, spread {spread:.4g}); "
            "project them to metres first (EPSG:32616 for Belize)"
        )


def check_extent(extent: object) -> tuple[float, float, float, float]:
    """Return ``extent`` as four floats ``(xmin, ymin, xmax, ymax)`` in metres.

    Raises ``TypeError`` if it is not a sequence of numbers and ``ValueError``
    unless it is four finite numbers with ``xmax > xmin``, ``ymax > ymin`` and
    projected (not degree) coordinates.
    """
    try:
        vals = tuple(float(v) for v in extent)  # type: ignore[union-attr]
    except (TypeError, ValueError):
        raise TypeError(f"extent must be (xmin, ymin, xmax, ymax) in metres; got {extent!r}") from None
    if len(vals) != 4 or not all(math.isfinite(v) for v in vals):
        raise ValueError(f"extent must be four finite numbers (xmin, ymin, xmax, ymax); got {extent!r}")
    xmin, ymin, xmax, ymax = vals
    if not (xmax > xmin and ymax > ymin):
        raise ValueError(f"extent must have xmax > xmin and ymax > ymin; got {extent!r}")
    check_projected_metres(np.array([[xmin, ymin], [xmax, ymax]]), name="extent")
    return vals  # type: ignore[return-value]


def check_weights(sample_weight: npt.ArrayLike | None, n: int, *, name: str = "sample_weight") -> np.ndarray | None:
    """Return non-negative finite weights of length ``n`` as float64, or None."""
    if sample_weight is None:
        return None
    w = np.asarray(sample_weight, dtype=np.float64)
    if w.shape != (n,):
        raise ValueError(f"{name} must have shape ({n},); got {w.shape}")
    if not np.isfinite(w).all() or (w < 0).any():
        raise ValueError(f"{name} must be finite and non-negative")
    return w


def check_positive(value: float, *, name: str) -> float:
    """Return ``value`` as float if it is finite and > 0, else raise ValueError."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a number; got {value!r}") from None
    if not np.isfinite(v) or v <= 0:
        raise ValueError(f"{name} must be a finite number > 0; got {value!r}")
    return v


def check_geodataframe_projected(gdf, *, name: str = "gdf") -> None:
    """Raise ValueError if a GeoDataFrame has no CRS or a geographic one."""
    crs = getattr(gdf, "crs", None)
    if crs is None:
        raise ValueError(f"{name} has no CRS; set it (EPSG:32616 for Belize) before analysing")
    if crs.is_geographic:
        raise ValueError(f"{name} has geographic CRS {crs.to_string()}; project it to metres (EPSG:32616)")


def check_finite_values(
    values: npt.ArrayLike, *, shape: tuple[int | None, ...], name: str = "values"
) -> np.ndarray:
    """Return ``values`` as a new float64 array of ``shape`` holding only finite numbers.

    ``None`` in ``shape`` accepts any length on that axis. Raises ``TypeError``
    for non-numeric input and ``ValueError`` for the wrong shape or a NaN/inf,
    naming ``name`` and the first bad position.
    """
    try:
        arr = np.array(values, dtype=np.float64, copy=True)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be numeric; got {type(values).__name__}") from None
    want = tuple("any" if s is None else s for s in shape)
    if arr.ndim != len(shape) or any(s is not None and a != s for a, s in zip(arr.shape, shape)):
        raise ValueError(f"{name} must have shape {want}; got {arr.shape}")
    if not np.isfinite(arr).all():
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0])
        raise ValueError(f"{name} has a non-finite value at index {bad}: {arr[bad]!r}")
    return arr


def check_weights_and_values(
    weights: sparse.sparray | sparse.spmatrix, values: npt.ArrayLike
) -> tuple[sparse.csr_array, np.ndarray]:
    """A square spatial weights matrix as CSR float64 and one finite value per row of it."""
    w = sparse.csr_array(weights, dtype=np.float64)
    n = w.shape[0]
    if w.shape != (n, n):
        raise ValueError(f"weights must be square; got shape {w.shape}")
    return w, check_finite_values(values, shape=(n,), name="values")


def check_choice(value: object, choices: tuple[str, ...], *, name: str) -> str:
    """Return ``value`` if it is one of the string ``choices``, else raise ValueError."""
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}; got {value!r}")
    return value


def check_int(value: object, *, name: str, minimum: int | None = None) -> int:
    """Return ``value`` as int if it is an integer (not bool) >= ``minimum``.

    Raises ``TypeError`` for non-integers and ``ValueError`` below ``minimum``.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer; got {value!r}")
    v = int(value)
    if minimum is not None and v < minimum:
        raise ValueError(f"{name} must be >= {minimum}; got {v}")
    return v


def check_crs(crs: object) -> pyproj.CRS | None:
    """``crs`` as a projected pyproj CRS (None stays None); ValueError for a geographic or unknown one."""
    if crs is None:
        return None
    try:
        out = pyproj.CRS.from_user_input(crs)
    except pyproj.exceptions.CRSError as exc:
        raise ValueError(f"crs is not a coordinate reference system: {crs!r}") from exc
    if out.is_geographic:
        raise ValueError(f"crs {out.to_string()} is geographic; give a projected CRS in metres (EPSG:32616)")
    return out


def check_coordinates(
    points: object, *, crs: object = None, name: str = "points"
) -> tuple[np.ndarray, pyproj.CRS | None]:
    """The one check that locations are projected metres: (n, 2) float coordinates and their CRS.

    ``points`` may be an array of x, y in metres, or a GeoDataFrame/GeoSeries of
    points in a projected CRS (then ``crs`` defaults to theirs and must agree).
    Every estimator's ``fit`` takes its ``X`` through here.
    """
    out_crs = check_crs(crs)
    if isinstance(points, (gpd.GeoDataFrame, gpd.GeoSeries)):
        check_geodataframe_projected(points, name=name)
        geoms = points.geometry.values if isinstance(points, gpd.GeoDataFrame) else points.values
        kinds = shapely.get_type_id(geoms)
        if (kinds != shapely.GeometryType.POINT).any() or shapely.is_empty(geoms).any():
            bad = int(np.flatnonzero((kinds != shapely.GeometryType.POINT) | shapely.is_empty(geoms))[0])
            raise TypeError(f"{name} must hold non-empty Point geometries; row {bad} is {geoms[bad]!r}")
        coords = check_points(shapely.get_coordinates(geoms), name=name)
        if out_crs is not None and out_crs != points.crs:
            raise ValueError(f"crs {out_crs.to_string()} differs from {name}.crs {points.crs.to_string()}")
        out_crs = pyproj.CRS.from_user_input(points.crs)
    else:
        coords = check_points(points, name=name)
    check_projected_metres(coords, name=name)
    return coords, out_crs
