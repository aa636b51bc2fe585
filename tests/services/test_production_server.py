"""The site as `bco serve` runs it: gunicorn worker processes, DEBUG off, pooled connections.

Each test starts a real server process on 127.0.0.1:8110 and talks HTTP to it.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from bco_processes import ROOT, database_url
from bco_processes import fetch as fetch_url
from bco_processes import serve as serve_on
from django.db import connection

pytestmark = pytest.mark.postgis

ADDR = ("127.0.0.1", 8110)
BASE = f"http://{ADDR[0]}:{ADDR[1]}"


def serve(tmp_path, **env):
    return serve_on(tmp_path, ADDR, **env)


def fetch(path: str, headers: dict | None = None) -> tuple[int, dict, str]:
    return fetch_url(BASE + path, headers)


# --- error pages --------------------------------------------------------------------

def error_pages() -> dict[str, tuple[int, dict, str]]:
    return {
        "map page, database down": fetch("/"),
        "REST, database down": fetch("/api/districts/"),
        "OGC API, database down": fetch("/ogcapi/collections"),
        "unknown page": fetch("/no-such-page"),
        "foreign Host header": fetch("/no-such-page", {"Host": "attacker.example"}),
    }


def test_production_error_pages_show_no_setting_secret_or_traceback(tmp_path):
    db_password = "Db-" + secrets.token_hex(12)
    secret_key = secrets.token_urlsafe(50)
    broken = database_url(name="h10_no_such_database", password=db_password)  # every query fails: 503s
    with serve(tmp_path, DATABASE_URL=broken, SECRET_KEY=secret_key, BCO_DB_POOL_TIMEOUT="1") as log:
        pages = error_pages()
    assert {name: status for name, (status, _, _) in pages.items()} == {
        "map page, database down": 503, "REST, database down": 503, "OGC API, database down": 503,
        "unknown page": 404, "foreign Host header": 400}
    for name, (_, _, body) in pages.items():
        for leak in (db_password, secret_key, "Traceback", "DATABASE_URL", "SECRET_KEY", "h10_no_such_database",
                     "psycopg", "settings"):
            assert leak not in body, f"{name}: the body shows {leak!r}"
    assert pages["REST, database down"][2].startswith('{"code": "ServiceUnavailable"')
    assert all(int(pages[name][1]["Retry-After"]) >= 1 for name in pages if "database down" in name)
    assert "Traceback" in log.read_text()  # the operator's log has it


def test_with_debug_on_the_same_failure_does_show_internals(tmp_path):
    """The control for the test above: its checks would catch a debug page."""
    broken = database_url(name="h10_no_such_database")
    with serve(tmp_path, DATABASE_URL=broken, DEBUG="1", BCO_DB_POOL_TIMEOUT="1"):
        status, _, body = fetch("/api/districts/")
    assert status == 500 and "Traceback" in body and "h10_no_such_database" in body  # Django's debug page


# --- pooled connections under load --------------------------------------------------

def server_connections(app_name: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", [app_name])
        return cursor.fetchone()[0]


def test_sixty_concurrent_clients_get_answers_within_the_connection_bound(
        tmp_path, reference_data_committed, demo_incidents):
    demo_incidents(rows=300)
    subprocess.run([sys.executable, "-m", "geo_bco.cli", "collectstatic", "--no-input", "-v", "0"], check=True,
                   cwd=ROOT, env=os.environ | {"STATIC_ROOT": str(tmp_path / "static"), "SECRET_KEY": "x" * 50})
    app_name = f"bco-test-{secrets.token_hex(4)}"
    workers, threads, pool = 2, 8, 2  # 16 requests at once, but at most 2 x 2 connections
    paths = ["/api/incidents/?page_size=300", "/api/districts/", "/ogcapi/collections?f=json"] * 20
    peak, done = [0], threading.Event()

    def watch():
        while not done.is_set():
            peak[0] = max(peak[0], server_connections(app_name))
            time.sleep(0.02)

    with serve(tmp_path, WEB_CONCURRENCY=str(workers), GUNICORN_CMD_ARGS=f"--threads {threads}",
               BCO_DB_POOL_SIZE=str(pool), BCO_RATE_LIMIT="0", PGAPPNAME=app_name):
        watcher = threading.Thread(target=watch)
        watcher.start()
        try:
            with ThreadPoolExecutor(max_workers=len(paths)) as clients:
                statuses = list(clients.map(lambda p: fetch(p)[0], paths))
        finally:
            done.set()
            watcher.join()
        static_status, static_headers, _ = fetch("/static/maplibre-gl/maplibre-gl.js")
    print(f"60 concurrent requests: statuses {sorted(set(statuses))}, peak server connections {peak[0]} "
          f"(bound {workers} workers x pool {pool})")
    assert statuses.count(200) == len(paths)
    assert 1 <= peak[0] <= workers * pool
    assert static_status == 200 and "javascript" in static_headers["Content-Type"]


# --- one rate limit across worker processes -------------------------------------------

def test_worker_processes_share_one_bucket_per_client(tmp_path, transactional_db):
    rate, burst = 1, 10
    with serve(tmp_path, WEB_CONCURRENCY="2", BCO_RATE_LIMIT=str(rate), BCO_RATE_LIMIT_BURST=str(burst)):
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=8) as clients:
            answers = list(clients.map(lambda _: fetch("/api/districts/"), range(60)))
        elapsed = time.monotonic() - started
    allowed = [a for a in answers if a[0] == 200]
    refused = [a for a in answers if a[0] == 429]
    print(f"60 requests in {elapsed:.2f} s at {rate}/s, burst {burst}: {len(allowed)} allowed, {len(refused)} refused")
    assert len(allowed) + len(refused) == 60
    # one shared bucket: the burst plus what refilled meanwhile; a bucket per worker would allow twice the burst
    assert burst <= len(allowed) <= burst + rate * elapsed + 1
    assert all(int(headers["Retry-After"]) >= 1 for _, headers, _ in refused)
