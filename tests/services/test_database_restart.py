"""PostgreSQL restarted while the web tier serves, an import runs and a job runs.

The shared server on this machine is not restarted: the module starts a PostgreSQL
cluster of its own (initdb into a temporary folder, a private port, trust auth on
loopback), copies the test database into it (schema, reference data, 300 incidents
and one queued KDE run), and stops it at the end. One scenario runs once for the
module, with one outage (a fast shutdown, 10 s down, a start), and the tests below
read what each party saw:

* `bco serve` (gunicorn, pooled connections) polled throughout;
* `bco import` of a second file, waiting for a lock on the incident table;
* `bco worker` with the KDE run started, waiting for a lock on its layer table.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import psycopg
import pytest
from bco_processes import bco, bco_env, database_url, fetch, serve, stop, wait_for
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from geo_bco.demo import write_csv
from geo_bco.ingest import import_file
from services.jobs import create_run
from services.tasks import enqueue

#: transactional: the test database is set up for this module, and nothing a test sees is a pending transaction
pytestmark = [pytest.mark.postgis, pytest.mark.django_db(transaction=True)]

PORT = 5412  # the private cluster's
ADDR = ("127.0.0.1", 8131)
#: a request sent during the outage is answered 503 within ~5 s (BCO_DB_POOL_TIMEOUT=2 plus a failed
#: reconnect): 10 s down leaves room for requests both sent and answered in it, however loaded the machine
DOWN_S = 10
PG_BIN = Path(subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True).stdout.strip() or "/usr/bin")


class Cluster:
    """A throw-away PostgreSQL cluster on PORT, run by the postgres system user when we are root."""

    def __init__(self, folder: Path):
        self.folder, self.data = folder, folder / "data"
        self.as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_owner:
            shutil.chown(folder, "postgres")
        self.pg("initdb", "-D", str(self.data), "-U", "geo_bco", "--auth=trust", "-E", "UTF8")

    def pg(self, tool: str, *args: str) -> None:
        subprocess.run([*self.as_owner, str(PG_BIN / tool), *args], check=True, capture_output=True, timeout=60)

    def start(self) -> None:
        self.pg("pg_ctl", "-D", str(self.data), "-l", str(self.folder / "log"), "-w", "-o",
                f"-p {PORT} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off", "start")

    def stop(self) -> None:
        self.pg("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def url(self, name: str) -> str:
        return database_url(name=name, port=PORT)


def private_copy_of_the_test_database(cluster: Cluster, django_db_blocker, tmp: Path) -> int:
    """Reference data, 300 incidents and a queued KDE run in the test database, copied
    to the cluster's ``faults`` database (the test database is flushed afterwards, as a
    transactional test leaves it). Returns the run's id."""
    from belize_reference import ensure_reference_data

    with django_db_blocker.unblock(), override_settings(BCO_REFRESH_AFTER_IMPORT=False):
        ensure_reference_data()
        call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)
        ensure_reference_data()
        import_file(write_csv(tmp / "first.csv", rows=300, seed=7, bad_rows=0), source_system="demo")
        # jobs earlier tests left queued (a refresh reads the locked incident table) must not go first:
        # procrastinate's tables are not flushed between tests (CI saw the worker busy with one of them)
        with connection.cursor() as cur:
            cur.execute("TRUNCATE procrastinate_jobs, procrastinate_periodic_defers, procrastinate_events, "
                        "procrastinate_workers CASCADE")
        run = create_run("kde", parameters={"bandwidth": 2000})
        run.job_id = enqueue(run.pk)
        run.save(update_fields=["job_id"])
        dump = tmp / "test.dump"
        subprocess.run(["pg_dump", "-Fc", "-f", str(dump), "-d", database_url().replace("postgres://", "postgresql://")],
                       check=True, timeout=120)
        call_command("flush", interactive=False, verbosity=0)
    with psycopg.connect(cluster.url("postgres").replace("postgres://", "postgresql://"), autocommit=True) as conn:
        conn.execute("CREATE DATABASE faults")
    subprocess.run(["pg_restore", "--no-owner", "-d", cluster.url("faults").replace("postgres://", "postgresql://"),
                    str(dump)], check=True, timeout=120)
    return run.pk


