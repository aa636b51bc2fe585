"""Shared input checks: every public function validates through these, so the
error messages read the same everywhere (they name the parameter and its value)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt


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
    inside_degrees = (np.abs(points[:, 0]) <= 180).all() and (np.abs(points[:, 1]) <= 90).all()
    spread = float(np.ptp(points, axis=0).max())
    if inside_degrees and spread < 5:
        raise ValueError(
            f"{name} look like longitude/latitude degrees (all within +-180/+-90, spread {spread:.4g}); "
            "project them to metres first (EPSG:32616 for Belize)"
        )


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
