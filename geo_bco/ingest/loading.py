"""Write a validated table to PostGIS in one transaction.

Accepted rows are staged with COPY, given their district and a content digest in
SQL, then merged as an UPDATE of changed records plus an INSERT of new ones (the
digest tells inserts from updates from no-ops); rejected rows are COPY'd verbatim
with their reasons.
The batch, its incidents and its rejected rows commit together or not at all, so an
interrupted import leaves nothing behind and re-running it converges. When the
connection to PostgreSQL is lost mid-import (a restart), the report says which of the
two happened, read back from the database once it answers again. An exception
nobody foresaw still ends as a report: a failed batch naming the file (and the row,
when the database says which), with the traceback in the operator's log.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, transaction
from django.utils import timezone
from pyarrow import csv as pacsv
from tqdm import tqdm

from boundaries.models import BoundarySet
from boundaries.service_area import belize_area_utm

from ..errors import database_unavailable
from ..models import ImportBatch, OffenceType
from ..signals import incidents_imported
from .profiles import DEFAULT, Profile
from .reading import RawTable, ReadError, read_table
from .validation import ACCEPTED_COLUMNS, Validated, validate

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ImportResult:
    batch_id: int
    rows_total: int
    inserted: int
    updated: int
    unchanged: int
    rejected: int
    already_imported: bool
    messages: tuple[str, ...] = ()
    #: set when the import failed: what went wrong, naming the file (nothing was stored)
    error: str = ""

    def tally(self) -> str:
        if self.error:
            return self.error
        return (
            f"{self.rows_total} rows: {self.inserted} inserted, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.rejected} rejected"
        )


def offence_lookup() -> dict[str, int]:
    lookup: dict[str, int] = {}
    for pk, code, label in OffenceType.objects.values_list("id", "code", "label"):
        lookup[label.lower()] = pk
        lookup[code.lower()] = pk
    return lookup


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


#: Rows merged per statement: bounds each statement's memory and paces the progress bar.
CHUNK_ROWS = 100_000

STAGE = """
DROP TABLE IF EXISTS pg_temp.incident_stage;
CREATE TEMP TABLE incident_stage (
    source_id text, offence_id bigint, occurred_at timestamptz, lon double precision, lat double precision,
    geocode_precision text, geocode_method text, geocode_score double precision, place_name text, seq bigint
) ON COMMIT DROP
"""

#: Districts cut into small pieces (at most 64 vertices) with a GiST index: a point
#: test against a small piece is cheap, against a whole district with hundreds of
#: vertices it is not, so this is what keeps the join fast at a million rows.
DISTRICT_PIECES = """
DROP TABLE IF EXISTS pg_temp.district_piece;
CREATE TEMP TABLE district_piece ON COMMIT DROP AS
    SELECT id, geom, ST_Transform(geom, 32616) AS geom_utm
    FROM (SELECT b.id, ST_Subdivide(b.geom, 64) AS geom FROM boundaries_boundary b
          WHERE b.boundary_set_id = %(set)s) pieces;
CREATE INDEX ON district_piece USING gist (geom);
ANALYZE district_piece;
"""

#: Each staged row gets its point, its district (the piece containing it or, failing
#: that, the nearest piece by index-assisted KNN if within the tolerance, in UTM 16N
#: metres: the 1:10M outline misses cayes and cuts the coast) and a digest of its
#: content, which tells updates from no-ops.
PREPARE = """
DROP TABLE IF EXISTS pg_temp.incident_ready;
CREATE TEMP TABLE incident_ready ON COMMIT DROP AS
SELECT s.*, g.geom,
       coalesce(
           (SELECT p.id FROM district_piece p WHERE ST_Intersects(p.geom, g.geom) ORDER BY p.id LIMIT 1),
           (SELECT n.id FROM (SELECT p.id, p.geom_utm FROM district_piece p ORDER BY p.geom <-> g.geom LIMIT 1) n
            WHERE ST_DWithin(n.geom_utm, ST_Transform(g.geom, 32616), %(tolerance)s))) AS district_id,
       md5(concat_ws('|', s.offence_id, s.occurred_at, s.lon, s.lat, s.geocode_precision, s.geocode_method,
                     s.place_name)) AS content_hash
