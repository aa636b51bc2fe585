"""Kernel density estimation on a raster grid, as crime analysts use it.

The surface is the one Esri's Kernel Density tool and CrimeStat compute: at each
cell centre, the (weighted) sum of a kernel placed on every incident, in
incidents per square kilometre. It is computed by binning the points onto the
grid and convolving with the sampled kernel by FFT, so the cost is
``O(n + cells log cells)`` instead of ``O(n * cells)``.

Public API
----------
- :func:`kernel_density` and the estimator :class:`KernelDensity`
- :func:`silverman_bandwidth` (Esri's spatial Silverman rule)
- :class:`DensityGrid`, the result (raster order: row 0 is the north edge)
- :func:`density_at` (the surface read at given cells, points or polygons)
- :func:`density_bands` (top 1% / 5% / 10% contour polygons for maps)
- :func:`dual_kernel_density` (risk-adjusted KDE: events over population)
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Literal

import contourpy
import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pyproj
import shapely
from scipy import signal

from spatial_analysis._validation import (
    check_choice,
    check_coordinates,
    check_crs,
    check_extent,
    check_geodataframe_projected,
    check_points,
    check_positive,
    check_projected_metres,
    check_weights,
)
from spatial_analysis.base import Estimator
from spatial_analysis.descriptive import mean_centre, median_distance
from spatial_analysis.grids import align_extent

__all__ = [
    "DensityGrid",
    "KernelDensity",
    "density_at",
    "density_bands",
    "dual_kernel_density",
    "kernel_density",
    "silverman_bandwidth",
]

KERNELS = ("quartic", "gaussian")
"""Kernel names accepted by ``kernel=``."""

GAUSSIAN_TRUNCATION = 4.0
"""The Gaussian kernel is cut at this many bandwidths (standard deviations).

Beyond 4 sd the kernel is below ``exp(-8) = 3.4e-4`` of its peak and holds
``exp(-8)`` of its mass; the sampled kernel is renormalised so no mass is lost.
"""

MAX_CELLS = 25_000_000
"""Largest grid (rows x cols) we agree to build: about 200 MB per float64 layer.

Belize at 250 m is about 0.7 million cells; 25 million protects the worker from
a typo such as ``cell_size=1``.
"""

_ROUNDOFF = 1e-12
"""FFT round-off: values below this fraction of the grid's peak are set to 0."""

_M2_PER_KM2 = 1e6


# --------------------------------------------------------------------------- result


@dataclass(frozen=True, eq=False)
class DensityGrid:
    """A density surface on a north-up square grid, in raster order.

    Parameters
    ----------
    density : numpy.ndarray of shape (n_rows, n_cols)
        Density per km^2 (incidents per km^2 for an unweighted KDE). Row 0 is
        the NORTH edge and column 0 the WEST edge, as in a GeoTIFF. Stored as a
        read-only float64 copy.
    x_min : float
        x of the grid's west edge, metres.
    y_max : float
        y of the grid's north edge, metres.
    cell_size : float
        Side of a square cell, metres.
    bandwidth : float
        Kernel bandwidth, metres (search radius for ``"quartic"``, standard
        deviation for ``"gaussian"``).
    kernel : str
        Kernel name (``"quartic"`` or ``"gaussian"``; a derived surface such
        as :func:`dual_kernel_density` says so in its name).
    n_points : int
        Number of input points (rows), whatever their weights.

    Examples
    --------
    >>> import numpy as np
    >>> g = DensityGrid(np.zeros((2, 3)), x_min=1000.0, y_max=5000.0, cell_size=100.0,
    ...                 bandwidth=300.0, kernel="quartic", n_points=0)
    >>> g.transform
    (1000.0, 100.0, 0.0, 5000.0, 0.0, -100.0)
    >>> g.extent
    (1000.0, 4800.0, 1300.0, 5000.0)
    >>> g.x_centres.tolist(), g.y_centres.tolist()
    ([1050.0, 1150.0, 1250.0], [4950.0, 4850.0])
    """

    density: np.ndarray
    x_min: float
    y_max: float
    cell_size: float
    bandwidth: float
    kernel: str
    n_points: int

    def __post_init__(self) -> None:
        arr = np.array(self.density, dtype=np.float64, copy=True)
        if arr.ndim != 2 or 0 in arr.shape:
            raise ValueError(f"density must be a non-empty 2-D array; got shape {arr.shape}")
        arr.setflags(write=False)
        object.__setattr__(self, "density", arr)
        object.__setattr__(self, "x_min", float(self.x_min))
        object.__setattr__(self, "y_max", float(self.y_max))
        object.__setattr__(self, "cell_size", check_positive(self.cell_size, name="cell_size"))
        object.__setattr__(self, "bandwidth", check_positive(self.bandwidth, name="bandwidth"))
        object.__setattr__(self, "n_points", int(self.n_points))

    @property
    def shape(self) -> tuple[int, int]:
        """``(n_rows, n_cols)``."""
        return self.density.shape  # type: ignore[return-value]

    @property
    def transform(self) -> tuple[float, float, float, float, float, float]:
        """GDAL geotransform ``(x_min, cell, 0, y_max, 0, -cell)``.

        Use ``affine.Affine.from_gdal(*grid.transform)`` for rasterio.
        """
        c = self.cell_size
        return (self.x_min, c, 0.0, self.y_max, 0.0, -c)

    @property
    def extent(self) -> tuple[float, float, float, float]:
        """``(x_min, y_min, x_max, y_max)`` of the grid's outer edges, metres."""
        n_rows, n_cols = self.shape
        c = self.cell_size
        return (self.x_min, self.y_max - n_rows * c, self.x_min + n_cols * c, self.y_max)

    @property
    def cell_area_km2(self) -> float:
        """Area of one cell in km^2."""
        return self.cell_size**2 / _M2_PER_KM2

    @property
    def x_centres(self) -> np.ndarray:
        """x of the cell centres, one per column (west to east), metres."""
        return self.x_min + (np.arange(self.shape[1]) + 0.5) * self.cell_size

    @property
    def y_centres(self) -> np.ndarray:
        """y of the cell centres, one per row (north to south), metres."""
        return self.y_max - (np.arange(self.shape[0]) + 0.5) * self.cell_size

    def cell_centres(self) -> tuple[np.ndarray, np.ndarray]:
        """Cell-centre coordinates as two arrays shaped like :attr:`density`.

        Returns
        -------
        x, y : numpy.ndarray of shape (n_rows, n_cols)
            Metres; ``x[i, j], y[i, j]`` is the centre of ``density[i, j]``.
        """
        return np.meshgrid(self.x_centres, self.y_centres)

    def integral(self) -> float:
        """Sum of density x cell area: the number (or total weight) of incidents on the grid."""
        return float(self.density.sum() * self.cell_area_km2)


