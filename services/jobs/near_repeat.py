"""Near-repeat job: the Knox test table (stored on the run and served as JSON and
CSV) and each incident's role (originator / repeat / near repeat / isolated) as an
analyst-only layer of exact points."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from geo_bco.models import AnalysisRun, NearRepeatLabel
from spatial_analysis.near_repeat import knox_test, near_repeat_labels

from ..params import param, to_json
from .result import JobResult, require, warnings_to_log
from .selection import IncidentFilter, belize_dates, load_incidents
from .writing import copy_layer

MIN_POINTS = 20


@dataclass(frozen=True)
class NearRepeatParams:
    spatial_bandwidth: float = param(100.0, "width of each distance band in metres", above=0)
    n_spatial_bands: int = param(3, "distance bands after the same-location band", minimum=1, maximum=20)
    temporal_bandwidth: float = param(7.0, "width of each time band in days", above=0)
    n_temporal_bands: int = param(3, "time bands before the 'beyond' band", minimum=1, maximum=52)
    permutations: int = param(999, "Monte Carlo permutations for the expected counts", minimum=9, maximum=9999)
    seed: int = param(2026, "random seed of the permutations (same seed, same table)", minimum=0)


def run(run: AnalysisRun, params: NearRepeatParams, flt: IncidentFilter) -> JobResult:
    incidents = load_incidents(flt)
    require(len(incidents), MIN_POINTS, "the near-repeat (Knox) test")
    days = belize_dates(incidents.times)  # whole dates, as the Near Repeat Calculator uses
    log = [f"{len(incidents)} incidents; times as Belize calendar dates"]
    with warnings_to_log(log):
        knox = knox_test(incidents.xy, days, spatial_bandwidth=params.spatial_bandwidth,
                         n_spatial_bands=params.n_spatial_bands, temporal_bandwidth=params.temporal_bandwidth,
                         n_temporal_bands=params.n_temporal_bands, permutations=params.permutations,
                         random_state=params.seed)
        labels = near_repeat_labels(incidents.xy, days, label_distance=params.spatial_bandwidth,
                                    label_days=params.temporal_bandwidth)
    rows = copy_layer(NearRepeatLabel, run, {
        "incident_id": incidents.ids, "label": labels,
        "occurred_at": np.datetime_as_string(incidents.times, timezone="UTC"), "offence": incidents.offences,
    }, shapely.points(incidents.xy))
    near = knox.knox_ratio[1, 0]
    log.append(f"Knox ratio {near:.2f} (p = {knox.p_values[1, 0]:.3f}) for pairs {knox.spatial_labels[1]} apart "
               f"within {knox.temporal_labels[0]}; {int((labels == 'near repeat').sum())} near repeats, "
               f"{int((labels == 'repeat').sum())} repeats")
    summary = {"knox": {
        "spatial_bands": knox.spatial_labels, "temporal_bands": knox.temporal_labels,
        "observed": knox.observed.tolist(), "expected": np.round(knox.expected, 4).tolist(),
        "knox_ratio": [[None if not np.isfinite(v) else round(float(v), 4) for v in r] for r in knox.knox_ratio],
        "p_values": np.round(knox.p_values, 4).tolist(), "permutations": knox.permutations,
        "n_incidents": knox.n_incidents, "n_pairs": knox.n_pairs,
    }}
    resolved = to_json(params)
    return JobResult(len(incidents), resolved, log, rows, summary)
