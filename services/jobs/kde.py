"""Kernel density job: incidents -> density surface -> top-share bands -> KdeContour rows."""

from __future__ import annotations

from dataclasses import dataclass

from geo_bco.models import AnalysisRun, KdeContour
from spatial_analysis.kde import density_bands, kernel_density

from ..params import param
from .result import JobResult, require
from .selection import IncidentFilter, load_incidents
from .writing import copy_layer

#: Below this a density surface says more about the bandwidth than about the crime.
MIN_POINTS = 10


@dataclass(frozen=True)
class KdeParams:
    bandwidth: float | None = param(None, "search radius in metres", default_text="Esri's spatial Silverman rule", above=0)
    cell_size: float | None = param(None, "cell size in metres", default_text="shorter extent side / 250", above=0)
    kernel: str = param("quartic", "kernel shape", choices=("quartic", "gaussian"))
    top_shares: tuple[float, ...] = param((0.01, 0.05, 0.10), "shares of the area the bands cover", above=0, maximum=1)


def run(run: AnalysisRun, params: KdeParams, flt: IncidentFilter) -> JobResult:
    points = load_incidents(flt).xy
    require(len(points), MIN_POINTS, "kernel density")
    grid = kernel_density(points, bandwidth=params.bandwidth or "auto", cell_size=params.cell_size, kernel=params.kernel)
    bands = density_bands(grid, top_shares=tuple(sorted(params.top_shares)), crs="EPSG:32616")
    bands = bands[~bands.geometry.is_empty]
    rows = copy_layer(KdeContour, run, {
        "band": bands["band"].to_numpy(), "top_share": bands["top_share"].to_numpy(),
        "threshold": bands["threshold"].to_numpy(), "area_km2": bands["area_km2"].to_numpy(),
        "incident_share": bands["mass_share"].to_numpy(),
    }, bands.geometry.to_numpy())
    resolved = {"bandwidth": grid.bandwidth, "cell_size": grid.cell_size, "kernel": params.kernel,
                "top_shares": sorted(params.top_shares)}
    log = [
        f"{len(points)} incidents, projected to EPSG:32616",
        f"bandwidth {grid.bandwidth:.0f} m ({'given' if params.bandwidth else 'Esri spatial Silverman rule'})",
        f"cell size {grid.cell_size:.0f} m ({'given' if params.cell_size else 'shorter extent side / 250'})",
        f"{params.kernel} kernel; bands cover the top {', '.join(f'{s:.0%}' for s in sorted(params.top_shares))} "
        "of the area with non-zero density",
    ]
    return JobResult(len(points), resolved, log, rows)
