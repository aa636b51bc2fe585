"""Run records: every analysis is created as a run, executed once, and left
``succeeded`` with its layer or ``failed`` with its error. Synchronous CLI runs and
queued worker runs go through the same ``execute_run``."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

import geo_bco
from geo_bco.models import AnalysisRun

from . import kde

logger = logging.getLogger(__name__)

#: method name -> function(run) that writes the run's layer and returns
#: (input_count, resolved parameters, decision log)
METHODS: dict[str, Callable[[AnalysisRun], tuple[int, dict, list[str]]]] = {"kde": kde.run}


def create_run(method: str, *, parameters: dict, input_filter: dict) -> AnalysisRun:
    if method not in METHODS:
        raise ValueError(f"unknown analysis method {method!r}; known: {sorted(METHODS)}")
    return AnalysisRun.objects.create(
        method=method, parameters=parameters, input_filter=input_filter,
        software_version=geo_bco.__version__,
    )


def execute_run(run_id: int) -> AnalysisRun:
    """Execute a queued run. Re-executing a succeeded run is a no-op (a retried job
    must not write its layer twice); a failed run is retried from scratch."""
    run = AnalysisRun.objects.get(pk=run_id)
    if run.status == AnalysisRun.Status.SUCCEEDED:
        return run
    run.status, run.started_at, run.error = AnalysisRun.Status.RUNNING, timezone.now(), ""
    run.save(update_fields=["status", "started_at", "error"])
    try:
        with transaction.atomic():
            count, resolved, log = METHODS[run.method](run)
            run.input_count, run.parameters, run.log = count, resolved, log
            run.status, run.finished_at = AnalysisRun.Status.SUCCEEDED, timezone.now()
            run.save()
    except Exception as exc:
        logger.exception("analysis run %s failed", run.pk)
        run.status, run.finished_at, run.error = AnalysisRun.Status.FAILED, timezone.now(), f"{type(exc).__name__}: {exc}"
        run.save(update_fields=["status", "finished_at", "error"])
        raise
    return run
