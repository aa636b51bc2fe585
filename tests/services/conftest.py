from __future__ import annotations

import shutil

import pytest

from geo_bco.demo import write_csv
from geo_bco.ingest import import_file
from services import public_cache
from services.jobs import create_run, execute_run
from services.ogc.config import build_pygeoapi_config
from services.projections import refresh_incidents

from layer_runs import FAST_PARAMETERS


@pytest.fixture(autouse=True)
def fresh_public_cache(request):
    """Each database test starts with no cached extents, counts, pages or tiles: in
    production the imports and runs that change the data invalidate them; tests flush
    tables or roll them back (the shared generation with them, but not what this process
    keeps in memory). The cache lives in PostgreSQL, so this waits for the test's own
    database fixture."""
    marker = request.node.get_closest_marker("django_db")
    if marker is not None:
        request.getfixturevalue("transactional_db" if marker.kwargs.get("transaction") else "db")
    elif "transactional_db" in request.fixturenames:
        request.getfixturevalue("transactional_db")
    elif "db" in request.fixturenames:
        request.getfixturevalue("db")
    else:
        return
    public_cache.invalidate()


@pytest.fixture
def demo_incidents(tmp_path):
    """Import a small seeded synthetic set (needs reference data in the database)."""

    def load(rows: int = 400, seed: int = 7, days: int = 730, source: str = "demo"):
        path = write_csv(tmp_path / f"demo-{seed}.csv", rows=rows, seed=seed, bad_rows=6, days=days)
        return import_file(path, source_system=source)

    return load


@pytest.fixture
def empty_queue(transactional_db):
    """procrastinate's tables are not flushed between transactional tests: start each
    worker test with an empty queue, so it runs only what it queued itself."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("TRUNCATE procrastinate_jobs, procrastinate_periodic_defers, procrastinate_events, "
                    "procrastinate_workers CASCADE")


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
    demo_incidents(rows=1500, days=31)  # dense enough that many cells hold the public minimum
    execute_run(create_run("kde", parameters={"bandwidth": 2000}).pk)
    refresh_incidents()
    public_cache.invalidate()  # what imports and runs do once they commit
    return f"{live_server.url}/ogcapi"


@pytest.fixture
def ogc_every_layer(ogc, demo_incidents):
    """The live OGC API with a run of every layer kind, so every collection has features
    (two more years of history from another source: the forecast's backtest needs them)."""
    demo_incidents(rows=600, seed=11, days=730, source="demo-history")
    for name, parameters in FAST_PARAMETERS.items():
        if name != "kde":
            execute_run(create_run(name, parameters=parameters).pk)
    public_cache.invalidate()
    return ogc


CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")


@pytest.fixture
def browser():
    """Debian's headless Chromium through selenium (the web map tests)."""
    if not (CHROMIUM and CHROMEDRIVER):
        pytest.skip("Debian's chromium and chromium-driver are not installed")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless", "--no-sandbox", "--disable-background-networking", "--disable-component-update",
                "--use-gl=swiftshader", "--enable-unsafe-swiftshader", "--window-size=1200,900"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    yield driver
    driver.quit()