# --------------------------------------------------------------------------- bandwidth


def silverman_bandwidth(points: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = None) -> float:
    """Default search radius: Esri's spatial variant of Silverman's rule of thumb.

    ``h = 0.9 * min(SD, sqrt(1 / ln 2) * Dm) * n ** -0.2``

    where ``SD`` is the (weighted) standard distance, ``Dm`` the (weighted)
    median distance to the (weighted) mean centre and ``n`` the number of
    points, or the sum of the weights when ``sample_weight`` is given (as Esri
    does with a population field). The ``min`` guards against outliers.

    Parameters
    ----------
    points : array-like of shape (n, 2)
        x, y in metres.
    sample_weight : array-like of shape (n,), optional
        Non-negative weights. Default: every point weighs 1.

    Returns
    -------
    float
        Bandwidth (search radius) in metres.

    Raises
    ------
    ValueError
        If the points are all identical (no spread gives no scale), or the
        weights sum to zero.

    Warns
    -----
    UserWarning
        If more than half the weight sits exactly on the mean centre, so
        ``Dm = 0``; ``SD`` alone is then used.

    References
    ----------
    Esri, "How Kernel Density works", ArcGIS Pro Spatial Analyst.
    Silverman, B. W. (1986). *Density Estimation for Statistics and Data
    Analysis*, Chapman & Hall, eq. 3.31.

    Examples
    --------
    >>> pts = [[0, 0], [100, 0], [0, 100], [100, 100]]
    >>> round(silverman_bandwidth(pts), 6)  # SD = Dm = 70.71; 0.9 * 70.71 * 4**-0.2
    48.229806
    """
    xy = check_points(points)
    check_projected_metres(xy)
    w = check_weights(sample_weight, xy.shape[0])
    return _silverman(xy, w)


def _silverman(xy: np.ndarray, w: np.ndarray | None) -> float:
    """silverman_bandwidth on already validated input."""
    n_eff = float(xy.shape[0]) if w is None else float(w.sum())
    if not n_eff > 0:
        raise ValueError("sample_weight must not sum to zero; got all-zero weights")
    centre = mean_centre(xy, sample_weight=w)
    d = np.hypot(xy[:, 0] - centre[0], xy[:, 1] - centre[1])
    sd = float(np.sqrt(np.average(d * d, weights=w)))
    if sd == 0.0:
        raise ValueError(
            "bandwidth='auto' cannot be estimated: all points are identical (standard distance 0); "
            "pass bandwidth= in metres"
        )
    dm = median_distance(xy, sample_weight=w)
    spread = min(sd, math.sqrt(1.0 / math.log(2.0)) * dm)
    if spread == 0.0:
        warnings.warn(
            "more than half of the points sit exactly on their mean centre (median distance 0); "
            "using the standard distance alone for the bandwidth",
            stacklevel=3,
        )
        spread = sd
    return 0.9 * spread * n_eff**-0.2


# --------------------------------------------------------------------------- validation helpers


def _check_kernel(kernel: object) -> str:
    if not isinstance(kernel, str):
        raise TypeError(f"kernel must be a string, one of {KERNELS}; got {kernel!r}")
    k = kernel.lower()
    if k not in KERNELS:
        raise ValueError(f"kernel must be one of {KERNELS}; got {kernel!r}")
    return k


def _check_bandwidth(bandwidth: object) -> float | None:
    """None means 'auto'."""
    if isinstance(bandwidth, str):
        if bandwidth.lower() == "auto":
            return None
        raise ValueError(f"bandwidth must be 'auto' or a distance in metres; got {bandwidth!r}")
    if isinstance(bandwidth, bool):
        raise TypeError(f"bandwidth must be 'auto' or a number of metres; got {bandwidth!r}")
    return check_positive(bandwidth, name="bandwidth")


def _support_radius(kernel: str, bandwidth: float) -> float:
    return bandwidth if kernel == "quartic" else GAUSSIAN_TRUNCATION * bandwidth


def _grid_shape(width: float, height: float, cell: float) -> tuple[int, int]:
    # The tiny tolerance keeps an extent that is an exact multiple of the cell
    # from gaining a sliver row/column through floating-point noise.
    n_cols = max(1, math.ceil(width / cell - 1e-9))
    n_rows = max(1, math.ceil(height / cell - 1e-9))
    if n_rows * n_cols > MAX_CELLS:
        raise ValueError(
            f"cell_size={cell!r} m gives a {n_rows} x {n_cols} grid ({n_rows * n_cols} cells), above the "
            f"limit of {MAX_CELLS}; use a larger cell_size or a smaller extent"
        )
    return n_rows, n_cols


# --------------------------------------------------------------------------- core


FFT_MIN_CELLS: dict[str, float] = {"quartic": 20.0, "gaussian": 10.0}
"""Bandwidth, in cells, from which linear binning and FFT on the grid itself is used.

Linear binning is second order: its error is at worst about ``100 (cell /
bandwidth)^2`` percent of one kernel's peak for the quartic kernel and a
quarter of that for the Gaussian, whose peak is four times flatter. The worst
case for one location is every record on one point at a cell corner (records
geocoded to one street point): 0.25% of the peak at 20 cells (quartic; 0.39%
at 16, 1.0% at 10) and 0.22% at 10 cells (Gaussian; 0.35% at 8). Errors of
neighbouring stacked locations can add up, so the thresholds keep a margin:
the largest error measured on stacked towns from 20 (10) cells on was 0.35%.
Below them the surface is computed one of the two other ways of
:func:`kernel_density`, which stay within 0.5% of the peak.
"""

_DIRECT_COST = 10
"""Cost of one direct kernel evaluation relative to one FFT operation (measured)."""

_DIRECT_CHUNK = 4_000_000
"""Kernel values evaluated at once by the direct sum (about 100 MB of temporaries)."""


def _kernel_values(kernel: str, d2: np.ndarray, bandwidth: float) -> np.ndarray:
    """Kernel per m^2 at squared distances ``d2`` (the Gaussian cut at its truncation)."""
    if kernel == "quartic":
        t = d2 / bandwidth**2
        return np.where(t < 1.0, (1.0 - t) ** 2, 0.0) * (3.0 / (math.pi * bandwidth**2))
    k = np.exp(-d2 / (2.0 * bandwidth**2)) / (2.0 * math.pi * bandwidth**2)
    k[d2 > (GAUSSIAN_TRUNCATION * bandwidth) ** 2] = 0.0
    return k


