from __future__ import annotations

import shutil

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
