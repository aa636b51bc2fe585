"""Run records: every analysis is created as a run, executed once, and left
``succeeded`` with its layer or ``failed`` with a plain reason. Synchronous CLI runs,
API requests and queued worker runs all go through :func:`create_run` (which refuses
bad parameters and empty selections before anything is written or queued) and
:func:`execute_run`.
"""

from __future__ import annotations

import logging
import os
import socket

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

import geo_bco
from boundaries.models import BoundarySet
from geo_bco.models import AnalysisRun

from .. import layers, public_cache
from ..params import ParameterError, parse, to_json
from .result import TooFewIncidents
from .selection import IncidentFilter, count_incidents, describe, parse_filter
from .time_limit import TimeLimitExceeded, time_limit

logger = logging.getLogger(__name__)


def _filter_with_defaults(kind: layers.LayerKind, input_filter: dict | None) -> IncidentFilter:
    given = dict(input_filter or {})
    given.setdefault("precisions", list(kind.default_precisions))
    return parse_filter(given)


def create_run(method: str, *, parameters: dict | None = None, input_filter: dict | None = None) -> AnalysisRun:
    """Validate and record a run. Raises :class:`ParameterError` (a ``ValueError``)
    naming the method, parameter or filter value that is wrong, or the empty selection."""
    if method not in layers.REGISTRY:
        raise ParameterError("method", f"unknown analysis method {method!r}; known: {', '.join(layers.REGISTRY)}")
    kind = layers.REGISTRY[method]
    params = parse(kind.params, parameters)
    boundary_set = getattr(params, "boundary_set", None)
    if boundary_set is not None and not BoundarySet.objects.filter(slug=boundary_set, boundaries__isnull=False).exists():
        sets = ", ".join(BoundarySet.objects.values_list("slug", flat=True))
        raise ParameterError("boundary_set", f"no boundary set {boundary_set!r} is loaded; loaded: {sets}")
    flt = _filter_with_defaults(kind, input_filter)
    if count_incidents(flt) == 0:
        raise ParameterError("filter", f"the filter selects no incidents ({describe(flt)})")
    return AnalysisRun.objects.create(
        method=method, label=f"{kind.title}: {describe(flt)}", parameters=dict(parameters or {}),
        resolved_parameters=to_json(params), input_filter=to_json(flt), software_version=geo_bco.__version__,
    )


def _this_process() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def execute_run(run_id: int) -> AnalysisRun:
    """Execute a recorded run. Re-executing a succeeded run is a no-op (a retried job
    must not write its layer twice); a failed or interrupted run starts again from
    scratch. The layer and the success are committed together, so a worker killed
    mid-job leaves no half-written layer. A run over ``BCO_JOB_TIME_LIMIT_S`` is
    stopped and failed with the reason (:class:`TimeLimitExceeded`)."""
    with transaction.atomic():
        run = AnalysisRun.objects.select_for_update().get(pk=run_id)
        if run.status == AnalysisRun.Status.SUCCEEDED:
            return run
        run.status, run.started_at, run.error, run.worker = AnalysisRun.Status.RUNNING, timezone.now(), "", _this_process()
        run.attempts += 1
        run.save(update_fields=["status", "started_at", "error", "worker", "attempts"])
    kind = layers.REGISTRY[run.method]
    try:
        with transaction.atomic(), time_limit(settings.BCO_JOB_TIME_LIMIT_S):
            kind.model.objects.filter(run=run).delete()  # what an interrupted attempt may have left
            result = kind.job(run, parse(kind.params, run.parameters), parse(IncidentFilter, run.input_filter))
            run.input_count, run.log, run.summary = result.input_count, result.log, result.summary
            run.resolved_parameters = result.resolved  # what the method used, automatic choices resolved
            run.status, run.finished_at = AnalysisRun.Status.SUCCEEDED, timezone.now()
            run.save()
            transaction.on_commit(public_cache.invalidate)  # extents, counts and tiles show the new layer
    except (TooFewIncidents, ValueError, TimeLimitExceeded) as exc:
        _fail(run, str(exc))  # the method refused this input, or took too long: a plain reason, no traceback
        raise
    except Exception as exc:
        logger.exception("analysis run %s failed", run.pk)
        _fail(run, f"{type(exc).__name__}: {exc}")
        raise
    return run


def _fail(run: AnalysisRun, reason: str) -> None:
    run.status, run.finished_at, run.error = AnalysisRun.Status.FAILED, timezone.now(), reason
    run.save(update_fields=["status", "finished_at", "error"])


def _process_gone(worker: str) -> bool:
    """True when ``worker`` (host:pid) names a process of this host that no longer runs."""
    host, _, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def recover_interrupted_runs(*, stalled_after_s: int = 30, ours_too: bool = False) -> list[str]:
    """Runs left ``running`` by a killed process: a queued run goes back on the queue
    (procrastinate retries its job), a synchronous one is failed with the reason.

    A run counts as interrupted when its process is gone from this host, or when its
    job belongs to a worker that stopped sending heartbeats (another host), or, with
    ``ours_too``, when this very process ran it (the caller knows nothing runs in it
    now: `bco worker` starting again after losing the database). Returns one message
    per recovered run.
    """
    from procrastinate.contrib.django import app

    with connection.cursor() as cur:  # procrastinate's own rule for stalled jobs (select_stalled_jobs_by_heartbeat)
        cur.execute(
            "SELECT j.id FROM procrastinate_jobs j LEFT JOIN procrastinate_workers w ON w.id = j.worker_id "
            "WHERE j.status = 'doing' AND j.task_name = 'services.tasks.run_analysis' "
            "AND (j.worker_id IS NULL OR w.last_heartbeat < now() - make_interval(secs => %s))",
            [stalled_after_s],
        )
        stalled_jobs = {row[0] for row in cur.fetchall()}
    messages = []
    for run in AnalysisRun.objects.filter(status=AnalysisRun.Status.RUNNING):
        ours = ours_too and run.worker == _this_process()
        if not (ours or _process_gone(run.worker) or (run.job_id and run.job_id in stalled_jobs)):
            continue
        if run.job_id and app.job_manager.get_job_status(run.job_id).value == "doing":
            app.job_manager.retry_job_by_id(run.job_id, retry_at=timezone.now())
            what = "lost the database" if ours else "ended"
            run.status, run.error = AnalysisRun.Status.QUEUED, f"interrupted ({run.worker} {what}); queued again"
            run.save(update_fields=["status", "error"])
            messages.append(f"{run.method} run {run.pk}: worker {run.worker} {what} mid-run; job {run.job_id} queued again")
        else:
            _fail(run, f"interrupted: process {run.worker} ended while the run was executing; nothing was written")
            messages.append(f"{run.method} run {run.pk}: process {run.worker} ended mid-run; marked failed")
    return messages