FROM incident_stage s CROSS JOIN LATERAL (SELECT ST_SetSRID(ST_MakePoint(s.lon, s.lat), 4326) AS geom) g
WHERE s.seq >= %(first)s AND s.seq < %(last)s;
CREATE INDEX ON incident_ready (source_id);
ANALYZE incident_ready;
"""

#: Imports of one source are serialised (a transaction-level advisory lock), so the
#: merge can be a plain UPDATE of changed rows plus a plain INSERT of new ones,
#: cheaper than INSERT ... ON CONFLICT's per-row speculative insertion.
LOCK_SOURCE = "SELECT pg_advisory_xact_lock(hashtext('geo_bco.import:' || %(source)s))"

UPDATE_CHANGED = """
WITH changed AS (
    UPDATE geo_bco_incident i SET
        offence_id = r.offence_id, occurred_at = r.occurred_at, location = r.geom,
        geocode_precision = r.geocode_precision, geocode_method = r.geocode_method, geocode_score = r.geocode_score,
        place_name = coalesce(r.place_name, ''), district_id = r.district_id, batch_id = %(batch)s,
        content_hash = r.content_hash, updated_at = now()
    FROM incident_ready r
    WHERE i.source_system = %(source)s AND i.source_id = r.source_id AND i.content_hash <> r.content_hash
    RETURNING 1
)
SELECT count(*) FROM changed
"""

#: Staged rows whose record already exists (updated above, or unchanged) leave the
#: staging table, so what remains is inserted without an anti-join: an anti-join
#: against the table being inserted into can turn quadratic when the planner thinks
#: the table is small (a nested loop rescanning pages the INSERT keeps adding).
DROP_EXISTING = """
DELETE FROM incident_ready r USING geo_bco_incident i
WHERE i.source_system = %(source)s AND i.source_id = r.source_id
"""

INSERT_NEW = """
WITH added AS (
    INSERT INTO geo_bco_incident (
        source_system, source_id, offence_id, occurred_at, location, geocode_precision, geocode_method,
        geocode_score, place_name, district_id, batch_id, content_hash, created_at, updated_at)
    SELECT %(source)s, r.source_id, r.offence_id, r.occurred_at, r.geom, r.geocode_precision, r.geocode_method,
           r.geocode_score, coalesce(r.place_name, ''), r.district_id, %(batch)s, r.content_hash, now(), now()
    FROM incident_ready r
    RETURNING 1
)
SELECT count(*) FROM added
"""


def _copy_csv(cursor, sql: str, frame) -> None:
    """COPY a frame as CSV, written by Arrow (pandas' writer is ~10x slower at 1M rows)."""
    buffer = io.BytesIO()
    pacsv.write_csv(pa.Table.from_pandas(frame, preserve_index=False), buffer,
                    write_options=pacsv.WriteOptions(include_header=False))
    with cursor.copy(sql) as copy:
        copy.write(buffer.getbuffer())


def import_file(
    path: str | Path,
    *,
    source_system: str | None = None,
    profile: Profile = DEFAULT,
    force: bool = False,
    sheet: str | None = None,
    layer: str | None = None,
    progress: Callable[[str], None] | None = None,
    file_name: str | None = None,
) -> ImportResult:
    """Import one file of incidents. See the module docstring for the guarantees.

    ``source_system`` defaults to the profile's. An identical file (same bytes, same
    source) that was already imported is not processed again unless ``force``: the
    earlier batch's tally is returned. ``progress`` receives one line per stage.
    ``file_name`` is what the batch records (an upload's own name, not its temp path).
    """
    say = progress or (lambda _msg: None)
    source_system = source_system or profile.source_system
    path = Path(path)
    try:
        sha = _sha256(path)
    except OSError as exc:
        raise ReadError(f"{path}: cannot read: {exc.strerror}") from None
    if not force:
        previous = ImportBatch.objects.filter(
            source_system=source_system, file_sha256=sha, status=ImportBatch.Status.COMPLETED
        ).first()
        if previous is not None:
            return ImportResult(
                previous.pk, previous.rows_total, 0, 0, previous.rows_total - previous.rejected,
                previous.rejected, True, (f"{path}: identical to batch {previous.pk}; nothing changed",),
            )
    started = time.perf_counter()
    file_name = file_name or str(path)
    checked = None
    try:
        table = read_table(path, sheet=sheet, layer=layer)
        say(f"read {len(table.rows):,} rows ({table.encoding}) in {time.perf_counter() - started:.1f} s")
        checked = validate(table, offence_ids=offence_lookup(), belize_utm=belize_area_utm(), profile=profile,
                           geocode_places=_place_geocoder())
        say(f"validated and geocoded: {len(checked.accepted):,} accepted, {len(checked.reasons):,} rejected "
            f"({time.perf_counter() - started:.1f} s)")
        result = _store(table, checked, source_system=source_system, sha=sha, file_name=file_name,
                        show_bar=progress is not None and sys.stderr.isatty())
    except ReadError:
        raise  # the file cannot be read: refused with its own message, nothing recorded
    except Exception as exc:  # noqa: BLE001 (the guard: no traceback reaches a steward)
        if database_unavailable(exc):
            return _connection_lost(exc, source_system=source_system, sha=sha, file_name=file_name)
        return _failed(exc, source_system=source_system, sha=sha, file_name=file_name, row=_row_of(exc, checked))
    say(f"stored in PostGIS ({time.perf_counter() - started:.1f} s)")
    if result.inserted or result.updated:
        incidents_imported.send(sender=ImportBatch, batch_id=result.batch_id)
    return result


#: where PostgreSQL says a COPY stopped: "COPY incident_stage, line 3, column lon: ..."
COPY_LINE = re.compile(r"COPY (\w+), line (\d+)")


def _row_of(exc: BaseException, checked: Validated | None) -> int | None:
    """The data row an exception happened at, when the database names the COPY line
    (the staged accepted rows and the rejected rows are COPY'd in row order)."""
    diag = getattr(exc.__cause__ or exc, "diag", None)
    found = COPY_LINE.search(getattr(diag, "context", None) or "")
    if found is None or checked is None:
        return None
    table, line = found.group(1), int(found.group(2))
    rows = checked.accepted.index if table == "incident_stage" else sorted(checked.reasons)
    return int(rows[line - 1]) if 0 < line <= len(rows) else None


def _failed(exc: Exception, *, source_system: str, sha: str, file_name: str, row: int | None) -> ImportResult:
    """Record a failed batch (the import's own transaction rolled back: nothing else
    was stored) and return its report; the traceback goes to the operator's log."""
    where = f": row {row}" if row is not None else ""
    first_line = (str(exc).strip().splitlines() or [""])[0]
    batch = ImportBatch.objects.create(source_system=source_system, file_name=file_name, file_sha256=sha,
                                       status=ImportBatch.Status.FAILED, finished_at=timezone.now())
    batch.error = (f"{file_name}{where}: import failed ({exc.__class__.__name__}: {first_line}); nothing was stored, "
                   f"batch {batch.pk} records the failure and the operator's log has the details")
    batch.save(update_fields=["error"])
    log.exception("import of %s failed (batch %s%s)", file_name, batch.pk, where)
    return ImportResult(batch.pk, 0, 0, 0, 0, 0, False, (batch.error,), error=batch.error)


#: How long an import whose connection was lost waits for the database to answer again, to say what it stored.
RECONNECT_WAIT_S = 30


def _connection_lost(exc: Exception, *, source_system: str, sha: str, file_name: str) -> ImportResult:
    """The connection was lost mid-import. PostgreSQL rolls back a transaction that had
    not committed; only a loss during COMMIT itself leaves the outcome open, so the
    database is asked (once it answers) whether this file's batch committed."""
    reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    deadline = time.monotonic() + RECONNECT_WAIT_S
    while True:
        connection.close()
        try:
            batch = ImportBatch.objects.filter(source_system=source_system, file_sha256=sha,
                                               status=ImportBatch.Status.COMPLETED).first()
            break
        except (OperationalError, InterfaceError):
            if time.monotonic() > deadline:
                error = (f"{file_name}: import interrupted: the database connection was lost ({reason}) and the "
                         f"database did not answer again within {RECONNECT_WAIT_S} s, so whether the file was stored "
                         "is not known yet. Run the same import again: a stored file is reported as identical, "
                         "otherwise it is imported whole.")
                return ImportResult(0, 0, 0, 0, 0, 0, False, (error,), error=error)
            time.sleep(1)
    log.warning("import of %s: database connection lost (%s)", file_name, reason)
    if batch is not None:
        message = f"{file_name}: the database connection was lost as the import committed; it did commit whole, as batch {batch.pk}"
        return ImportResult(batch.pk, batch.rows_total, batch.inserted, batch.updated, batch.unchanged,
                            batch.rejected, False, (message,))
    error = (f"{file_name}: import interrupted: the database connection was lost ({reason}); nothing from this "
             "file was stored (PostgreSQL rolled the whole import back). Run the same import again once the "
             "database answers.")
    return ImportResult(0, 0, 0, 0, 0, 0, False, (error,), error=error)


def _place_geocoder():
    """The gazetteer matcher (with the online geocoder when a deployment enables one),
    built from the database only if some row needs it."""

    def match(places, districts):
        from ..geocoding import Gazetteer, get_online_geocoder

        return Gazetteer.from_db(fallback=get_online_geocoder()).match(places, districts)

    return match


def _store(table: RawTable, checked, *, source_system: str, sha: str, file_name: str,
           show_bar: bool = False) -> ImportResult:
    accepted = checked.accepted
    stage = accepted[ACCEPTED_COLUMNS].copy()
    stage["offence_id"] = stage["offence_id"].astype("int64")
    stage["seq"] = np.arange(len(stage), dtype="int64")
    rejected_rows = sorted(checked.reasons)
    with transaction.atomic():
        batch = ImportBatch.objects.create(source_system=source_system, file_name=file_name, file_sha256=sha)
        with connection.cursor() as cur:
            # JIT compilation costs ~0.5 s a statement: a loss for typical imports, no gain at a million rows
            cur.execute("SET LOCAL jit = off")
            districts = BoundarySet.objects.filter(slug="districts").values_list("id", flat=True).first()
            cur.execute(STAGE)
            cur.execute(DISTRICT_PIECES, {"set": districts})
            _copy_csv(cur, "COPY incident_stage FROM STDIN (FORMAT csv)", stage)
            params = {"source": source_system, "batch": batch.pk, "tolerance": settings.DISTRICT_JOIN_TOLERANCE_M}
            cur.execute(LOCK_SOURCE, params)
            inserted = updated = 0
            # merged in chunks, all in this one transaction: a progress bar for long imports
            with tqdm(total=len(stage), unit="row", desc="storing", disable=not show_bar, leave=False) as bar:
                for first in range(0, len(stage), CHUNK_ROWS):
                    cur.execute(PREPARE, params | {"first": first, "last": first + CHUNK_ROWS})
                    cur.execute(UPDATE_CHANGED, params)
                    updated += cur.fetchone()[0]
                    cur.execute(DROP_EXISTING, params)
                    cur.execute(INSERT_NEW, params)
                    inserted += cur.fetchone()[0]
                    bar.update(min(CHUNK_ROWS, len(stage) - first))
            if rejected_rows:
                raw = table.rows.loc[rejected_rows]
                frame = raw.assign(
                    _batch=batch.pk,
                    _row=raw.index,
                    _raw=[json.dumps(r, ensure_ascii=False) for r in raw.to_dict("records")],
                    _reasons=[json.dumps(checked.reasons[r], ensure_ascii=False) for r in rejected_rows],
                )[["_batch", "_row", "_raw", "_reasons"]]
                _copy_csv(cur, "COPY geo_bco_rejectedrow (batch_id, row_number, raw, reasons) FROM STDIN (FORMAT csv)", frame)
        batch.rows_total = len(table.rows)
        batch.inserted, batch.updated = inserted, updated
        batch.rejected = len(rejected_rows)
        batch.unchanged = len(accepted) - inserted - updated
        batch.status = ImportBatch.Status.COMPLETED
        batch.finished_at = timezone.now()
        batch.save()
    return ImportResult(batch.pk, batch.rows_total, inserted, updated, batch.unchanged, batch.rejected, False,
                        tuple(checked.file_messages))