def _sampled_kernel(kernel: str, bandwidth: float, cell: float) -> np.ndarray:
    """Kernel sampled at cell-centre offsets, per m^2, renormalised to integrate to 1."""
    half = int(math.floor(_support_radius(kernel, bandwidth) / cell))
    offsets = np.arange(-half, half + 1, dtype=np.float64) * cell
    k = _kernel_values(kernel, offsets[:, None] ** 2 + offsets[None, :] ** 2, bandwidth)
    return k / (k.sum() * cell * cell)


def _linear_bin(
    xy: np.ndarray, w: np.ndarray | None, x0: float, y1: float, n_rows: int, n_cols: int, cell: float
) -> np.ndarray:
    """Linear (cloud-in-cell) binning of weighted points onto cell centres.

    Each point's weight is split among the four surrounding cell centres in
    proportion to bilinear interpolation weights, which keeps the total weight
    and the weighted mean position exactly. Points whose four neighbours are
    not all on the grid are dropped (callers pad the grid so such points lie
    beyond the kernel's reach).
    """
    u = (xy[:, 0] - x0) / cell - 0.5
    v = (y1 - xy[:, 1]) / cell - 0.5
    j0 = np.floor(u)
    i0 = np.floor(v)
    fx = u - j0
    fy = v - i0
    keep = (j0 >= 0) & (j0 < n_cols - 1) & (i0 >= 0) & (i0 < n_rows - 1)
    if not keep.all():
        j0, i0, fx, fy = j0[keep], i0[keep], fx[keep], fy[keep]
        w = None if w is None else w[keep]
    flat = i0.astype(np.intp) * n_cols + j0.astype(np.intp)
    wy0 = 1.0 - fy
    if w is not None:
        wy0 = wy0 * w
        fy = fy * w
    size = n_rows * n_cols
    out = np.bincount(flat, (1.0 - fx) * wy0, minlength=size)
    out += np.bincount(flat + 1, fx * wy0, minlength=size)
    out += np.bincount(flat + n_cols, (1.0 - fx) * fy, minlength=size)
    out += np.bincount(flat + (n_cols + 1), fx * fy, minlength=size)
    return out.reshape(n_rows, n_cols)


def _fft_on_grid(
    xy: np.ndarray, w: np.ndarray | None, kernel: str, bandwidth: float, cell: float,
    x_min: float, y_max: float, n_rows: int, n_cols: int,
) -> np.ndarray:
    """Linear binning + FFT convolution: density per m^2 at the cell centres."""
    k = _sampled_kernel(kernel, bandwidth, cell)
    half = (k.shape[0] - 1) // 2
    pad = half + 1  # one more cell for the linear-binning spread
    binned = _linear_bin(
        xy, w, x_min - pad * cell, y_max + pad * cell, n_rows + 2 * pad, n_cols + 2 * pad, cell
    )
    # 'valid' output index i is centred on padded index i + half; we want
    # padded indices pad .. pad + n - 1, i.e. valid indices 1 .. n.
    dens = signal.fftconvolve(binned, k, mode="valid")[1:-1, 1:-1]
    peak = dens.max(initial=0.0)
    dens[dens < peak * _ROUNDOFF] = 0.0  # also clears FFT's tiny negative values
    return dens


