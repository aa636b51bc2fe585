"""`bco prod start|stop|status`: the production topology without containers, as an
operator runs it: web (gunicorn), worker and scheduler as separate processes with PID
files and logs; an import queues the standard refresh, the worker runs it, and the
layer is read back over OGC API Features."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from bco_processes import ROOT, bco_env, fetch, wait_for

from geo_bco.demo import write_csv
from geo_bco.models import AnalysisRun

pytestmark = pytest.mark.postgis

ADDR = "127.0.0.1:8133"


def prod(action: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "geo_bco.cli", "prod", action], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=180)


def test_prod_starts_three_processes_refreshes_after_an_import_serves_the_layer_and_stops(
        tmp_path, empty_queue, reference_data_committed):
    var = tmp_path / "var"
    env = bco_env(BCO_VAR_DIR=str(var), BCO_ADDR=ADDR, BCO_RATE_LIMIT="0", STATIC_ROOT=str(tmp_path / "static"),
                  BCO_REFRESH_AFTER_IMPORT="1", BCO_REFRESH_METHODS="kde,area-counts", BCO_REFRESH_PER_CATEGORY="0")
    env.pop("SECRET_KEY", None)  # generated into var/ by the first process, read by the others
    started = prod("start", env)
    try:
        assert started.returncode == 0, started.stderr
        pids = {name: int((var / "run" / f"{name}.pid").read_text()) for name in ("web", "worker", "scheduler")}
        assert len(set(pids.values())) == 3
        assert all(os.kill(pid, 0) is None for pid in pids.values())
        assert prod("status", env).returncode == 0
        csv = write_csv(tmp_path / "incidents.csv", rows=300, seed=3, bad_rows=0)
        imported = subprocess.run([sys.executable, "-m", "geo_bco.cli", "import", str(csv), "--source", "demo"],
                                  env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert imported.returncode == 0, imported.stderr
        wait_for(lambda: AnalysisRun.objects.filter(method="kde", status="succeeded").exists(), timeout=120,
                 what="the worker to run the refresh the import queued")
        status, _, body = fetch(f"http://{ADDR}/ogcapi/collections/kde/items?f=json")
        assert status == 200, body
        assert len(json.loads(body)["features"]) > 0
        wait_for(lambda: "GET /ogcapi/collections/kde/items" in (var / "log" / "web.log").read_text(), timeout=10,
                 what="gunicorn's access log line (written once the response is sent)")
        assert "Unsupported column type" not in (var / "log" / "web.log").read_text()
    finally:
        stopped = prod("stop", env)
    assert stopped.returncode == 0 and stopped.stdout.count(": stopped") == 3, stopped.stdout + stopped.stderr
    assert not any((var / "run" / f"{name}.pid").exists() for name in pids)
    assert prod("status", env).returncode == 3
