"""Reads from a replica (``DATABASE_REPLICA_URL``), writes to the primary, under `bco serve`.

The "replica" is a copy of the test database on the same server, made read-only
(``default_transaction_read_only``) and different from the primary in one known way:
it holds no incidents. Whatever the public endpoints answer then shows which database
they read, and a write sent to the replica would fail the request.
"""

from __future__ import annotations

import json
import subprocess

import psycopg
import pytest
from bco_processes import database_url, fetch, serve
from django.db import connection

from services import public_cache
from services.projections import refresh_incidents

pytestmark = [pytest.mark.postgis, pytest.mark.django_db(transaction=True)]

ADDR = ("127.0.0.1", 8133)
BASE = f"http://{ADDR[0]}:{ADDR[1]}"
#: the rate limiter writes on every API request: on, it proves writes reach the primary
ENV = {"BCO_RATE_LIMIT": "1000", "BCO_RATE_LIMIT_BURST": "1000"}


def admin(sql: str) -> None:
    with psycopg.connect(database_url(name="postgres").replace("postgres://", "postgresql://"),
                         autocommit=True) as conn:
        conn.execute(sql)


@pytest.fixture
def replica(reference_data_committed, demo_incidents, tmp_path):
    """The test database (1,500 incidents, public cells) copied to ``<name>_replica``, then
    emptied of incidents there and made read-only. Yields its URL."""
    demo_incidents(rows=1500, days=31)
    refresh_incidents()
    primary = connection.settings_dict["NAME"]
    name = f"{primary}_replica"
    dump = tmp_path / "primary.dump"
    subprocess.run(["pg_dump", "-Fc", "-f", str(dump), "-d", database_url(name=primary).replace("postgres://", "postgresql://")],
                   check=True, timeout=120)
    admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin(f'CREATE DATABASE "{name}"')
    url = database_url(name=name)
    subprocess.run(["pg_restore", "--no-owner", "-d", url.replace("postgres://", "postgresql://"), str(dump)],
                   check=True, timeout=120)
    with psycopg.connect(url.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        conn.execute("TRUNCATE geo_bco_incident CASCADE")
        conn.execute("REFRESH MATERIALIZED VIEW public_incidents")
    admin(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
    yield url
    admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def answers() -> dict:
    """What the public endpoints say about incidents: OGC count, REST features, a country tile."""
    ogc = fetch(BASE + "/ogcapi/collections/incidents/items?limit=1&f=json")
    rest = fetch(BASE + "/api/incidents/?page_size=10000")
    tile = fetch(BASE + "/tiles/incidents/6/16/28.mvt")
    manifest = fetch(BASE + "/api/layers/")
    statuses = {"ogc": ogc[0], "rest": rest[0], "tile": tile[0], "manifest": manifest[0]}
    assert set(statuses.values()) == {200}, (statuses, ogc[2][:500], rest[2][:500])
    return {"ogc": json.loads(ogc[2])["numberMatched"], "rest": len(json.loads(rest[2])["features"]),
            "tile bytes": len(tile[2])}


def rate_limit_rows() -> int:
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM bco_rate_limit")
        return cur.fetchone()[0]


def test_public_reads_come_from_the_replica_and_writes_stay_on_the_primary(replica, tmp_path):
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM public_incidents")
        public_cells = cur.fetchone()[0]
    assert public_cells > 0
    public_cache.invalidate()
    with connection.cursor() as cur:
        cur.execute("TRUNCATE bco_rate_limit")
    (tmp_path / "with").mkdir()
    (tmp_path / "without").mkdir()
    with serve(tmp_path / "with", ADDR, DATABASE_REPLICA_URL=replica, **ENV) as log:
        from_replica = answers()
        status, _, _ = fetch(BASE + "/healthz")
    assert "Traceback" not in log.read_text()
    assert status == 200
    assert from_replica == {"ogc": 0, "rest": 0, "tile bytes": 0}  # the replica holds no incidents
    assert rate_limit_rows() > 0  # the limiter's writes went to the primary (the replica refuses writes)

    public_cache.invalidate()  # the control: the same server without a replica reads the primary
    with serve(tmp_path / "without", ADDR, **ENV):
        from_primary = answers()
    assert from_primary["ogc"] == public_cells and from_primary["rest"] == public_cells
    assert from_primary["tile bytes"] > 0
