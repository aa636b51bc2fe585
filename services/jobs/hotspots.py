"""Gi* hot spot job: incidents counted per cell -> Getis-Ord Gi* with the Optimized
Hot Spot Analysis scale and FDR -> HotSpotCell rows. The scale decision log is kept
on the run, as ArcGIS prints it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from geo_bco.models import AnalysisRun, HotSpotCell
from spatial_analysis.hotspots import OHSA_MIN_FEATURES, gi_star

from ..params import param
from .cells import CellParams, cell_of, describe_cells, study_cells
from .result import JobResult, require, warnings_to_log
from .selection import IncidentFilter, load_incidents
from .writing import copy_layer

#: Esri's Optimized Hot Spot Analysis minimum for a bounded study area.
MIN_POINTS = 30


@dataclass(frozen=True)
class HotSpotParams(CellParams):
    distance: float | None = param(None, "neighbourhood distance band in metres", default_text="OHSA's scale rule",
                                   above=0)
    fdr: bool = param(True, "judge significance with the False Discovery Rate correction")


def run(run: AnalysisRun, params: HotSpotParams, flt: IncidentFilter) -> JobResult:
    incidents = load_incidents(flt)
    require(len(incidents), MIN_POINTS, "Optimized Hot Spot Analysis")
    cells = study_cells(params, flt)
    pos = cell_of(cells, incidents.xy)
    counts = np.bincount(pos[pos >= 0], minlength=len(cells))
    log = [f"{len(incidents)} incidents; {describe_cells(params, len(cells))}; "
           f"{int((pos < 0).sum())} incident(s) outside every cell"]
    centroids = np.column_stack([cells.geometry.centroid.x, cells.geometry.centroid.y])
    # OHSA's 30-cell minimum belongs to its scale rule; with a distance given (Esri's plain
    # Hot Spot Analysis) any set of polygons will do, the six districts included.
    min_features = OHSA_MIN_FEATURES if params.distance is None else None
    with warnings_to_log(log):
        res = gi_star(centroids, counts, distance=params.distance, fdr=params.fdr, zero_cells="keep",
                      min_features=min_features)
    log.extend(res.decision_log)
    # Cells with no incident that are not significant carry no information worth serving.
    keep = (counts > 0) | (res.confidence_bins != 0)
    rows = copy_layer(HotSpotCell, run, {
        "cell": cells["cell"].to_numpy()[keep], "name": cells["name"].to_numpy()[keep],
        "incident_count": counts[keep], "z_score": res.z_scores[keep], "p_value": res.p_values[keep],
        "p_value_fdr": res.p_values_fdr[keep], "confidence_bin": res.confidence_bins[keep],
        "n_neighbours": res.n_neighbours[keep],
    }, cells.geometry.to_numpy()[keep])
    log.append(f"{rows:,} cells stored (every cell with an incident or a significant score)")
    resolved = {"cells": params.cells, "cell_size": params.cell_size if params.cells != "boundary" else None,
                "boundary_set": params.boundary_set if params.cells == "boundary" else None,
                "distance": res.distance, "fdr": params.fdr, "n_cells": len(cells),
                "scale_rule": res.scale.method if res.scale else "given"}
    return JobResult(len(incidents), resolved, log, rows)
