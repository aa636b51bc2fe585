"""Import speed: our full import against a raw COPY of the same rows, on the same server.

    .venv/bin/python benchmarks/ingest.py [--rows 1000000] [--geocode-rows 100000]

Uses its own database (``<name>_bench`` next to DATABASE_URL's), created and migrated
if missing, so the figures never touch real data. Prints rows/s for:

* ours: read + validate + reproject + check against Belize's land and waters +
  COPY to a staging table + upsert + district join in PostGIS (one transaction);
* peer 1: ``COPY`` of the same CSV into a plain table with a primary key and a date index;
* peer 2: ``COPY`` of the same rows, already in the incident table's own columns, into a
  copy of that table with all its indexes (spatial index included): what storing the
  rows costs the database alone;
* ours, rows located by place name only (gazetteer), when --geocode-rows > 0.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def bench_database_url() -> str:
    import dj_database_url

    base = os.environ.get("DATABASE_URL", "postgres://geo_bco:geo_bco@127.0.0.1:5432/geo_bco")
    cfg = dj_database_url.parse(base)
    return base.rsplit("/", 1)[0] + f"/{cfg['NAME']}_bench"


def prepare(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "geo_bco.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from boundaries.loading import load_belize_reference

    load_belize_reference()


def reset() -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("TRUNCATE geo_bco_incident, geo_bco_rejectedrow, geo_bco_importbatch CASCADE")
        cur.execute("VACUUM ANALYZE geo_bco_incident")  # Django runs in autocommit here


def raw_copy(path: Path) -> float:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_raw_copy")
        cur.execute("CREATE TABLE bench_raw_copy (source_id text PRIMARY KEY, offence text, occurred_at timestamptz, "
                    "latitude double precision, longitude double precision, place text, district text)")
        cur.execute("CREATE INDEX ON bench_raw_copy (occurred_at)")
        started = time.perf_counter()
        with open(path, encoding="utf-8") as fh, cur.copy("COPY bench_raw_copy FROM STDIN (FORMAT csv, HEADER true)") as copy:
            while chunk := fh.read(1 << 20):
                copy.write(chunk)
        elapsed = time.perf_counter() - started
        cur.execute("DROP TABLE bench_raw_copy")
    return elapsed


def raw_copy_same_table(frame) -> float:
    """Peer 2: the same rows as the incident table's columns, COPY'd into a clone of it."""
    import io

    from django.db import connection

    rows = frame.assign(
        source_system="bench", offence_id=1,
        location="SRID=4326;POINT(" + frame["longitude"].astype(str) + " " + frame["latitude"].astype(str) + ")",
        geocode_precision="exact", geocode_method="wgs84", geocode_score=100.0, place_name=frame["place"],
        content_hash="0" * 32, created_at="2026-01-01T00:00:00Z", updated_at="2026-01-01T00:00:00Z",
    )[["source_system", "source_id", "offence_id", "occurred_at", "location", "geocode_precision", "geocode_method",
       "geocode_score", "place_name", "content_hash", "created_at", "updated_at"]]
    buffer = io.StringIO()
    rows.to_csv(buffer, index=False, header=False)
    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_incident_clone")
        cur.execute("CREATE TABLE bench_incident_clone (LIKE geo_bco_incident INCLUDING ALL)")
        started = time.perf_counter()
        with cur.copy(f"COPY bench_incident_clone ({', '.join(rows.columns)}) FROM STDIN (FORMAT csv)") as copy:
            copy.write(buffer.getvalue())
        elapsed = time.perf_counter() - started
        cur.execute("DROP TABLE bench_incident_clone")
    return elapsed


def ours(path: Path, **kwargs) -> tuple[float, object]:
    from geo_bco.ingest import import_file

    started = time.perf_counter()
    result = import_file(path, source_system="bench", force=True, progress=lambda line: print(f"    {line}"), **kwargs)
    return time.perf_counter() - started, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--geocode-rows", type=int, default=100_000)
    args = parser.parse_args()
    prepare(bench_database_url())
    from geo_bco.demo import generate

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "incidents.csv"
        frame = generate(args.rows, seed=11, bad_rows=0)
        frame.to_csv(path, index=False)
        print(f"{args.rows:,} rows with coordinates ({path.stat().st_size / 1e6:.0f} MB CSV), 2 cores")

        reset()
        peer = raw_copy(path)
        peer2 = raw_copy_same_table(frame)
        reset()
        took, result = ours(path)
        print(f"  peer 1, raw COPY into a plain indexed table:        {peer:6.1f} s  {args.rows / peer:>10,.0f} rows/s")
        print(f"  peer 2, raw COPY into a clone of the incident table: {peer2:6.1f} s  {args.rows / peer2:>10,.0f} rows/s")
        print(f"  geo-bco import (validated, boundary-joined):         {took:6.1f} s  {args.rows / took:>10,.0f} rows/s"
              f"  ({result.inserted:,} inserted, {result.rejected:,} rejected)")
        print(f"  ratio ours / peer 1: {peer / took:.2f}; ours / peer 2: {peer2 / took:.2f} (target >= 0.33)")

        if args.geocode_rows:
            from geo_bco.gazetteer import load_belize_gazetteer

            load_belize_gazetteer()
            by_place = generate(args.geocode_rows, seed=12, bad_rows=0).drop(columns=["latitude", "longitude"])
            places = Path(folder) / "by_place.csv"
            by_place.to_csv(places, index=False)
            reset()
            took, result = ours(places)
            print(f"  geo-bco import, located by place name: {args.geocode_rows:,} rows in {took:.1f} s  "
                  f"{args.geocode_rows / took:>10,.0f} rows/s  ({result.inserted:,} inserted, {result.rejected:,} rejected)")


if __name__ == "__main__":
    main()