def query(url: str, sql: str):
    with psycopg.connect(url.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        return conn.execute(sql).fetchall()


class Poller(threading.Thread):
    """GET a page every 0.1 s until stopped: (sent, answered: seconds since start; status, Retry-After, body).

    The page reads the incident table, which the scenario locks until the outage: the
    first request waits for the lock (up to the 90 s the scenario waits for the worker and
    the import) and is answered 503 when the outage closes its connection."""

    def __init__(self, url: str):
        super().__init__(daemon=True)
        self.url, self.answers, self.done = url, [], threading.Event()
        self.started_at = time.monotonic()

    def run(self):
        while not self.done.is_set():
            sent = time.monotonic() - self.started_at
            try:
                status, headers, body = fetch(self.url, timeout=150)
            except OSError as exc:  # no HTTP answer at all
                status, headers, body = 0, {}, repr(exc)
            self.answers.append((sent, time.monotonic() - self.started_at, status, headers.get("Retry-After"), body))
            time.sleep(0.1)


@pytest.fixture(scope="module")
def outage(django_db_setup, django_db_blocker):
    """Run the scenario once; yields what each party saw."""
    tmp = Path(tempfile.mkdtemp(prefix="bco-pg-restart-"))
    cluster = Cluster(tmp)
    cluster.start()
    processes = []
    try:
        run_id = private_copy_of_the_test_database(cluster, django_db_blocker, tmp)
        url = cluster.url("faults")
        env = bco_env(DATABASE_URL=url, BCO_RATE_LIMIT="0", BCO_DB_POOL_TIMEOUT="2")
        second = write_csv(tmp / "second.csv", rows=500, seed=8, bad_rows=0)
        blocker = psycopg.connect(url.replace("postgres://", "postgresql://"))  # closed by the outage
        # one web process, so the poller's answers are one pool's story (with two, one process may
        # still be reconnecting, a 503, when the other already answers 200)
        with serve(tmp, ADDR, **env, WEB_CONCURRENCY="1") as server_log:
            blocker.execute("LOCK TABLE geo_bco_incident, geo_bco_kdecontour IN ACCESS EXCLUSIVE MODE")
            poller = Poller(f"http://{ADDR[0]}:{ADDR[1]}/api/districts/")
            poller.start()
            worker_log = open(tmp / "worker.log", "w")  # noqa: SIM115 (closed with the process)
            worker = bco("worker", env=env | {"LOG_LEVEL": "INFO", "PGAPPNAME": "bco-worker"}, stdout=worker_log,
                         stderr=subprocess.STDOUT)
            importer = bco("import", str(second), "--source", "fault", env=env | {"PGAPPNAME": "bco-import"},
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            processes += [worker, importer]
            # each by its own connection's name: a web request waiting on the incident table must not stand in
            # for the job (CI once saw the outage come before the job had started, so nothing was retried)
            # and the job taken by the worker (procrastinate commits 'doing' before it runs it): the
            # worker's waiting connection must be this job's
            wait_for(lambda: {name for (name,) in query(url, "SELECT application_name FROM pg_stat_activity "
                                                             "WHERE datname = 'faults' AND wait_event_type = 'Lock'")}
                     >= {"bco-worker", "bco-import"}
                     and query(url, "SELECT j.status FROM procrastinate_jobs j JOIN geo_bco_analysisrun r "
                                    f"ON r.job_id = j.id WHERE r.id = {run_id}")[0][0] == "doing", timeout=90,
                     what="the run and the import to wait for their locks")
            cluster.stop()  # every connection is closed: the blocker's, the import's, the job's, the pool's
            down_from = time.monotonic() - poller.started_at
            time.sleep(DOWN_S)
            down_until = time.monotonic() - poller.started_at
            cluster.start()
            back_at = time.monotonic() - poller.started_at
            import_out, import_err = importer.communicate(timeout=90)
            try:
                wait_for(lambda: query(url, "SELECT j.status FROM procrastinate_jobs j JOIN geo_bco_analysisrun r "
                                            f"ON r.job_id = j.id WHERE r.id = {run_id}")[0][0]
                         in ("succeeded", "failed"), timeout=60, what="the run's job to end")
            except AssertionError as exc:
                raise AssertionError(f"{exc}\nworker:\n{(tmp / 'worker.log').read_text()[-6000:]}\n"
                                     f"server:\n{server_log.read_text()[-3000:]}") from None
            time.sleep(1)
            poller.done.set()
            poller.join(timeout=30)
            worker_code = stop(worker)
            yield {"url": url, "env": env, "run_id": run_id, "answers": poller.answers, "down": (down_from, down_until),
                   "back_at": back_at, "import": (importer.returncode, import_out, import_err), "second": second,
                   "worker_code": worker_code, "worker_log": (tmp / "worker.log").read_text(),
                   "server_log": server_log.read_text()}
    finally:
        for process in processes:
            stop(process)
        cluster.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def test_the_web_tier_answers_503_with_retry_after_during_the_outage_and_recovers_by_itself(outage):
    answers, (down_from, down_until) = outage["answers"], outage["down"]
    statuses = [status for _, _, status, _, _ in answers]
    # sent while the database was down: answered 503, or 200 if the answer waited for its return (a loaded
    # machine can stretch a request past the outage); never anything else
    while_down = [a for a in answers if down_from < a[0] < down_until]
    print(f"{len(answers)} requests: {statuses.count(200)} answered 200, {statuses.count(503)} 503 "
          f"({len(while_down)} sent during the {DOWN_S} s outage)")
    assert set(statuses) == {200, 503}, ([a for a in answers if a[2] == 0], outage["server_log"][-4000:])
    assert any(status == 503 for _, _, status, _, _ in while_down), ([a[:4] for a in answers], outage["down"])
    assert all(status == 503 or answered > down_until for _, answered, status, _, _ in while_down)
    assert all(int(retry) >= 1 and "Traceback" not in body for _, _, status, retry, body in answers if status == 503)
    first_503 = statuses.index(503)
    last_503 = len(statuses) - 1 - statuses[::-1].index(503)
    assert set(statuses[first_503:last_503 + 1]) == {503}  # one outage, no error once the database is back
    assert statuses[last_503 + 1:] and set(statuses[last_503 + 1:]) == {200}  # the same server process serves again
    # within seconds of the database's return (the pool reconnects with a backoff of its own)
    assert answers[last_503 + 1][1] - outage["back_at"] < 10


def test_the_interrupted_import_stored_nothing_and_says_so_then_runs_whole(outage):
    code, _, err = outage["import"]
    assert code != 0
    assert "import interrupted: the database connection was lost" in err
    assert "nothing from this file was stored (PostgreSQL rolled the whole import back)" in err
    assert query(outage["url"], "SELECT count(*) FROM geo_bco_incident WHERE source_system = 'fault'") == [(0,)]
    assert query(outage["url"], "SELECT count(*) FROM geo_bco_importbatch WHERE source_system = 'fault'") == [(0,)]
    again = bco("import", str(outage["second"]), "--source", "fault", env=outage["env"], stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, text=True)
    _, err = again.communicate(timeout=120)
    assert again.returncode == 0, err
    stored = query(outage["url"], "SELECT count(*) FROM geo_bco_incident WHERE source_system = 'fault'")[0][0]
    rejected = query(outage["url"], "SELECT count(*) FROM geo_bco_rejectedrow r JOIN geo_bco_importbatch b "
                                    "ON b.id = r.batch_id WHERE b.source_system = 'fault'")[0][0]
    assert stored + rejected == 500 and stored > 400  # the whole file, every row accounted for
    assert query(outage["url"], "SELECT count(*) FROM geo_bco_incident WHERE source_system = 'demo'") == [(300,)]


def test_the_interrupted_job_is_retried_and_writes_its_layer_once(outage):
    status, attempts, error = query(outage["url"], "SELECT status, attempts, error FROM geo_bco_analysisrun "
                                                   f"WHERE id = {outage['run_id']}")[0]
    layer = query(outage["url"], f"SELECT count(*) FROM geo_bco_kdecontour WHERE run_id = {outage['run_id']}")[0][0]
    started = query(outage["url"], "SELECT count(*) FROM procrastinate_events e JOIN geo_bco_analysisrun r "
                                   f"ON r.job_id = e.job_id WHERE r.id = {outage['run_id']} AND e.type = 'started'")
    print(f"run: {status}, {attempts} attempts; worker exit {outage['worker_code']}; the worker said:")
    print("\n".join(line for line in outage["worker_log"].splitlines()
                    if any(word in line for word in ("worker stopped", "queued again", "retry", "Retry", "does not answer"))))
    assert (status, error) == ("succeeded", "") and attempts >= 2 and started[0][0] == attempts
    assert layer == 3
    assert outage["worker_code"] == 0, outage["worker_log"]
