"""Where the serving endpoints read from: the read replica when one is configured.

With ``DATABASE_REPLICA_URL`` set (``settings.DATABASES["replica"]``), the public and
the analysts' read endpoints (OGC API, tiles, REST features, the layer manifest, the
dashboard, open data) query the replica, so a national map's traffic leaves the
primary to imports and analysis jobs. Everything that writes or must see its own
writes at once (imports, runs, sign-in and sessions, the audit trail, the cache and
the rate limiter) stays on the primary, through Django's default connection.

A replica lags its primary by the replication delay: a page read just after an
import commits may show the data from before it for that long (docs/deployment.md).
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator

from django.conf import settings
from django.db import connections, transaction

REPLICA = "replica"


def read_alias() -> str:
    """The database alias serving reads: ``replica`` when configured, else ``default``."""
    return REPLICA if REPLICA in settings.DATABASES else "default"


def read_connection():
    """The Django connection serving reads (use as ``read_connection().cursor()``)."""
    return connections[read_alias()]


@functools.cache
def attribute_columns(relation: str) -> tuple[tuple[str, str], ...]:
    """(name, type) of a relation's columns but its geometries, in table order. Views
    change only with a migration, which restarts the server, so this is read once."""
    with read_connection().cursor() as cur:
        cur.execute("SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
                    "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped "
                    "AND format_type(atttypid, atttypmod) NOT LIKE 'geometry%%' ORDER BY attnum", [relation])
        return tuple(cur.fetchall())


@functools.cache
def geometry_type(relation: str, column: str) -> str | None:
    """The declared geometry type of ``relation.column`` (``POINT``, ``MULTIPOLYGON``...),
    ``None`` when the column is a plain ``geometry``; read once, as attribute_columns."""
    with read_connection().cursor() as cur:
        cur.execute("SELECT type FROM geometry_columns WHERE f_table_name = %s AND f_geometry_column = %s",
                    [relation, column])
        row = cur.fetchone()
    return None if row is None or row[0] == "GEOMETRY" else row[0]


@contextlib.contextmanager
def short_reads() -> Iterator[None]:
    """A transaction on the read connection for a request's few short queries: JIT and
    parallel workers off, since their start-up (tens of ms, ~1 ms) costs more than a
    page or a tile query (the OGC provider's sessions are set the same way)."""
    with transaction.atomic(using=read_alias()), read_connection().cursor() as cur:
        cur.execute("SET LOCAL jit = off; SET LOCAL max_parallel_workers_per_gather = 0")
        yield