def _occupied_locations(xy: np.ndarray, w: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Distinct locations and their total weight: stacked records are summed once."""
    order = np.lexsort((xy[:, 1], xy[:, 0]))
    s = xy[order]
    new = np.ones(s.shape[0], dtype=bool)
    new[1:] = (s[1:, 0] != s[:-1, 0]) | (s[1:, 1] != s[:-1, 1])
    group = np.cumsum(new) - 1
    weights = np.ones(s.shape[0]) if w is None else w[order]
    return s[new], np.bincount(group, weights=weights)


def _reach_in_cells(kernel: str, bandwidth: float, cell: float) -> int:
    """Cells from a point's own cell to the farthest cell centre its kernel reaches."""
    return int(math.ceil(_support_radius(kernel, bandwidth) / cell + 0.5))


def _stencil(kernel: str, bandwidth: float, cell: float) -> tuple[np.ndarray, np.ndarray]:
    """(row, column) offsets of the cells whose centre a point anywhere in cell (0, 0) can reach."""
    m = _reach_in_cells(kernel, bandwidth, cell)
    d = np.arange(-m, m + 1)
    di, dj = (a.ravel() for a in np.meshgrid(d, d, indexing="ij"))
    gap_i, gap_j = np.maximum(np.abs(di) - 0.5, 0.0), np.maximum(np.abs(dj) - 0.5, 0.0)
    near = gap_i**2 + gap_j**2 <= (_support_radius(kernel, bandwidth) / cell) ** 2
    return di[near], dj[near]


def _direct_on_grid(
    locations: np.ndarray, weights: np.ndarray, kernel: str, bandwidth: float, cell: float,
    x_min: float, y_max: float, n_rows: int, n_cols: int,
) -> np.ndarray:
    """Exact kernel sum at every cell centre, per m^2, over distinct locations.

    Each location adds the kernel evaluated exactly at the cell centres within
    its reach (the :func:`_stencil`, about ``pi (bandwidth / cell + 1)^2``
    cells for the quartic kernel); the cost is the occupied locations times it.
    """
    di, dj = _stencil(kernel, bandwidth, cell)
    out = np.zeros(n_rows * n_cols)
    col = np.floor((locations[:, 0] - x_min) / cell).astype(np.int64)
    row = np.floor((y_max - locations[:, 1]) / cell).astype(np.int64)
    step = max(1, _DIRECT_CHUNK // di.size)
    for a in range(0, locations.shape[0], step):
        i = row[a : a + step, None] + di
        j = col[a : a + step, None] + dj
        dx = x_min + (j + 0.5) * cell - locations[a : a + step, 0:1]
        dy = y_max - (i + 0.5) * cell - locations[a : a + step, 1:2]
        k = _kernel_values(kernel, dx * dx + dy * dy, bandwidth) * weights[a : a + step, None]
        keep = (i >= 0) & (i < n_rows) & (j >= 0) & (j < n_cols) & (k > 0)
        out += np.bincount(i[keep] * n_cols + j[keep], weights=k[keep], minlength=out.size)
    return out.reshape(n_rows, n_cols)


def _subgrid_factor(kernel: str, bandwidth: float, cell: float) -> int:
    """Sub-cells per cell side that put FFT_MIN_CELLS sub-cells in a bandwidth (1: the grid itself)."""
    return max(1, math.ceil(FFT_MIN_CELLS[kernel] * cell / bandwidth - 1e-9))


def _density_on_grid(
    xy: np.ndarray,
    w: np.ndarray | None,
    *,
    kernel: str,
    bandwidth: float,
    cell: float,
    x_min: float,
    y_max: float,
    n_rows: int,
    n_cols: int,
) -> np.ndarray:
    """Density per km^2 at the cell centres of the given grid (raster order).

    Within 0.5% of the surface's peak of the exact kernel sum at any
    bandwidth of at least one cell: see :data:`FFT_MIN_CELLS` and the
    "How it is computed" section of :func:`kernel_density`.
    """
    frame = (x_min, y_max, n_rows, n_cols)
    f = _subgrid_factor(kernel, bandwidth, cell)
    if f == 1:
        return _fft_on_grid(xy, w, kernel, bandwidth, cell, *frame) * _M2_PER_KM2
    locations, weights = _occupied_locations(xy, w)
    stencil = _stencil(kernel, bandwidth, cell)[0].size
    pad = 2 * (_reach_in_cells(kernel, bandwidth, cell / f) + 1)
    fine_cells = (n_rows * f + pad) * (n_cols * f + pad)
    # The cheaper of the two, counting a direct kernel evaluation (about ten
    # numpy temporaries) as ten FFT operations; both are within the bound.
    if _DIRECT_COST * locations.shape[0] * stencil <= fine_cells * math.log2(fine_cells) or fine_cells > MAX_CELLS:
        return _direct_on_grid(locations, weights, kernel, bandwidth, cell, *frame) * _M2_PER_KM2
    # Every cell centre is a sub-cell centre: with an even f the sub-grid starts half a sub-cell out.
    shift, extra = (0.5 * cell / f, 1) if f % 2 == 0 else (0.0, 0)
    fine = _fft_on_grid(
        locations, weights, kernel, bandwidth, cell / f, x_min - shift, y_max + shift, n_rows * f + extra, n_cols * f + extra
    )
    return fine[f // 2 :: f, f // 2 :: f] * _M2_PER_KM2


def kernel_density(
    points: npt.ArrayLike,
    *,
    bandwidth: float | Literal["auto"] = "auto",
    cell_size: float | None = None,
    kernel: str = "quartic",
    sample_weight: npt.ArrayLike | None = None,
    extent: tuple[float, float, float, float] | None = None,
) -> DensityGrid:
    """Kernel density of incident points on a square grid, per km^2.

    At the centre ``s`` of every cell the density is

    - ``"quartic"`` (biweight; Esri, CrimeStat):
      ``sum_i w_i * 3 / (pi r^2) * (1 - (d_i / r)^2)^2`` over points with
      ``d_i < r``, where ``r`` is the search radius ``bandwidth``;
    - ``"gaussian"`` (CrimeStat "normal"):
      ``sum_i w_i * exp(-d_i^2 / (2 h^2)) / (2 pi h^2)`` with ``h = bandwidth``
      the standard deviation (truncated at :data:`GAUSSIAN_TRUNCATION` ``h``),

    converted from per m^2 to per km^2 (times 1e6). Without weights the
    surface integrates to the number of points: ``density.sum() *
    cell_area_km2 == n`` when the grid covers every kernel.

    **How it is computed.** The surface is within 0.5% of its peak of the
    exact sum above for any bandwidth of at least one cell, stacked records
    included (many incidents geocoded to one street point), by the first of
    these that applies:

    1. A bandwidth of at least :data:`FFT_MIN_CELLS` cells (20 for the
       quartic kernel, 10 for the Gaussian): points are *linearly binned* onto
       the cell centres of a grid padded by the kernel's reach (each point's
       weight is shared by the four nearest centres with bilinear weights),
       then convolved by FFT with the kernel sampled at the centre offsets,
       rescaled to sum to exactly 1 (so the surface integrates to ``n``).
       Linear binning keeps each point's weight and mean position exactly;
       its error is second order, at worst about ``100 (cell / bandwidth)^2``
       percent of a kernel's peak (0.25% at 20 cells).
    2. A smaller bandwidth: whichever is cheaper of

       - the **direct sum** over the distinct locations (stacked records are
         summed once, with their total weight): each location adds the kernel
         evaluated exactly at the cell centres within its reach, so the cost
         is the occupied locations times about ``pi (bandwidth / cell + 1)^2``,
         small exactly when the bandwidth spans few cells; it is the exact sum;
       - linear binning and FFT on a **sub-grid** with enough sub-cells per
         cell side to put 20 (10) sub-cells in a bandwidth, laid so that every
         cell centre is a sub-cell centre, read there.

       Here the kernel is not rescaled: the surface is the kernel sum at the
       cell centres, which integrates to ``n`` only up to the Riemann-sum error of the
       kernel (under 0.1% from 5 cells per bandwidth, several percent at 1-2
       cells, where a point's mass depends on where it sits in its cell).

    Values below ``1e-12`` of the peak are FFT round-off and are set to 0, so
    cells beyond every quartic kernel are exactly 0. ``docs/methods.md``
    gives the measured error at each bandwidth/cell ratio.

    Parameters
    ----------
    points : array-like of shape (n, 2)
        x, y of incidents in metres (EPSG:32616 for Belize).
    bandwidth : float or "auto", default "auto"
        Search radius (quartic) or standard deviation (Gaussian), metres.
        ``"auto"`` uses :func:`silverman_bandwidth` on the (weighted) points.
    cell_size : float, optional
        Cell side in metres. Default: the shorter side of the extent / 250,
        as in Esri's tool.
    kernel : {"quartic", "gaussian"}, default "quartic"
        Kernel shape.
    sample_weight : array-like of shape (n,), optional
        Non-negative weight per point (Esri's population field), e.g. number
        of victims. Default: 1 per point.
    extent : tuple (xmin, ymin, xmax, ymax), optional
        Area to map, metres. The grid covers it with whole cells whose edges
        lie on the multiples of ``cell_size``
        (:func:`spatial_analysis.grids.align_extent`, the rule
        :func:`~spatial_analysis.grids.square_grid` follows, so both give the
        same cells), reaching past it by less than a cell on each side.
        Points outside still contribute to cells within their kernel's reach.
        Default: the points' bounding box padded by the kernel's support
        radius (one bandwidth for the quartic kernel, 4 bandwidths for the
        Gaussian) plus one cell, so that no density mass falls off the grid.

    Returns
    -------
    DensityGrid
        Density per km^2, row 0 = north edge.

    Raises
    ------
    ValueError
        Bad shapes, non-finite coordinates, degrees instead of metres, an
        unknown kernel, non-positive sizes, an "auto" bandwidth for identical
        points, or a grid above :data:`MAX_CELLS`.
    TypeError
        Non-numeric parameters.

    Warns
    -----
    UserWarning
        When the bandwidth is under one cell (the surface is then little more
        than binned counts), when all points coincide, or when all weights
        are zero.

    References
    ----------
    Esri, "How Kernel Density works", ArcGIS Pro Spatial Analyst (quartic
    kernel, spatial Silverman rule, default cell size).
    Levine, N. (2015). *CrimeStat IV*, chapter 10, "Kernel Density
    Interpolation".
    Wand, M. P. (1994). Fast computation of multivariate kernel estimators.
    *Journal of Computational and Graphical Statistics* 3(4), 433-445
    (linear binning and FFT convolution).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> pts = rng.normal([300_000, 1_900_000], 500, size=(1000, 2))
    >>> grid = kernel_density(pts, bandwidth=400, cell_size=50)
    >>> grid.kernel, grid.bandwidth, grid.cell_size
    ('quartic', 400.0, 50.0)
    >>> round(grid.integral(), 1)  # density per km^2 x km^2 per cell = n, up to 0.0002%
    1000.0
    """
    xy = check_points(points)
    check_projected_metres(xy)
    kern = _check_kernel(kernel)
    w = check_weights(sample_weight, xy.shape[0])
    h = _check_bandwidth(bandwidth)
    ext = None if extent is None else check_extent(extent)
    cell = None if cell_size is None else check_positive(cell_size, name="cell_size")

    total = float(xy.shape[0]) if w is None else float(w.sum())
    identical = xy.shape[0] > 1 and bool((xy[:, 0] == xy[0, 0]).all() and (xy[:, 1] == xy[0, 1]).all())
    if h is None:
        if total == 0.0:
            raise ValueError("bandwidth='auto' cannot be estimated: sample_weight is all zeros")
        h = _silverman(xy, w)
    elif identical:
        warnings.warn(
            f"all {xy.shape[0]} points are identical; the density is a single kernel", stacklevel=2
        )
    if total == 0.0:
        warnings.warn("sample_weight is all zeros; the density is 0 everywhere", stacklevel=2)

    if ext is None:
        reach = _support_radius(kern, h)
        x, y = xy[:, 0], xy[:, 1]  # column-wise: faster than axis=0 reductions
        lo = np.array([x.min(), y.min()]) - reach
        hi = np.array([x.max(), y.max()]) + reach
        if cell is None:
            cell = float(min(hi - lo)) / 250.0
        ext = (*(lo - cell), *(hi + cell))
    elif cell is None:
        cell = min(ext[2] - ext[0], ext[3] - ext[1]) / 250.0
    if h < cell:
        warnings.warn(
            f"bandwidth {h:.6g} m is smaller than cell_size {cell:.6g} m; the surface is little more than "
            "binned counts. Use a smaller cell_size or a larger bandwidth",
            stacklevel=2,
        )
    (xmin, ymin, xmax, ymax), _, _ = align_extent(ext, cell)
    n_rows, n_cols = _grid_shape(xmax - xmin, ymax - ymin, cell)
    dens = _density_on_grid(
        xy, w, kernel=kern, bandwidth=h, cell=cell, x_min=xmin, y_max=ymax, n_rows=n_rows, n_cols=n_cols
    )
    return DensityGrid(dens, x_min=xmin, y_max=ymax, cell_size=cell, bandwidth=h, kernel=kern, n_points=xy.shape[0])


# --------------------------------------------------------------------------- reading the surface

READ_MODES = ("centroid", "mean")


def _bilinear(grid: DensityGrid, xy: np.ndarray) -> np.ndarray:
    """Bilinear interpolation between cell centres (exact at a centre, clamped at the rim)."""
    n_rows, n_cols = grid.shape
    u = np.clip((xy[:, 0] - grid.x_min) / grid.cell_size - 0.5, 0.0, n_cols - 1.0)
    v = np.clip((grid.y_max - xy[:, 1]) / grid.cell_size - 0.5, 0.0, n_rows - 1.0)
    j0 = np.minimum(np.floor(u).astype(np.intp), max(n_cols - 2, 0))
    i0 = np.minimum(np.floor(v).astype(np.intp), max(n_rows - 2, 0))
    j1, i1 = np.minimum(j0 + 1, n_cols - 1), np.minimum(i0 + 1, n_rows - 1)
    fx, fy = u - j0, v - i0
    z = grid.density
    top = z[i0, j0] * (1 - fx) + z[i0, j1] * fx
    bottom = z[i1, j0] * (1 - fx) + z[i1, j1] * fx
    return top * (1 - fy) + bottom * fy


def density_at(
    grid: DensityGrid,
    cells: gpd.GeoDataFrame | gpd.GeoSeries | npt.ArrayLike,
    *,
    how: Literal["centroid", "mean"] = "centroid",
) -> np.ndarray:
    """The density surface read at given cells: one value per cell, in their order.

    Parameters
    ----------
    grid : DensityGrid
        A surface from :func:`kernel_density`.
    cells : GeoDataFrame or GeoSeries of polygons or points, or array of shape (n, 2)
        Where to read, in the grid's projected CRS (metres): a tessellation
        from :mod:`spatial_analysis.grids`, boundary polygons, or points.
    how : {"centroid", "mean"}, default "centroid"
        ``"centroid"``: the surface at each geometry's centroid, interpolated
        bilinearly between cell centres (exact where the centroid is a cell
        centre, as for a :func:`~spatial_analysis.grids.square_grid` of the
        grid's cell size: both follow one origin rule). ``"mean"``: the mean
        of the grid cells whose centre lies in each polygon (on its boundary
        included); a polygon that holds no cell centre gets its centroid
        value. Use ``"mean"`` for polygons larger than a grid cell.

    Returns
    -------
    numpy.ndarray of shape (n,)
        Density per km^2 (or the surface's unit).

    Raises
    ------
    ValueError
        A geographic or missing CRS, an unknown ``how``, or cells whose
        centroid lies outside the grid's extent (build the grid with an
        ``extent`` that covers them).

    Examples
    --------
    >>> from spatial_analysis.grids import square_grid
    >>> pts = [[300_050.0, 1_900_050.0]]
    >>> grid = kernel_density(pts, bandwidth=300, cell_size=100, extent=(299_500, 1_899_500, 300_600, 1_900_600))
    >>> cells = square_grid(100, extent=(299_800, 1_899_800, 300_300, 1_900_300), crs="EPSG:32616")
    >>> at = density_at(grid, cells)
    >>> i, j = np.unravel_index(grid.density.argmax(), grid.shape)
    >>> bool(at.max() == grid.density[i, j]), round(float(at.max()), 3)  # 3 / (pi 0.3^2) per km^2
    (True, 10.61)
    """
    if not isinstance(grid, DensityGrid):
        raise TypeError(f"grid must be a DensityGrid; got {type(grid).__name__}")
    mode = check_choice(how, READ_MODES, name="how")
    if isinstance(cells, gpd.GeoDataFrame | gpd.GeoSeries):
        check_geodataframe_projected(cells, name="cells")
        geoms = np.asarray(cells.geometry if isinstance(cells, gpd.GeoDataFrame) else cells)
        if shapely.is_empty(geoms).any():
            raise ValueError(f"cells has an empty geometry at row {int(np.flatnonzero(shapely.is_empty(geoms))[0])}")
        centroids = shapely.get_coordinates(shapely.centroid(geoms))
    else:
        centroids = check_points(cells, name="cells", min_points=0)
        check_projected_metres(centroids, name="cells")
        geoms = None
    x0, y0, x1, y1 = grid.extent
    outside = (centroids[:, 0] < x0) | (centroids[:, 0] > x1) | (centroids[:, 1] < y0) | (centroids[:, 1] > y1)
    if outside.any():
        raise ValueError(
            f"cells: {int(outside.sum())} of {len(centroids)} centroids lie outside the density grid's extent "
            f"{tuple(round(v, 1) for v in grid.extent)}; compute the grid with an extent that covers the cells"
        )
    values = _bilinear(grid, centroids)
    if mode == "centroid" or geoms is None:
        return values
    x, y = grid.cell_centres()
    centres = shapely.points(x.ravel(), y.ravel())
    cell_idx, centre_idx = shapely.STRtree(centres).query(geoms, predicate="intersects")
    n = len(geoms)
    sums = np.bincount(cell_idx, weights=grid.density.ravel()[centre_idx], minlength=n)
    counts = np.bincount(cell_idx, minlength=n)
    held = counts > 0
    values[held] = sums[held] / counts[held]
    return values


# --------------------------------------------------------------------------- estimator


class KernelDensity(Estimator):
    """Kernel density estimator with a scikit-learn shape.

    Same method and defaults as :func:`kernel_density`; ``__init__`` only stores
    the parameters and :meth:`fit` validates them.

    Parameters
    ----------
    bandwidth : float or "auto", default "auto"
        Search radius (quartic) or standard deviation (Gaussian), metres;
        "auto" is :func:`silverman_bandwidth`.
    cell_size : float, optional
        Cell side, metres. Default: shorter extent side / 250.
    kernel : {"quartic", "gaussian"}, default "quartic"
        Kernel shape.
    extent : tuple (xmin, ymin, xmax, ymax), optional
        Area to map, metres. Default: the points' bounding box padded by the
        kernel's reach.

    Attributes
    ----------
    bandwidth_ : float
        Bandwidth used, metres.
    cell_size_ : float
        Cell size used, metres.
    grid_ : DensityGrid
        The fitted surface (raster order, per km^2).
    density_ : numpy.ndarray of shape (n_rows, n_cols)
        ``grid_.density``.
    n_features_in_ : int
        Always 2 (x, y).

    See Also
    --------
    kernel_density : the same as a one-shot function.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(1)
    >>> pts = rng.normal([300_000, 1_900_000], 800, size=(500, 2))
    >>> kde = KernelDensity(cell_size=100).fit(pts)
    >>> round(kde.bandwidth_) == round(silverman_bandwidth(pts))
    True
    >>> kde.density_.shape == kde.grid_.shape
    True
    """

    def __init__(
        self,
        *,
        bandwidth: float | Literal["auto"] = "auto",
        cell_size: float | None = None,
        kernel: str = "quartic",
        extent: tuple[float, float, float, float] | None = None,
    ) -> None:
        self.bandwidth = bandwidth
        self.cell_size = cell_size
        self.kernel = kernel
        self.extent = extent

    def fit(self, X: npt.ArrayLike, y: None = None, *, sample_weight: npt.ArrayLike | None = None) -> KernelDensity:
        """Compute the density surface of the points ``X``.

        Parameters
        ----------
        X : array-like of shape (n, 2), or GeoSeries/GeoDataFrame of points
            x, y in metres.
        y : None
            Not used; must be None (a weight array goes in ``sample_weight``).
        sample_weight : array-like of shape (n,), optional
            Non-negative weight per point. Keyword-only so that a weight array
            can never be taken for ``y``.

        Returns
        -------
        KernelDensity
            self, fitted.
        """
        if y is not None:
            raise TypeError(f"y is not used by KernelDensity and must be None; got {type(y).__name__}")
        xy, _ = check_coordinates(X, name="X")
        grid = kernel_density(
            xy,
            bandwidth=self.bandwidth,
            cell_size=self.cell_size,
            kernel=self.kernel,
            sample_weight=sample_weight,
            extent=self.extent,
        )
        self.grid_ = grid
        self.bandwidth_ = grid.bandwidth
        self.cell_size_ = grid.cell_size
        self.density_ = grid.density
        self.n_features_in_ = 2
        return self


# --------------------------------------------------------------------------- contour bands

DEFAULT_TOP_SHARES = (0.01, 0.05, 0.10)
"""Top 1%, 5% and 10% of the area with non-zero density."""

_BAND_COLUMNS = ["band", "top_share", "threshold", "area_km2", "mass_share"]


def _check_shares(values: object, *, name: str, low_open: bool, high_closed: bool) -> np.ndarray:
    try:
        arr = np.atleast_1d(np.asarray(values, dtype=np.float64))
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a sequence of numbers; got {values!r}") from None
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D sequence; got {values!r}")
    ok = np.isfinite(arr) & (arr > 0 if low_open else arr >= 0) & (arr <= 1 if high_closed else arr < 1)
    if not ok.all():
        rng = ("(0, " if low_open else "[0, ") + ("1]" if high_closed else "1)")
        raise ValueError(f"{name} must all lie in {rng}; got {values!r}")
    return arr


def _filled_multipolygon(grid: DensityGrid, threshold: float) -> shapely.MultiPolygon:
    """Region where the bilinearly interpolated surface is >= threshold, clipped to the grid."""
    c = grid.cell_size
    z = np.pad(grid.density[::-1], 1)  # south-to-north rows, ring of zeros
    xs = np.concatenate(([grid.x_centres[0] - c], grid.x_centres, [grid.x_centres[-1] + c]))
    yc = grid.y_centres[::-1]
    ys = np.concatenate(([yc[0] - c], yc, [yc[-1] + c]))
    gen = contourpy.contour_generator(xs, ys, z, name="serial", fill_type=contourpy.FillType.OuterOffset)
    points, offsets = gen.filled(threshold, np.inf)
    polys = []
    for pts, offs in zip(points, offsets):
        rings = [pts[offs[i] : offs[i + 1]] for i in range(len(offs) - 1)]
        rings = [r for r in rings if len(r) >= 4]
        if rings:
            polys.append(shapely.Polygon(rings[0], rings[1:]))
    geom = shapely.MultiPolygon(polys) if polys else shapely.MultiPolygon()
    geom = shapely.intersection(geom, shapely.box(*grid.extent))
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    parts = [g for g in shapely.get_parts(geom) if isinstance(g, shapely.Polygon) and not g.is_empty]
    if not parts:  # make_valid may return collections; keep the polygonal parts only
        parts = [
            p
            for g in shapely.get_parts(geom)
            for p in shapely.get_parts(g)
            if isinstance(p, shapely.Polygon) and not p.is_empty
        ]
    return shapely.MultiPolygon(parts)


def density_bands(
    grid: DensityGrid,
    *,
    top_shares: npt.ArrayLike | None = None,
    quantiles: npt.ArrayLike | None = None,
    thresholds: npt.ArrayLike | None = None,
    crs: str | pyproj.CRS = "EPSG:32616",
) -> gpd.GeoDataFrame:
    """Hot-area polygons: where the density is above a threshold, one row per band.

    Bands are **cumulative** (nested): the "top 5%" polygon contains the
    "top 1%" polygon. This is what a map legend of the kind "top 1% / 5% / 10%
    of the area" needs; draw them in reverse band order (widest first) so the
    hottest band stays on top.

    The thresholds come from one of three choices (give at most one):

    - ``top_shares`` (default ``(0.01, 0.05, 0.10)``): the share of the cells
      with non-zero density to keep. For a share ``s`` of ``m`` non-zero
      cells, the threshold is the density of the ``ceil(s * m)``-th densest
      cell.
    - ``quantiles``: quantiles of the non-zero cell densities (``0.95`` is the
      same area as ``top_shares=0.05``, with ``numpy.quantile``'s linear
      interpolation).
    - ``thresholds``: explicit densities per km^2.

    Polygons are traced with contourpy's filled contours on the cell-centre
    lattice (marching squares on the bilinear surface), with a ring of zero
    cells around the grid so every region closes, then clipped to the grid
    extent. We chose contours over polygonising the classified raster
    (``rasterio.features.shapes``) because the boundary follows the density
    surface itself instead of a staircase of 250 m cell edges, and contourpy
    is a declared dependency while rasterio is not. The price: the polygon
    area is the area above the threshold on the interpolated surface, close
    to, but not exactly, ``share x non-zero cells x cell area``.

    Parameters
    ----------
    grid : DensityGrid
        A surface from :func:`kernel_density` (or :func:`dual_kernel_density`).
    top_shares : sequence of float in (0, 1], optional
        Shares of the non-zero-density area. Default ``(0.01, 0.05, 0.10)``.
    quantiles : sequence of float in [0, 1), optional
        Quantiles of the non-zero densities.
    thresholds : sequence of float > 0, optional
        Density thresholds per km^2.
    crs : str or pyproj.CRS, default "EPSG:32616"
        CRS of the grid's coordinates; must be projected (metres).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per band, hottest first, with columns

        - ``band`` (int): 1 = hottest (highest threshold);
        - ``top_share`` (float): share of non-zero cells at or above the
          threshold (the requested share, ``1 - quantile``, or the observed
          share for explicit thresholds);
        - ``threshold`` (float): density per km^2;
        - ``area_km2`` (float): area of the polygons;
        - ``mass_share`` (float): share of the surface's total held by the
          cells at or above the threshold (for an incident KDE, about the
          share of incidents);
        - ``geometry``: a valid MultiPolygon in metres (empty if nothing
          reaches the threshold).

    Raises
    ------
    ValueError
        More than one of the threshold choices, values out of range, or a
        geographic CRS.

    Warns
    -----
    UserWarning
        If the grid has no non-zero density (an empty frame is returned).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(2)
    >>> pts = rng.normal([300_000, 1_900_000], 1_000, size=(2000, 2))
    >>> grid = kernel_density(pts, bandwidth=800, cell_size=50)
    >>> bands = density_bands(grid)
    >>> bands[["band", "top_share"]].to_numpy().tolist()
    [[1.0, 0.01], [2.0, 0.05], [3.0, 0.1]]
    >>> bool(bands.geometry.is_valid.all()), list(bands.geom_type.unique())
    (True, ['MultiPolygon'])
    >>> bool(bands.area_km2.is_monotonic_increasing)  # cumulative bands
    True
    """
    if not isinstance(grid, DensityGrid):
        raise TypeError(f"grid must be a DensityGrid; got {type(grid).__name__}")
    crs_obj = check_crs(crs)
    if crs_obj is None:
        raise ValueError("crs must be a projected CRS in metres (EPSG:32616 for Belize); got None")
    chosen = [name for name, v in (("top_shares", top_shares), ("quantiles", quantiles), ("thresholds", thresholds)) if v is not None]
    if len(chosen) > 1:
        raise ValueError(f"give only one of top_shares, quantiles, thresholds; got {', '.join(chosen)}")

    z = grid.density
    positive = np.sort(z[z > 0])[::-1]
    m = positive.size
    if m == 0:
        warnings.warn("the density grid is zero everywhere; no bands to draw", stacklevel=2)
        return gpd.GeoDataFrame({c: [] for c in _BAND_COLUMNS}, geometry=gpd.GeoSeries([], crs=crs_obj), crs=crs_obj)

    if thresholds is not None:
        thr = np.atleast_1d(np.asarray(thresholds, dtype=np.float64))
        if thr.ndim != 1 or thr.size == 0 or not (np.isfinite(thr) & (thr > 0)).all():
            raise ValueError(f"thresholds must be a non-empty sequence of finite densities > 0; got {thresholds!r}")
        shares = np.array([np.count_nonzero(positive >= t) / m for t in thr])
    elif quantiles is not None:
        q = _check_shares(quantiles, name="quantiles", low_open=False, high_closed=False)
        thr = np.quantile(positive, q)
        shares = 1.0 - q
    else:
        shares = _check_shares(
            DEFAULT_TOP_SHARES if top_shares is None else top_shares, name="top_shares", low_open=True, high_closed=True
        )
        k = np.maximum(1, np.ceil(shares * m - 1e-9).astype(np.intp))
        thr = positive[np.minimum(k, m) - 1]

    order = np.argsort(-thr, kind="stable")
    thr, shares = thr[order], shares[order]
    total = float(positive.sum())
    rows = []
    for band, (t, s) in enumerate(zip(thr, shares), start=1):
        geom = _filled_multipolygon(grid, float(t))
        rows.append(
            {
                "band": band,
                "top_share": float(s),
                "threshold": float(t),
                "area_km2": geom.area / _M2_PER_KM2,
                "mass_share": float(positive[positive >= t].sum() / total),
                "geometry": geom,
            }
        )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=crs_obj)


# --------------------------------------------------------------------------- dual KDE

DUAL_METHODS = ("ratio", "difference")


def dual_kernel_density(
    events: npt.ArrayLike,
    population_points: npt.ArrayLike,
    *,
    population_weight: npt.ArrayLike | None = None,
    bandwidth: float | Literal["auto"] = "auto",
    cell_size: float | None = None,
    kernel: str = "quartic",
    sample_weight: npt.ArrayLike | None = None,
    extent: tuple[float, float, float, float] | None = None,
    method: str = "ratio",
    floor: float | None = None,
) -> DensityGrid:
    """Risk-adjusted (dual) kernel density: incidents relative to the population at risk.

    Both surfaces use the same grid, kernel and bandwidth: the incidents'
    grid and bandwidth as :func:`kernel_density` would choose them (the
    "auto" bandwidth comes from the incidents). Then

    - ``method="ratio"`` (CrimeStat "ratio of densities"):
      ``events_density / population_density``, i.e. incidents per unit of
      population weight (per resident if the weights are head counts). The
      ratio is unstable where hardly anyone lives, so cells whose population
      density is below ``floor`` are set to 0 ("no population at risk, no
      rate") instead of dividing by almost nothing; a warning says how many
      cells with incidents were dropped that way.
    - ``method="difference"`` (CrimeStat "relative difference", rescaled):
      ``events_density - population_density * E / P`` with ``E`` and ``P``
      the total incident and population weights: the excess incidents per
      km^2 above what the population alone would predict. Negative where
      there are fewer incidents than expected. No floor is needed.

    Parameters
    ----------
    events : array-like of shape (n, 2)
        Incident x, y in metres.
    population_points : array-like of shape (m, 2)
        Population x, y in metres (e.g. census block or building centroids).
    population_weight : array-like of shape (m,), optional
        Population at each point. Default: 1 per point.
    bandwidth, cell_size, kernel, extent
        As in :func:`kernel_density`, applied to both surfaces.
    sample_weight : array-like of shape (n,), optional
        Weight per incident. Default 1.
    method : {"ratio", "difference"}, default "ratio"
        How to combine the two surfaces.
    floor : float, optional
        Ratio only: smallest population density (population per km^2) for
        which a rate is computed. Default: 1% of the peak population density.

    Returns
    -------
    DensityGrid
        ``density`` holds the ratio (incidents per unit population; not per
        km^2) or the difference (incidents per km^2) on the incidents' grid.
        ``kernel``, ``bandwidth`` and ``n_points`` (incidents) describe the run.

    Raises
    ------
    ValueError
        Invalid inputs as in :func:`kernel_density`, an unknown ``method``,
        a non-positive ``floor``, or a population that sums to zero.

    References
    ----------
    Levine, N. (2015). *CrimeStat IV*, chapter 10, "Dual Kernel Density
    Interpolation".
    Kelsall, J. E. and Diggle, P. J. (1995). Non-parametric estimation of
    spatial variation in relative risk. *Statistics in Medicine* 14,
    2335-2342.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(3)
    >>> people = rng.uniform([300_000, 1_900_000], [305_000, 1_905_000], size=(4000, 2))
    >>> incidents = people[rng.choice(4000, 400, replace=False)]  # 1 in 10 people
    >>> risk = dual_kernel_density(incidents, people, bandwidth=1500, cell_size=100,
    ...                            extent=(301_000, 1_901_000, 304_000, 1_904_000))
    >>> bool(abs(np.median(risk.density) - 0.1) < 0.02)
    True
    """
    if not isinstance(method, str) or method not in DUAL_METHODS:
        raise ValueError(f"method must be one of {DUAL_METHODS}; got {method!r}")
    pop = check_points(population_points, name="population_points")
    check_projected_metres(pop, name="population_points")
    pw = check_weights(population_weight, pop.shape[0], name="population_weight")
    pop_total = float(pop.shape[0]) if pw is None else float(pw.sum())
    if not pop_total > 0:
        raise ValueError("population_weight must not sum to zero; got all-zero weights")
    fl = None if floor is None else check_positive(floor, name="floor")

    ev = kernel_density(
        events, bandwidth=bandwidth, cell_size=cell_size, kernel=kernel, sample_weight=sample_weight, extent=extent
    )
    n_rows, n_cols = ev.shape
    pop_dens = _density_on_grid(
        pop,
        pw,
        kernel=ev.kernel,
        bandwidth=ev.bandwidth,
        cell=ev.cell_size,
        x_min=ev.x_min,
        y_max=ev.y_max,
        n_rows=n_rows,
        n_cols=n_cols,
    )
    if method == "difference":
        ev_total = float(ev.n_points) if sample_weight is None else float(np.sum(sample_weight))
        out = ev.density - pop_dens * (ev_total / pop_total)
    else:
        if fl is None:
            fl = 0.01 * float(pop_dens.max())
        ok = pop_dens >= fl if fl > 0 else pop_dens > 0
        dropped = int(np.count_nonzero((ev.density > 0) & ~ok))
        if dropped:
            warnings.warn(
                f"{dropped} cell(s) with incidents have a population density below the floor "
                f"({fl:.6g} per km^2); their ratio is set to 0",
                stacklevel=2,
            )
        out = np.zeros_like(ev.density)
        np.divide(ev.density, pop_dens, out=out, where=ok)
    return DensityGrid(
        out, x_min=ev.x_min, y_max=ev.y_max, cell_size=ev.cell_size, bandwidth=ev.bandwidth, kernel=ev.kernel, n_points=ev.n_points
    )
