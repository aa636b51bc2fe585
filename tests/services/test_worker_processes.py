"""Real `bco worker` processes against the test database: killed with SIGKILL mid-run
(recovered when the next worker starts), stopped with SIGTERM mid-run (finishes the
run, then exits), two at once on one queue (each run executed exactly once), and a run
over its time limit (stopped and recorded failed).

A run is held mid-job by locking its layer table from another connection: the job has
started (its run is ``running``) and waits inside its transaction for the lock.
"""

from __future__ import annotations

import contextlib
import signal
import subprocess
import threading

import psycopg
import pytest
from bco_processes import bco, bco_env, database_url, stop, wait_for
from django.db import connection
from procrastinate.contrib.django.models import ProcrastinateEvent, ProcrastinateJob, ProcrastinateWorker

from geo_bco.models import AnalysisRun, KdeContour
from services.jobs import create_run
from services.jobs.time_limit import TimeLimitExceeded, time_limit
from services.tasks import enqueue

pytestmark = pytest.mark.postgis


@pytest.fixture
def incidents(empty_queue, reference_data_committed, demo_incidents):
    demo_incidents(rows=300)


def queued_run(**parameters) -> AnalysisRun:
    run = create_run("kde", parameters=parameters or {"bandwidth": 2000})
    run.job_id = enqueue(run.pk)
    run.save(update_fields=["job_id"])
    return run


def status(run: AnalysisRun) -> str:
    return AnalysisRun.objects.values_list("status", flat=True).get(pk=run.pk)


@contextlib.contextmanager
def layer_table_locked():
    """Hold geo_bco_kdecontour from another connection until the block ends (rolled back)."""
    with psycopg.connect(database_url().replace("postgres://", "postgresql://")) as blocker:
        blocker.execute("LOCK TABLE geo_bco_kdecontour IN ACCESS EXCLUSIVE MODE")
        try:
            yield
        finally:
            blocker.rollback()


def worker(*args: str, **env: str) -> subprocess.Popen:
    return bco("worker", *args, env=bco_env(**env), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def started_events(job_id: int) -> int:
    return ProcrastinateEvent.objects.filter(job_id=job_id, type="started").count()


def test_a_worker_killed_mid_run_leaves_no_layer_and_the_next_worker_completes_the_run_at_start(incidents):
    run = queued_run()
    with layer_table_locked():
        killed = worker()
        try:
            wait_for(lambda: status(run) == "running", what="the run to start")
            killed.send_signal(signal.SIGKILL)
            killed.wait(timeout=30)
        finally:
            stop(killed)
    run.refresh_from_db()
    assert run.status == "running" and not KdeContour.objects.filter(run=run).exists()
    assert ProcrastinateJob.objects.get(id=run.job_id).status == "doing"  # the queue still thinks it runs
    restarted = worker("--no-wait")  # start-up: recover, then work the queue until it is empty
    _, stderr = restarted.communicate(timeout=120)
    assert restarted.returncode == 0, stderr
    assert f"kde run {run.pk}: worker {run.worker} ended mid-run; job {run.job_id} queued again" in stderr
    run.refresh_from_db()
    assert run.status == "succeeded" and run.attempts == 2
    assert KdeContour.objects.filter(run=run).count() == 3  # written exactly once
    assert started_events(run.job_id) == 2


def test_sigterm_lets_the_worker_finish_its_run_then_it_stops(incidents):
    run = queued_run()
    with layer_table_locked():
        stopping = worker()
        try:
            wait_for(lambda: status(run) == "running", what="the run to start")
            stopping.send_signal(signal.SIGTERM)
            with pytest.raises(subprocess.TimeoutExpired):
                stopping.wait(timeout=2)  # still finishing its run
        except BaseException:
            stop(stopping)
            raise
    _, stderr = stopping.communicate(timeout=60)  # the lock is released: the run completes, the worker exits
    assert stopping.returncode == 0, stderr
    run.refresh_from_db()
    assert run.status == "succeeded" and run.attempts == 1 and KdeContour.objects.filter(run=run).count() == 3
    assert ProcrastinateJob.objects.get(id=run.job_id).status == "succeeded"


def test_two_workers_on_one_queue_execute_each_run_exactly_once(incidents):
    workers = [worker("--concurrency", "2") for _ in range(2)]
    try:  # both listening before anything is queued: every job is raced for
        wait_for(lambda: ProcrastinateWorker.objects.count() == 2, what="two workers to register")
        runs = [queued_run(bandwidth=1000 + 100 * i) for i in range(8)]
        wait_for(lambda: not AnalysisRun.objects.exclude(status__in=["succeeded", "failed"]).exists(), timeout=120,
                 what="every run to end")
    finally:
        codes = [stop(w) for w in workers]
    assert codes == [0, 0]
    done = AnalysisRun.objects.filter(pk__in=[r.pk for r in runs])
    by_worker = {w: done.filter(worker__endswith=f":{p.pid}").count() for w, p in zip("AB", workers)}
    print(f"8 runs over two workers (2 threads each): {by_worker}")
    assert set(done.values_list("status", "attempts")) == {("succeeded", 1)}
    assert sum(by_worker.values()) == len(runs)
    assert [started_events(r.job_id) for r in runs] == [1] * len(runs)
    assert all(KdeContour.objects.filter(run=r).count() == 3 for r in runs)


def test_a_run_over_the_time_limit_is_stopped_and_recorded_failed(incidents):
    run = queued_run()
    with layer_table_locked():  # the job waits for the lock: past its limit, its query is cancelled
        limited = worker("--no-wait", BCO_JOB_TIME_LIMIT_S="2")
        _, stderr = limited.communicate(timeout=60)
    assert limited.returncode == 0, stderr
    run.refresh_from_db()
    assert run.status == "failed" and run.error == ("stopped: the run exceeded its time limit of 2 s "
                                                    "(BCO_JOB_TIME_LIMIT_S)")
    assert (run.finished_at - run.started_at).total_seconds() < 10
    assert not KdeContour.objects.filter(run=run).exists()
    assert ProcrastinateJob.objects.get(id=run.job_id).status == "succeeded"  # done with: not retried


def test_the_time_limit_stops_pure_python_work_in_a_worker_thread(transactional_db):
    """The other half of the limit: no query to cancel, a busy loop in a thread that is not the main one."""
    outcome = {}

    def busy():
        try:
            with time_limit(0.5):
                while True:
                    pass
        except TimeLimitExceeded as exc:
            outcome["error"] = str(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=busy)
    thread.start()
    thread.join(timeout=10)
    assert not thread.is_alive() and outcome["error"].startswith("stopped: the run exceeded its time limit of 0.5 s")

