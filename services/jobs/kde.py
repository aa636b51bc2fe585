"""Kernel density job: incidents -> density surface -> top-share bands -> KdeContour rows."""

from __future__ import annotations

import geopandas as gpd
from django.contrib.gis.geos import GEOSGeometry

from geo_bco.models import AnalysisRun, KdeContour
from spatial_analysis.kde import density_bands, kernel_density

from .selection import select_incidents, utm_coordinates

DEFAULTS = {"bandwidth": "auto", "cell_size": None, "kernel": "quartic", "top_shares": [0.01, 0.05, 0.10]}
#: Below this a density surface says more about the bandwidth than about the crime.
MIN_POINTS = 10


def run(run: AnalysisRun) -> tuple[int, dict, list[str]]:
    params = {**DEFAULTS, **run.parameters}
    points = utm_coordinates(select_incidents(run.input_filter))
    if len(points) < MIN_POINTS:
        raise ValueError(f"kernel density needs at least {MIN_POINTS} incidents; the filter selected {len(points)}")
    grid = kernel_density(points, bandwidth=params["bandwidth"], cell_size=params["cell_size"], kernel=params["kernel"])
    bands: gpd.GeoDataFrame = density_bands(grid, top_shares=tuple(params["top_shares"]), crs="EPSG:32616").to_crs(4326)
    KdeContour.objects.bulk_create(
        KdeContour(
            run=run, band=int(b.band), top_share=float(b.top_share), threshold=float(b.threshold),
            area_km2=float(b.area_km2), incident_share=float(b.mass_share), geom=GEOSGeometry(b.geometry.wkb_hex, srid=4326),
        )
        for b in bands.itertuples(index=False)
        if not b.geometry.is_empty
    )
    resolved = {**params, "bandwidth": grid.bandwidth, "cell_size": grid.cell_size}
    log = [
        f"{len(points)} incidents, projected to EPSG:32616",
        f"bandwidth {grid.bandwidth:.0f} m ({'Esri spatial Silverman rule' if params['bandwidth'] == 'auto' else 'given'})",
        f"cell size {grid.cell_size:.0f} m ({'shorter extent side / 250' if params['cell_size'] is None else 'given'})",
        f"{params['kernel']} kernel; bands cover the top {', '.join(f'{s:.0%}' for s in params['top_shares'])} "
        "of the area with non-zero density",
    ]
    return len(points), resolved, log
