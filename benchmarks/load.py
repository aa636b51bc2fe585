"""Load: concurrent clients against the production server (`bco serve`, gunicorn), at 100k incidents.

    .venv/bin/python benchmarks/load.py [--clients 50] [--duration 300] [--think 1.0] [--rows 100000]

Uses its own database (``<name>_bench`` next to DATABASE_URL's, as benchmarks/ingest.py
and benchmarks/refresh.py do); imports ``--rows`` seeded synthetic incidents and computes
the KDE and per-district counts if the database does not hold them yet. Then starts
`bco serve` on 127.0.0.1 (loopback only; WEB_CONCURRENCY, BCO_DB_POOL_SIZE and
GUNICORN_CMD_ARGS from the environment, as in production) and runs ``--clients``
client threads for ``--duration`` seconds. Each client requests a route drawn from the
mix below (a seeded random generator; bounding boxes drawn inside Belize), waits for
the answer, then pauses ``--think`` seconds, as a person panning a map does (0: as
fast as the server answers). Every client has an address of its own (X-Forwarded-For,
one trusted proxy), so the rate limiter is on and sees 50 clients, not one.

Prints, per route: requests, errors (no answer or a status >= 500; a 429 is counted
apart), p50/p95/p99 latency; the server's PostgreSQL connections (pg_stat_activity,
sampled every second: peak and mean) against the bound WEB_CONCURRENCY x
BCO_DB_POOL_SIZE; and the machine's load average before and after. The peer figure is
``/api/methods/``: the same server, middleware and rate limiter, no data query.
Each worker's first requests (loading pygeoapi, Django's URLs) are sent before the
clock starts and not counted. Stops by itself: requests time out after 30 s and the
server is stopped at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from ingest import bench_database_url, prepare, reset  # noqa: E402  (shared bench database set-up)

ADDR = ("127.0.0.1", 8132)
APP_NAME = "bco-load-benchmark"
#: Belize, in longitude/latitude: bounding boxes of a map view are drawn inside it
BELIZE = (-89.2, 15.9, -88.1, 18.5)
#: (route, weight, path template): what a map user's browser and a QGIS user ask for
MIX = [
    ("map page", 1, "/"),
    ("REST layers manifest", 1, "/api/layers/"),
    ("tiles: incidents", 4, "/tiles/incidents/{tile}.mvt"),
    ("tiles: kde", 2, "/tiles/kde/{tile}.mvt"),
    ("REST kde layer", 1, "/api/layers/kde/"),
    ("REST incidents in bbox", 1, "/api/incidents/?in_bbox={bbox}"),
    ("OGC incidents items bbox", 3, "/ogcapi/collections/incidents/items?bbox={bbox}&limit=100&f=json"),
    ("OGC kde items", 1, "/ogcapi/collections/kde/items?limit=100&f=json"),
    ("CompStat dashboard", 1, "/dashboard/"),
    ("peer: /api/methods/ (no data query)", 1, "/api/methods/"),
]


def ensure_data(rows: int) -> None:
    """``rows`` seeded incidents (a few fall outside Belize and are rejected), the public
    projection, and a KDE and area-counts run."""
    from django.conf import settings

    from geo_bco.demo import write_csv
    from geo_bco.ingest import import_file
    from geo_bco.models import AnalysisRun, ImportBatch
    from services.projections import refresh_incidents
    from services.refresh import refresh

    settings.BCO_REFRESH_AFTER_IMPORT = False
    done = ImportBatch.objects.filter(source_system="bench", status="completed")
    if list(done.values_list("rows_total", flat=True)) != [rows]:
        reset()
        with tempfile.TemporaryDirectory() as folder:
            print(f"importing {rows:,} synthetic incidents ...", flush=True)
            import_file(write_csv(Path(folder) / "incidents.csv", rows=rows, seed=2026, bad_rows=0),
                        source_system="bench")
        AnalysisRun.objects.all().delete()
    refresh_incidents()
    if not AnalysisRun.objects.filter(method="kde", status="succeeded").exists():
        settings.BCO_REFRESH_METHODS, settings.BCO_REFRESH_PER_CATEGORY = ["kde", "area-counts"], False
        print("computing the KDE and counts per district ...", flush=True)
        refresh(say=print)


@contextlib.contextmanager
def server(url: str, log_path: Path):
    env = os.environ | {"DATABASE_URL": url, "PGAPPNAME": APP_NAME, "BCO_TRUSTED_PROXY_COUNT": "1",
                        "DJANGO_SETTINGS_MODULE": "geo_bco.settings"}
    env.pop("DEBUG", None)
    with open(log_path, "wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "geo_bco.cli", "serve", f"{ADDR[0]}:{ADDR[1]}"],
                                   env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(OSError), socket.create_connection(ADDR, timeout=1):
                break
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"bco serve did not start; see {log_path}")
            time.sleep(0.2)
        yield
    finally:
        process.terminate()
        process.wait(timeout=60)


def random_bbox(rng: random.Random) -> str:
    """A map view of 5-30 km across, inside Belize."""
    size = rng.uniform(0.05, 0.3)
    x, y = rng.uniform(BELIZE[0], BELIZE[2] - size), rng.uniform(BELIZE[1], BELIZE[3] - size)
    return f"{x:.4f},{y:.4f},{x + size:.4f},{y + size:.4f}"


def random_tile(rng: random.Random) -> str:
    """A tile a map view of Belize asks for: zoom 7-15, inside the country."""
    z = rng.randint(7, 15)
    lon, lat = rng.uniform(BELIZE[0], BELIZE[2]), rng.uniform(BELIZE[1], BELIZE[3])
    x = int((lon + 180) / 360 * 2**z)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * 2**z)
    return f"{z}/{x}/{y}"


def url_of(template: str, rng: random.Random) -> str:
    return f"http://{ADDR[0]}:{ADDR[1]}" + template.format(bbox=random_bbox(rng), tile=random_tile(rng))


def client(number: int, stop_at: float, think: float, seed: int, results: list) -> None:
    rng = random.Random(seed * 1000 + number)
    names, weights = [m[0] for m in MIX], [m[1] for m in MIX]
    paths = {m[0]: m[2] for m in MIX}
    forwarded = f"10.1.{number // 250}.{number % 250 + 1}"
    while time.monotonic() < stop_at:
        route = rng.choices(names, weights)[0]
        request = urllib.request.Request(url_of(paths[route], rng), headers={"X-Forwarded-For": forwarded})
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                response.read()
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        except OSError:
            status = 0  # no answer
        results.append((route, status, time.perf_counter() - started))
        if think:
            time.sleep(rng.uniform(0.5 * think, 1.5 * think))


def warm_up(rounds: int = 3) -> float:
    """Each gunicorn worker's first requests load pygeoapi and Django's URLs (seconds each): not counted.
    Returns the seconds it took."""
    started = time.monotonic()
    rng = random.Random(0)
    for _ in range(rounds * int(os.environ.get("WEB_CONCURRENCY", "2"))):
        for _, _, path in MIX:
            with contextlib.suppress(OSError):
                urllib.request.urlopen(url_of(path, rng), timeout=60).read()
    return time.monotonic() - started


def sample_connections(url: str, stop: threading.Event, samples: list) -> None:
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        while not stop.wait(1.0):
            samples.append(conn.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = %s",
                                        [APP_NAME]).fetchone()[0])


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def report(results: list, samples: list, duration: float, clients: int, think: float) -> None:
    by_route = defaultdict(list)
    for route, status, seconds in results:
        by_route[route].append((status, seconds))
    print(f"\n{clients} clients, {duration:.0f} s, think time {think:g} s: {len(results):,} requests "
          f"({len(results) / duration:.1f}/s)")
    print(f"{'route':<38} {'requests':>8} {'errors':>6} {'429':>5} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for route, _, _ in MIX:
        answers = by_route.get(route, [])
        if not answers:
            continue
        ms = [s * 1000 for _, s in answers]
        errors = sum(1 for status, _ in answers if status == 0 or status >= 500)
        limited = sum(1 for status, _ in answers if status == 429)
        print(f"{route:<38} {len(answers):>8} {errors:>6} {limited:>5} {percentile(ms, .5):>8.0f} "
              f"{percentile(ms, .95):>8.0f} {percentile(ms, .99):>8.0f}")
    ms = [s * 1000 for _, _, s in results]
    errors = sum(1 for _, status, _ in results if status == 0 or status >= 500)
    print(f"{'all':<38} {len(results):>8} {errors:>6} {sum(1 for r in results if r[1] == 429):>5} "
          f"{percentile(ms, .5):>8.0f} {percentile(ms, .95):>8.0f} {percentile(ms, .99):>8.0f}"
          "   target: 0 errors, p95 < 500 ms")
    workers, pool = os.environ.get("WEB_CONCURRENCY", "2"), os.environ.get("BCO_DB_POOL_SIZE", "4")
    print(f"server connections to PostgreSQL: peak {max(samples, default=0)}, mean "
          f"{sum(samples) / max(len(samples), 1):.1f} (bound: WEB_CONCURRENCY {workers} x BCO_DB_POOL_SIZE {pool})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=300, help="seconds of load (default 300)")
    parser.add_argument("--think", type=float, default=1.0, help="mean pause between a client's requests (s)")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args()
    if not 1 <= args.clients <= 500 or not 0 < args.duration <= 3600:
        parser.error("--clients must be 1-500 and --duration 0-3600 s")
    url = bench_database_url()
    prepare(url)
    ensure_data(args.rows)
    print(f"load average before: {os.getloadavg()[0]:.2f} (1 min), {os.cpu_count()} cores")
    results, samples, stop = [], [], threading.Event()
    with tempfile.TemporaryDirectory() as folder, server(url, Path(folder) / "server.log"):
        print(f"warm-up (not counted): {warm_up():.1f} s", flush=True)
        sampler = threading.Thread(target=sample_connections, args=(url, stop, samples), daemon=True)
        sampler.start()
        stop_at = time.monotonic() + args.duration
        threads = [threading.Thread(target=client, args=(n, stop_at, args.think, args.seed, results))
                   for n in range(args.clients)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
        stop.set()
        sampler.join(timeout=5)
    print(f"load average after: {os.getloadavg()[0]:.2f} (1 min)")
    report(results, samples, elapsed, args.clients, args.think)


if __name__ == "__main__":
    main()
