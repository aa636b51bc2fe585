"""Forecast job: choose the hot spot method and scale by how well each would have
predicted the past (rolling-origin backtest, spatial_analysis.forecast_selection),
then write the winner's top 1/3/5% of cells for the next period as ForecastCell rows.
The leaderboard is stored on the run; the winner and how much of the last period's
crime its top 3% held travel with every row (run_parameters), so the map can say so."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date

import numpy as np
import pandas as pd

from geo_bco.models import AnalysisRun, ForecastCell
from spatial_analysis.forecast_selection import HotSpotSelector

from ..params import param
from .cells import CellParams, describe_cells, study_cells
from .result import JobResult, require, warnings_to_log
from .selection import IncidentFilter, load_incidents
from .writing import copy_layer

MIN_POINTS = 100
SHARES = (0.01, 0.03, 0.05)


@dataclass(frozen=True)
class ForecastParams(CellParams):
    cell_size: float = param(2000.0, "grid cell size in metres (a hexagon has the area of this square); the "
                             "backtest refits every candidate on every fold, so its time grows with the cells",
                             minimum=50, maximum=20_000)
    end: date | None = param(None, "first day of the forecast period (the history ends the day before)",
                             default_text="the start of the month after the latest incident")


def _month_after(day: np.datetime64) -> pd.Timestamp:
    return (pd.Timestamp(day).to_period("M") + 1).to_timestamp()


def run(run: AnalysisRun, params: ForecastParams, flt: IncidentFilter) -> JobResult:
    incidents = load_incidents(flt)
    require(len(incidents), MIN_POINTS, "the forecast backtest")
    order = np.argsort(incidents.times, kind="stable")
    times = pd.DatetimeIndex(incidents.times[order]).tz_localize("UTC")
    end = pd.Timestamp(params.end).tz_localize("America/Belize") if params.end else \
        _month_after(incidents.times.max() - np.timedelta64(6, "h")).tz_localize("America/Belize")
    cells = study_cells(params, flt)
    log = [f"{len(incidents)} incidents up to {end:%Y-%m-%d}; {describe_cells(params, len(cells))}"]
    with warnings_to_log(log):
        selector = HotSpotSelector(end=end, area_shares=SHARES).fit(incidents.xy[order], times, cells)
    summary = selector.summary_
    top = {share: selector.top_cells(share) for share in SHARES}
    band = np.full(len(cells), np.nan)
    for share in sorted(SHARES, reverse=True):  # nested: a cell keeps the smallest share it is in
        band[top[share]] = share
    chosen = top[max(SHARES)]
    ranks = np.empty(len(chosen), dtype=np.int64)
    ranks[np.argsort(-selector.scores_[chosen], kind="stable")] = np.arange(1, len(chosen) + 1)
    rows = copy_layer(ForecastCell, run, {
        "cell": cells["cell"].to_numpy()[chosen], "name": cells["name"].to_numpy()[chosen],
        "score": selector.scores_[chosen], "rank": ranks, "top_share": band[chosen],
    }, cells.geometry.to_numpy()[chosen])
    log.append(f"Chosen: {summary.method} ({summary.rule}); mean PAI {summary.pai_mean:.2f} at "
               f"{summary.area_share:.0%} over {summary.n_folds} {summary.plan}ly folds"
               + (f", prior counts {summary.prior_counts_pai_mean:.2f}" if summary.prior_counts_pai_mean else ""))
    log.append(f"Of the crimes from {summary.last_period_start[:10]} to {summary.last_period_end[:10]}, the top "
               f"{summary.area_share:.0%} of cells forecast before it held {summary.last_period_hit_rate:.0%}")
    resolved = {"cells": params.cells, "cell_size": params.cell_size if params.cells != "boundary" else None,
                "boundary_set": params.boundary_set if params.cells == "boundary" else None,
                "end": end.date().isoformat(), "winner": summary.method, "winner_parameters": summary.parameters,
                "pai_mean": summary.pai_mean, "prior_counts_pai_mean": summary.prior_counts_pai_mean,
                "last_period_hit_rate": summary.last_period_hit_rate, "area_share": summary.area_share}
    board = json.loads(selector.leaderboard_.to_json(orient="records"))  # numpy values and NaN made JSON-plain
    return JobResult(len(incidents), resolved, log, rows, {"selection": asdict(summary), "leaderboard": board})
