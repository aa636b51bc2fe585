"""Shared fixtures. Database tests run against a real PostGIS (pytest-django creates
``test_<name>`` with the postgis extension); they skip locally when no database
answers, and ``.ci/run`` fails the build if anything was skipped."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from belize_reference import ensure_reference_data

FIXTURES = Path(__file__).parent / "fixtures"
OUTPUT = Path(__file__).resolve().parent.parent / "test-output"


def _database_answers() -> bool:
    from django.conf import settings

    db = settings.DATABASES["default"]
    try:
        with socket.create_connection((db.get("HOST") or "127.0.0.1", int(db.get("PORT") or 5432)), timeout=2):
            return True
    except OSError:
        return False


def pytest_collection_modifyitems(config, items):
    if any(item.get_closest_marker("postgis") for item in items) and not _database_answers():
        skip = pytest.mark.skip(reason="no PostgreSQL answers at DATABASE_URL")
        for item in items:
            if item.get_closest_marker("postgis"):
                item.add_marker(skip)


@pytest.fixture(autouse=True)
def no_refresh_after_import(settings):
    """Imports in tests do not queue the standard refresh (tests of the refresh turn it on)."""
    settings.BCO_REFRESH_AFTER_IMPORT = False
    settings.BCO_BULLETIN_AFTER_REFRESH = False  # tests of the bulletin write it themselves


@pytest.fixture
def reference_data(db):
    ensure_reference_data()


@pytest.fixture
def reference_data_committed(transactional_db):
    ensure_reference_data()


@pytest.fixture
def write_csv(tmp_path):
    """Write text (or bytes) to a CSV file in a temporary folder and return its path."""

    def write(content: str | bytes, name: str = "incidents.csv", encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        if isinstance(content, str):
            content = content.encode(encoding)
        path.write_bytes(content)
        return path

    return write


@pytest.fixture(scope="session")
def output_dir() -> Path:
    OUTPUT.mkdir(exist_ok=True)
    return OUTPUT


@pytest.fixture(autouse=True)
def _test_settings(settings):
    """Every test client is 127.0.0.1 and the limiter's buckets outlive a test: tests of the limiter turn it on.
    Passwords hash fast (Django's advice for tests); a server started in a subprocess keeps the real hashers."""
    settings.RATE_LIMIT_PER_SECOND = 0
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
