"""`bco backup` / `bco restore`: a round trip into a fresh database gives every table
the same row count, and the service's files come back."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from geo_bco.demo import write_csv
from geo_bco.ingest import import_file

pytestmark = pytest.mark.postgis

ROOT = Path(__file__).resolve().parents[2]


def counts(url: str) -> dict[str, int]:
    """Every table's rows, counted directly (not through the code under test)."""
    with psycopg.connect(url) as conn:
        tables = [r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


def url(name: str) -> str:
    db = connection.settings_dict
    return f"postgresql://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


@pytest.fixture
def fresh_database():
    name = f"{connection.settings_dict['NAME']}_restored"
    with psycopg.connect(url("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url(name)
    finally:
        with psycopg.connect(url("postgres"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_backup_then_restore_into_a_fresh_database_gives_every_count_and_the_files_back(
        tmp_path, settings, reference_data_committed, fresh_database):
    import_file(write_csv(tmp_path / "incidents.csv", rows=300, seed=5, bad_rows=4), source_system="demo")
    call_command("analyse", "kde")
    settings.VAR_DIR = tmp_path / "var"
    (settings.VAR_DIR / "media").mkdir(parents=True)
    (settings.VAR_DIR / "media" / "bulletin.pdf").write_bytes(b"%PDF-1.4 a kept file")
    (settings.VAR_DIR / "log").mkdir()
    (settings.VAR_DIR / "log" / "web.log").write_text("not kept")
    archive = tmp_path / "backup.tar"
    call_command("backup", str(archive))
    assert archive.stat().st_mode & 0o777 == 0o600
    restored_var = tmp_path / "restored-var"
    env = os.environ | {"DATABASE_URL": fresh_database, "BCO_VAR_DIR": str(restored_var), "SECRET_KEY": "x" * 50}
    done = subprocess.run([sys.executable, "-m", "geo_bco.cli", "restore", str(archive)], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    original = counts(url(connection.settings_dict["NAME"]))
    assert counts(fresh_database) == original
    assert original["geo_bco_incident"] > 250 and original["geo_bco_kdecontour"] > 0
    assert (restored_var / "media" / "bulletin.pdf").read_bytes() == b"%PDF-1.4 a kept file"
    assert not (restored_var / "log").exists()


def test_restore_refuses_a_database_that_holds_data(tmp_path, reference_data_committed):
    archive = tmp_path / "backup.tar"
    call_command("backup", str(archive))
    with pytest.raises(CommandError, match="already holds data; restore into an empty database"):
        call_command("restore", str(archive))
