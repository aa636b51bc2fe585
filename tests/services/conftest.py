from __future__ import annotations

import pytest

from geo_bco.demo import write_csv
from geo_bco.ingest import import_file


@pytest.fixture
def demo_incidents(tmp_path):
    """Import a small seeded synthetic set (needs reference data in the database)."""

    def load(rows: int = 400, seed: int = 7, days: int = 730):
        path = write_csv(tmp_path / f"demo-{seed}.csv", rows=rows, seed=seed, bad_rows=6, days=days)
        return import_file(path, source_system="demo")

    return load


@pytest.fixture
def empty_queue(transactional_db):
    """procrastinate's tables are not flushed between transactional tests: start each
    worker test with an empty queue, so it runs only what it queued itself."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("TRUNCATE procrastinate_jobs, procrastinate_periodic_defers, procrastinate_events CASCADE")
