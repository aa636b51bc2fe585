"""procrastinate tasks: the queue lives in PostgreSQL, so there is no broker to run."""

from __future__ import annotations

from procrastinate import RetryStrategy
from procrastinate.contrib.django import app

from .jobs import execute_run


@app.task(queue="analysis", retry=RetryStrategy(max_attempts=3, wait=10), pass_context=False)
def run_analysis(run_id: int) -> None:
    execute_run(run_id)


def enqueue(run_id: int) -> int:
    """Queue a run; returns the procrastinate job id."""
    return run_analysis.defer(run_id=run_id)
