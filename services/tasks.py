"""procrastinate tasks: the queue lives in PostgreSQL, so there is no broker to run."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from procrastinate import RetryStrategy
from procrastinate.contrib.django import app
from procrastinate.exceptions import AlreadyEnqueued

from .jobs import execute_run
from .jobs.result import TooFewIncidents
from .jobs.runs import recover_interrupted_runs
from .jobs.time_limit import TimeLimitExceeded

#: A burst of imports queues one refresh: a second one waits behind this lock.
REFRESH_LOCK = "standard-refresh"


@app.task(queue="analysis", retry=RetryStrategy(max_attempts=3, wait=10), pass_context=False)
def run_analysis(run_id: int) -> None:
    try:
        execute_run(run_id)
    except (TooFewIncidents, ValueError, TimeLimitExceeded):
        pass  # the run is failed with its reason; retrying the same input would end the same way


@app.task(queue="analysis", pass_context=False)
def refresh_analyses() -> None:
    from .refresh import refresh

    refresh()


@app.periodic(cron=settings.BCO_REFRESH_CRON)
@app.task(queue="analysis", queueing_lock=REFRESH_LOCK, pass_context=False)
def scheduled_refresh(timestamp: int) -> None:
    """The standard refresh on a schedule (BCO_REFRESH_CRON, nightly): a safety net, so the
    layers are at most a day behind the incidents even when an import's own refresh was
    lost (queued during an outage, failed). Shares the import refresh's lock: never two queued."""
    from .refresh import refresh

    refresh()


@app.periodic(cron="*/5 * * * *")
@app.task(queue="analysis", queueing_lock="recover-interrupted-runs", pass_context=False)
def recover_runs(timestamp: int) -> None:
    recover_interrupted_runs()


def enqueue(run_id: int) -> int:
    """Queue a run; returns the procrastinate job id."""
    return run_analysis.defer(run_id=run_id)


def enqueue_refresh() -> int | None:
    """Queue the standard refresh unless one is already waiting (coalescing a burst)."""
    try:
        with transaction.atomic():  # a savepoint: the refused insert must not spoil the caller's transaction
            return refresh_analyses.configure(queueing_lock=REFRESH_LOCK).defer()
    except AlreadyEnqueued:
        return None
