"""Emerging hot spot job: a space-time cube of counts per cell and time step ->
space-time Gi* + Mann-Kendall trend -> Esri's 17 categories -> EmergingCell rows."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from geo_bco.models import AnalysisRun, EmergingCell
from spatial_analysis.emerging import emerging_hot_spots

from ..params import param
from .cells import CellParams, cell_of, describe_cells, study_cells
from .result import JobResult, TooFewIncidents, require, warnings_to_log
from .selection import IncidentFilter, belize_dates, load_incidents
from .writing import copy_layer

MIN_POINTS = 30


@dataclass(frozen=True)
class EmergingParams(CellParams):
    step: str = param("month", "length of a time step", choices=("week", "month", "quarter"))
    steps: int = param(24, "number of most recent time steps analysed", minimum=2, maximum=520)
    distance: float | None = param(None, "neighbourhood distance band in metres", default_text="OHSA's scale rule",
                                   above=0)
    time_step_window: int = param(1, "previous time steps in each neighbourhood", minimum=0, maximum=12)


def step_index(days: np.ndarray, step: str) -> np.ndarray:
    """Calendar step number of each Belize date (months and quarters follow the calendar)."""
    if step == "week":
        return (days.astype("datetime64[D]").astype(np.int64) + 3) // 7  # weeks start on Monday
    months = days.astype("datetime64[M]").astype(np.int64)
    return months if step == "month" else months // 3


def run(run: AnalysisRun, params: EmergingParams, flt: IncidentFilter) -> JobResult:
    incidents = load_incidents(flt)
    require(len(incidents), MIN_POINTS, "emerging hot spot analysis")
    steps = step_index(belize_dates(incidents.times), params.step)
    last = int(steps.max())
    first = max(int(steps.min()), last - params.steps + 1)
    if last - first + 1 < 2:
        raise TooFewIncidents(f"emerging hot spot analysis needs incidents in at least 2 {params.step}s; "
                              "the filter selected one")
    cells = study_cells(params, flt)
    pos = cell_of(cells, incidents.xy)
    use = (pos >= 0) & (steps >= first)
    cube = np.zeros((len(cells), last - first + 1))
    np.add.at(cube, (pos[use], steps[use] - first), 1)
    busy = cube.sum(axis=1) > 0  # cells that never saw an incident take no part in the cube
    log = [f"{int(use.sum())} incidents in {last - first + 1} {params.step}s; {describe_cells(params, len(cells))}, "
           f"{int(busy.sum())} of them with at least one incident form the space-time cube"]
    with warnings_to_log(log):
        res = emerging_hot_spots(np.column_stack([cells.geometry.centroid.x, cells.geometry.centroid.y])[busy],
                                 cube[busy], distance=params.distance, time_step_window=params.time_step_window)
    log.extend(res.decision_log)
    rows = copy_layer(EmergingCell, run, {
        "cell": cells["cell"].to_numpy()[busy], "category": res.category, "category_code": res.category_code,
        "trend_z": res.trend_z, "trend_p": res.trend_p, "incident_count": cube[busy].sum(axis=1).astype(np.int64),
    }, cells.geometry.to_numpy()[busy])
    resolved = {"cells": params.cells, "cell_size": params.cell_size if params.cells != "boundary" else None,
                "boundary_set": params.boundary_set if params.cells == "boundary" else None,
                "step": params.step, "steps": last - first + 1, "distance": res.distance,
                "time_step_window": params.time_step_window}
    return JobResult(int(use.sum()), resolved, log, rows)
