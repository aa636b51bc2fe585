"""An import killed half-way leaves nothing behind, and running it again converges."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from django.db import connection

from geo_bco.demo import write_csv
from geo_bco.models import ImportBatch, Incident, RejectedRow

pytestmark = pytest.mark.postgis


def _bco(args: list[str]) -> subprocess.Popen:
    settings = connection.settings_dict  # the test database pytest-django made
    url = f"postgres://{settings['USER']}:{settings['PASSWORD']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"
    return subprocess.Popen([sys.executable, "-m", "geo_bco.cli", *args], env={**os.environ, "DATABASE_URL": url},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _writing(dbname: str) -> bool:
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND state = 'active' "
                    "AND query ILIKE '%%incident_stage%%' AND pid <> pg_backend_pid()", [dbname])
        return cur.fetchone()[0] > 0


def test_killed_import_leaves_no_partial_batch_and_rerun_converges(reference_data_committed, tmp_path):
    path = write_csv(tmp_path / "big.csv", rows=150_000, seed=3)
    proc = _bco(["import", str(path), "--source", "demo"])
    deadline = time.monotonic() + 120
    while not _writing(connection.settings_dict["NAME"]):
        assert proc.poll() is None, f"import ended before it could be interrupted: {proc.communicate()}"
        assert time.monotonic() < deadline, "the import never reached the database"
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    time.sleep(0.5)  # PostgreSQL notices the dead client and rolls back
    assert (ImportBatch.objects.count(), Incident.objects.count(), RejectedRow.objects.count()) == (0, 0, 0)

    done = _bco(["import", str(path), "--source", "demo"])
    out, err = done.communicate(timeout=300)
    assert done.returncode == 0, err
    batch = ImportBatch.objects.get()
    assert batch.rows_total == 150_012 == batch.inserted + batch.rejected
    assert Incident.objects.count() == batch.inserted
    assert Incident.objects.values("source_id").distinct().count() == batch.inserted  # no duplicates
