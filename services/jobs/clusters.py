"""Cluster job: DBSCAN / HDBSCAN hulls or CrimeStat NNH ellipses -> ClusterPolygon rows.

Each cluster carries what a commander asks first: how many incidents, what share of
the selection, over which dates, and its main offence.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo_bco.models import AnalysisRun, ClusterPolygon
from spatial_analysis.clustering import density_clusters, nnh_clusters

from ..params import param
from .result import JobResult, require, warnings_to_log
from .selection import IncidentFilter, belize_dates, load_incidents
from .writing import boundary_frame, copy_layer

MIN_POINTS = 10


@dataclass(frozen=True)
class ClusterParams:
    method: str = param("hdbscan", "clustering method", choices=("dbscan", "hdbscan", "nnh"))
    eps: float = param(200.0, "DBSCAN: neighbourhood radius in metres", above=0)
    min_samples: int = param(10, "DBSCAN: incidents within eps that make a core point; HDBSCAN: the density "
                             "smoothing (neighbours of a core point, scikit-learn's min_samples)", minimum=2)
    min_cluster_size: int = param(15, "HDBSCAN: smallest cluster, incidents", minimum=2)
    hull: str = param("convex", "DBSCAN/HDBSCAN polygon", choices=("convex", "concave"))
    probability: float = param(0.1, "NNH: chance that a pair is closer than the threshold at random",
                               above=0, maximum=0.5)
    min_points: int = param(10, "NNH: smallest cluster, incidents (or lower-order clusters)", minimum=2)
    nnh_output: str = param("ellipse", "NNH polygon", choices=("ellipse", "convex", "concave"))


def _labelled(params: ClusterParams, xy: np.ndarray, area: float, log: list[str]):
    """(per-incident labels per order, cluster frame with ``order`` and ``cluster``)."""
    if params.method == "nnh":
        res = nnh_clusters(xy, probability=params.probability, min_points=params.min_points, area=area,
                           output=params.nnh_output, crs=32616)
        log.append(f"NNH thresholds per order: {', '.join(f'{t:,.0f} m' for t in res.thresholds) or 'none'} "
                   f"(study area {area / 1e6:,.0f} km2, p = {params.probability})")
        return res.order_labels, res.clusters
    res = density_clusters(xy, method=params.method, eps=params.eps, min_samples=params.min_samples,
                           min_cluster_size=params.min_cluster_size, hull=params.hull, crs=32616)
    return res.labels[:, None], res.clusters.assign(order=1)


def run(run: AnalysisRun, params: ClusterParams, flt: IncidentFilter) -> JobResult:
    incidents = load_incidents(flt)
    n = len(incidents)
    require(n, MIN_POINTS, f"{params.method} clustering")
    log = [f"{n} incidents, projected to EPSG:32616"]
    area = float(boundary_frame("country").area.sum())
    with warnings_to_log(log):
        order_labels, clusters = _labelled(params, incidents.xy, area, log)
    frames = []
    for k in range(order_labels.shape[1]):
        labels = order_labels[:, k]
        member = labels >= 0
        df = pd.DataFrame({"cluster": labels[member], "time": incidents.times[member],
                           "offence": incidents.offences[member]})
        by = df.groupby("cluster")
        main = df.groupby(["cluster", "offence"]).size().rename("n").reset_index() \
            .sort_values(["cluster", "n", "offence"], ascending=[True, False, True]).drop_duplicates("cluster")
        stats = pd.DataFrame({"incident_count": by.size(), "first": by["time"].min(), "last": by["time"].max()}) \
            .join(main.set_index("cluster"))
        frames.append(stats.assign(order=k + 1).reset_index())
    stats = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["cluster", "order", "incident_count", "first", "last", "offence", "n"])
    clusters = clusters.merge(stats, on=["order", "cluster"], how="inner")
    rows = copy_layer(ClusterPolygon, run, {
        "method": np.full(len(clusters), params.method), "order": clusters["order"].to_numpy(),
        "cluster": clusters["cluster"].to_numpy(), "incident_count": clusters["incident_count"].to_numpy(),
        "incident_share": clusters["incident_count"].to_numpy() / n,
        "first_date": belize_dates(clusters["first"].to_numpy()), "last_date": belize_dates(clusters["last"].to_numpy()),
        "main_offence": clusters["offence"].to_numpy(),
        "main_offence_share": clusters["n"].to_numpy() / clusters["incident_count"].to_numpy(),
        "area_km2": clusters.geometry.area.to_numpy() / 1e6,
    }, clusters.geometry.to_numpy())
    first_order = clusters[clusters["order"] == 1]
    log.append(f"{len(first_order)} cluster(s) holding {int(first_order['incident_count'].sum())} of {n} incidents"
               + (f"; {rows - len(first_order)} higher-order cluster(s)" if rows > len(first_order) else ""))
    resolved = {"method": params.method}
    if params.method == "dbscan":
        resolved |= {"eps": params.eps, "min_samples": params.min_samples, "hull": params.hull}
    elif params.method == "hdbscan":
        resolved |= {"min_cluster_size": params.min_cluster_size, "min_samples": params.min_samples, "hull": params.hull}
    else:
        resolved |= {"probability": params.probability, "min_points": params.min_points,
                     "nnh_output": params.nnh_output, "study_area_km2": round(area / 1e6, 1)}
    return JobResult(n, resolved, log, rows)
