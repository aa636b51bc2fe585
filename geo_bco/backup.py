"""Backups: one tar file holding the database (``pg_dump`` custom format), the service's
files (``BCO_VAR_DIR``: the generated secret key, uploads, generated configs; not the
PID files and logs) and a manifest with the row count of every table, so that a
restore can prove itself complete.

The backup holds the secret key and raw police records: keep it as you keep the
database (the file is written with mode 0600).
"""

from __future__ import annotations

import json
import os
import subprocess
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import connection

import geo_bco

DUMP, MANIFEST, FILES = "database.dump", "manifest.json", "var"
#: what ``BCO_VAR_DIR`` holds that is not worth keeping: `bco prod`'s PID files and logs
TRANSIENT = {"run", "log"}


class BackupError(RuntimeError):
    """A backup or restore that could not be done, with the reason."""


def _pg_env() -> tuple[list[str], dict[str, str]]:
    """libpq connection arguments for pg_dump/pg_restore from DATABASES['default']."""
    db = settings.DATABASES["default"]
    args = ["-h", db["HOST"] or "127.0.0.1", "-p", str(db["PORT"] or 5432), "-U", db["USER"], "-d", db["NAME"]]
    return args, {**os.environ, "PGPASSWORD": db["PASSWORD"] or ""}


def _pg(tool: str, *args: str) -> None:
    connection_args, env = _pg_env()
    done = subprocess.run([tool, *connection_args, *args], env=env, capture_output=True, text=True)
    if done.returncode:
        raise BackupError(f"{tool} failed: {done.stderr.strip()}")


def table_counts() -> dict[str, int]:
    """Rows in every table of the database's public schema, but those of extensions
    (PostGIS's spatial_ref_sys is filled by CREATE EXTENSION)."""
    with connection.cursor() as cur:
        cur.execute("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT EXISTS "
                    "(SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e') ORDER BY c.relname")
        tables = [row[0] for row in cur.fetchall()]
        counts = {}
        for table in tables:
            cur.execute(f'SELECT count(*) FROM "{table}"')
            counts[table] = cur.fetchone()[0]
    return counts


def backup(path: Path) -> dict:
    """Write the backup to ``path``; returns its manifest."""
    with tempfile.TemporaryDirectory() as folder:
        dump = Path(folder) / DUMP
        _pg("pg_dump", "--format=custom", "--no-owner", "--file", str(dump))
        manifest = {"created": datetime.now(UTC).isoformat(timespec="seconds"), "software_version": geo_bco.__version__,
                    "database": settings.DATABASES["default"]["NAME"], "tables": table_counts()}
        (Path(folder) / MANIFEST).write_text(json.dumps(manifest, indent=1))
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as out, \
                tarfile.open(fileobj=out, mode="w") as tar:
            tar.add(Path(folder) / MANIFEST, MANIFEST)
            tar.add(dump, DUMP)
            if settings.VAR_DIR.is_dir():
                for item in sorted(settings.VAR_DIR.iterdir()):
                    if item.name not in TRANSIENT:
                        tar.add(item, f"{FILES}/{item.name}")
    return manifest


def restore(path: Path, *, replace: bool = False) -> dict:
    """Restore ``path`` into DATABASES['default'] (empty, unless ``replace``) and
    BCO_VAR_DIR; then check every table's count against the manifest. Returns it."""
    if not replace and any(table_counts().values()):
        raise BackupError(f"database {settings.DATABASES['default']['NAME']} already holds data; restore into an "
                          "empty database, or pass --replace to overwrite it")
    try:
        with tarfile.open(path) as tar, tempfile.TemporaryDirectory() as folder:
            tar.extractall(folder, filter="data")
            manifest = json.loads((Path(folder) / MANIFEST).read_text())
            _pg("pg_restore", "--no-owner", "--exit-on-error", *(["--clean", "--if-exists"] if replace else []),
                str(Path(folder) / DUMP))
            files = Path(folder) / FILES
            if files.is_dir():
                settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
                subprocess.run(["cp", "-a", f"{files}/.", str(settings.VAR_DIR)], check=True)
    except (OSError, tarfile.TarError, KeyError, json.JSONDecodeError) as exc:
        raise BackupError(f"{path}: not a geo-bco backup ({exc})") from exc
    restored = table_counts()
    wrong = {t: (n, restored.get(t)) for t, n in manifest["tables"].items() if restored.get(t) != n}
    if wrong:
        raise BackupError("restored, but these tables' counts differ from the backup's (backup, restored): "
                          + ", ".join(f"{t} {a} vs {b}" for t, (a, b) in wrong.items()))
    return manifest
