from __future__ import annotations

import pytest

from geo_bco.demo import write_csv
from geo_bco.ingest import import_file
from services import public_cache
from services.jobs import create_run, execute_run
from services.jobs.selection import normalise_filter
from services.ogc.config import build_pygeoapi_config


@pytest.fixture(autouse=True)
def fresh_public_cache():
    """Each test starts with no cached extents, counts or tiles: in production the
    imports and runs that change the data call ``invalidate()``; tests flush tables."""
    public_cache.invalidate()


@pytest.fixture
def demo_incidents(tmp_path):
    """Import a small seeded synthetic set (needs reference data in the database)."""

    def load(rows: int = 400, seed: int = 7):
        path = write_csv(tmp_path / "demo.csv", rows=rows, seed=seed, bad_rows=6)
        return import_file(path, source_system="demo")

    return load


@pytest.fixture(scope="session")
def ogc_connections_closed(django_db_setup, django_db_blocker):
    """pygeoapi keeps a SQLAlchemy pool per process and the live server thread its own
    Django connection; close those sessions before pytest-django drops the test
    database (which refuses while they are open)."""
    yield
    from django.db import connection

    with django_db_blocker.unblock(), connection.cursor() as cur:
        cur.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture
def ogc(ogc_connections_closed, live_server, settings, reference_data_committed, demo_incidents):
    """A live server with demo incidents and one KDE run, pygeoapi pointed at it."""
    settings.PYGEOAPI_CONFIG = build_pygeoapi_config(public_url=live_server.url, debug=False)
    demo_incidents(rows=300)
    execute_run(create_run("kde", parameters={"bandwidth": 2000}, input_filter=normalise_filter()).pk)
    public_cache.invalidate()  # what imports and runs do once they commit
    return f"{live_server.url}/ogcapi"

