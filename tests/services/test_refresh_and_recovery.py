"""The standard refresh after imports (one queued refresh for a burst), ``bco refresh``,
and a run whose worker is killed with SIGKILL mid-job: no half-written layer, and the
run is recovered and completed exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from procrastinate.contrib.django.models import ProcrastinateJob

from geo_bco.models import AnalysisRun, KdeContour
from services.jobs import create_run
from services.jobs.runs import recover_interrupted_runs
from services.refresh import standard_set
from services.tasks import enqueue

pytestmark = pytest.mark.postgis


@pytest.fixture
def refresh_settings(settings):
    settings.BCO_REFRESH_METHODS = ["kde", "area-counts"]
    settings.BCO_REFRESH_PER_CATEGORY = False
    settings.BCO_REFRESH_AFTER_IMPORT = True


def test_standard_set_is_every_method_over_all_offences_and_each_category(reference_data, settings):
    settings.BCO_REFRESH_METHODS = ["kde", "hotspots"]
    settings.BCO_REFRESH_PER_CATEGORY = True
    runs = standard_set()
    assert ("kde", {}) in runs and ("hotspots", {"categories": ["property"]}) in runs
    assert len(runs) == 2 * (1 + len({"property", "violent", "drugs", "weapons"}))


def test_a_burst_of_imports_queues_one_refresh(reference_data, demo_incidents, refresh_settings):
    demo_incidents(rows=200, seed=1)
    demo_incidents(rows=300, seed=2)  # a second file, new ids: another import
    jobs = ProcrastinateJob.objects.filter(task_name="services.tasks.refresh_analyses")
    assert jobs.count() == 1 and jobs.get().status == "todo"


def test_the_queued_refresh_runs_the_standard_set(empty_queue, reference_data_committed, demo_incidents,
                                                  refresh_settings):
    demo_incidents(rows=300)
    call_command("worker", "--no-wait")
    runs = AnalysisRun.objects.order_by("id")
    assert [(r.method, r.status) for r in runs] == [("kde", "succeeded"), ("area-counts", "succeeded")]
    assert ProcrastinateJob.objects.get(task_name="services.tasks.refresh_analyses").status == "succeeded"


def test_bco_refresh_runs_it_by_hand(reference_data, demo_incidents, refresh_settings, capsys):
    demo_incidents(rows=300)
    call_command("refresh")
    assert "2 runs done, 2 succeeded" in capsys.readouterr().out
    assert AnalysisRun.objects.filter(status="succeeded").count() == 2


def _database_url() -> str:
    db = settings.DATABASES["default"]
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _wait_for(predicate, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError("timed out")


def test_worker_killed_mid_job_leaves_no_layer_and_the_run_is_recovered(empty_queue, reference_data_committed,
                                                                         demo_incidents):
    demo_incidents(rows=300)
    run = create_run("kde", parameters={"bandwidth": 2000})
    run.job_id = enqueue(run.pk)
    run.save(update_fields=["job_id"])
    env = {**os.environ, "DATABASE_URL": _database_url(), "BCO_REFRESH_AFTER_IMPORT": "0"}
    # Hold the layer table so the job blocks inside its transaction, after it has started.
    with psycopg.connect(_database_url().replace("postgres://", "postgresql://"), autocommit=False) as blocker:
        blocker.execute("LOCK TABLE geo_bco_kdecontour IN ACCESS EXCLUSIVE MODE")
        worker = subprocess.Popen([sys.executable, "-m", "geo_bco.cli", "worker"], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            _wait_for(lambda: AnalysisRun.objects.get(pk=run.pk).status == AnalysisRun.Status.RUNNING)
            time.sleep(1)
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=30)
        finally:
            if worker.poll() is None:
                worker.kill()
        blocker.rollback()
    run.refresh_from_db()
    assert run.status == AnalysisRun.Status.RUNNING and not KdeContour.objects.filter(run=run).exists()
    messages = recover_interrupted_runs()
    assert len(messages) == 1 and "queued again" in messages[0]
    run.refresh_from_db()
    assert run.status == AnalysisRun.Status.QUEUED and ProcrastinateJob.objects.get(id=run.job_id).status == "todo"
    call_command("worker", "--no-wait")
    run.refresh_from_db()
    assert run.status == AnalysisRun.Status.SUCCEEDED and run.attempts == 2
    assert KdeContour.objects.filter(run=run).count() == 3  # written exactly once


def test_a_synchronous_run_left_running_by_a_dead_process_is_failed_with_the_reason(reference_data, demo_incidents):
    demo_incidents(rows=100)
    run = create_run("kde")
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    AnalysisRun.objects.filter(pk=run.pk).update(status="running", worker=f"{os.uname().nodename}:{dead.pid}")
    assert recover_interrupted_runs() == [f"kde run {run.pk}: process {os.uname().nodename}:{dead.pid} "
                                          "ended mid-run; marked failed"]
    run.refresh_from_db()
    assert run.status == "failed" and "interrupted" in run.error
