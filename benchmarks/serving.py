"""Serving speed: the OGC API and tiles under gunicorn, ours against pygeoapi's stock
PostgreSQL provider over the same table on the same server (and tipg, when installed).

    .venv/bin/python benchmarks/serving.py [--incidents 100000 1000000] [--clients 8] [--seconds 10]
                                          [--port 8114] [--tipg /path/to/venv/bin/uvicorn]

Needs ``pip install -e .[bench]`` (psycopg2 for the stock provider, gunicorn); tipg
pins its own FastAPI/pydantic stack, so give it a virtualenv of its own
(``python3 -m venv /tmp/tipg && /tmp/tipg/bin/pip install tipg uvicorn``).

Uses its own database (``<name>_bench`` next to DATABASE_URL's, as benchmarks/ingest.py
does), loads synthetic incidents with the project's import, and stores the public
incident view as a materialized view of the same name with a GIST index (what the
public projections become in production), so every server reads the same stored rows.
Loopback only; each request kind runs for ``--seconds`` with ``--clients`` threads.

Prints, per scale: requests/s, p50 and p95 for items?limit=100, a bbox page over
Belize City (limit=1000), both again as pages not served before (a new ``after=``, a
box moved a little: ours answers a page it has served from memory), one item by id,
a CQL2 filter, the first and the last page of a full read (ours: the keyset ``next``
link's form; stock: its OFFSET form), and tiles z12 and z14 over Belize City (cold:
first render; warm: from the cache).
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.ingest import bench_database_url, prepare, reset  # noqa: E402

BELIZE_CITY_BBOX = "-88.25,17.47,-88.15,17.53"
TILES = {12: (1044, 1845), 14: (4178, 7382)}  # the tiles holding Belize City


def store_public_view() -> None:
    """Bring the stored public projection (a GIST-indexed materialized view) up to date."""
    from django.db import connection

    from services.projections import refresh_incidents

    refresh_incidents()
    with connection.cursor() as cur:
        cur.execute("ANALYZE public_incidents")


def load(n: int) -> None:
    from geo_bco.demo import generate
    from geo_bco.ingest import import_file

    reset()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "incidents.csv"
        generate(n, seed=13, bad_rows=0).to_csv(path, index=False)
        started = time.perf_counter()
        import_file(path, source_system="bench", force=True)
    store_public_view()
    print(f"  loaded {n:,} incidents in {time.perf_counter() - started:.0f} s", flush=True)


class Server:
    """A server process on loopback, stopped by its own pid."""

    def __init__(self, argv: list[str], url: str, env: dict):
        self.url = url
        try:
            requests.get(url, timeout=5)
            raise RuntimeError(f"something already answers at {url}: stop it or pass another --port")
        except requests.ConnectionError:
            pass
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(url, timeout=30).status_code < 500:
                    return
            except (requests.ConnectionError, requests.Timeout):
                time.sleep(0.5)
        self.stop()
        self.log.seek(0)
        raise RuntimeError(f"{argv[0]} did not answer at {url}:\n{self.log.read()[-3000:].decode(errors='replace')}")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def gunicorn(port: int, db_url: str) -> Server:
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    env = {**os.environ, "DATABASE_URL": db_url, "PYTHONPATH": path, "DEBUG": "0", "SECRET_KEY": "bench-only",
           "BCO_PUBLIC_URL": f"http://127.0.0.1:{port}", "ALLOWED_HOSTS": "127.0.0.1",
           "BCO_RATE_LIMIT": "0"}  # one client address asks for hundreds a second: the limiter would answer 429
    argv = [str(Path(sys.executable).with_name("gunicorn")), "benchmarks.serving_wsgi:application",
            "--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "4", "--timeout", "120"]
    return Server(argv, f"http://127.0.0.1:{port}/ogcapi", env)


def tipg(uvicorn: str, port: int, db_url: str) -> Server:
    env = {**os.environ, "DATABASE_URL": db_url.replace("postgres://", "postgresql://"),
           "TIPG_DB_SCHEMAS": '["public"]'}
    argv = [uvicorn, "tipg.main:app", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"]
    return Server(argv, f"http://127.0.0.1:{port}/collections", env)


class Client:
    """One HTTP/1.1 connection kept open (``http.client``, gzip accepted, the body read
    whole but not decoded), as every measured request is made.

    The load generator shares the 2 cores with the servers, and ``requests`` cost ~1.5 ms
    of CPU per request (most of a core at the rates measured here): the figures would be
    the client's rather than the server's.
    """

    def __init__(self):
        self.connection: http.client.HTTPConnection | None = None

    def get(self, url: str) -> int:
        """The status of a GET of ``url`` (0 when the connection failed)."""
        parts = urllib.parse.urlsplit(url)
        try:
            if self.connection is None:
                self.connection = http.client.HTTPConnection(parts.netloc, timeout=300)
            self.connection.request("GET", f"{parts.path}?{parts.query}", headers={"Accept-Encoding": "gzip"})
            response = self.connection.getresponse()
            response.read()
            if response.will_close:
                self.close()
            return response.status
        except (OSError, http.client.HTTPException):
            self.close()
            return 0

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def hammer(urls, clients: int, seconds: float) -> dict:
    """``clients`` threads request ``urls()`` for ``seconds``; latencies of 200 answers."""
    latencies, errors, stop = [], [0], time.monotonic() + seconds

    def client():
        connection = Client()
        while time.monotonic() < stop:
            url = urls()
            started = time.perf_counter()
            if connection.get(url) == 200:
                latencies.append(time.perf_counter() - started)
            else:
                errors[0] += 1
        connection.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return figures(latencies, time.perf_counter() - started, errors[0])


def figures(latencies: list[float], elapsed: float, errors: int = 0) -> dict:
    if not latencies:
        return {"rps": 0.0, "p50": float("nan"), "p95": float("nan"), "n": 0, "errors": errors}
    ordered = sorted(latencies)
    return {"rps": len(ordered) / elapsed, "p50": statistics.median(ordered) * 1000,
            "p95": ordered[int(0.95 * (len(ordered) - 1))] * 1000, "n": len(ordered), "errors": errors}


def once(urls: list[str]) -> dict:
    """One client, each URL once: pages a few rows apart, each rendered for the first
    time (for pages whose cost depends on their depth)."""
    latencies, client = [], Client()
    for url in urls:
        started = time.perf_counter()
        if client.get(url) == 200:
            latencies.append(time.perf_counter() - started)
    client.close()
    return figures(latencies, sum(latencies) or 1.0, len(urls) - len(latencies))


def report(name: str, who: str, f: dict) -> None:
    print(f"  {name:<34} {who:<7} {f['rps']:8.1f} req/s  p50 {f['p50']:8.1f} ms  p95 {f['p95']:8.1f} ms"
          f"  ({f['n']} ok, {f['errors']} failed)", flush=True)


def shifted_box(rng: random.Random) -> str:
    """A box of Belize City's size moved by up to 5 km: a page no server has seen yet
    (ours keeps the pages it served until the data change; this measures a first render)."""
    dx, dy = rng.randint(-50, 50) / 1000, rng.randint(-50, 50) / 1000
    x0, y0, x1, y1 = (float(v) for v in BELIZE_CITY_BBOX.split(","))
    return f"{x0 + dx:.3f},{y0 + dy:.3f},{x1 + dx:.3f},{y1 + dy:.3f}"


def public_ids() -> list[int]:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT id FROM public_incidents ORDER BY id")
        return [row[0] for row in cur.fetchall()]


def run_scale(n: int, args, db_url: str) -> None:
    load(n)
    ids = public_ids()
    rng = random.Random(13)
    total, limit = len(ids), 1000
    server = gunicorn(args.port, db_url)
    try:
        base = server.url
        peers = {"ours": f"{base}/collections/incidents", "stock": f"{base}/collections/incidents-stock"}
        warm_up([f"{coll}/items?limit=10" for coll in peers.values()] + [f"{peers['ours']}/items/{ids[0]}"])
        print(f"\n{n:,} incidents imported, {total:,} public; {args.clients} clients, {args.seconds:.0f} s each, "
              f"gunicorn 2 workers x 4 threads", flush=True)
        for who, coll in peers.items():
            report("items?limit=100", who, hammer(lambda c=coll: f"{c}/items?limit=100", args.clients, args.seconds))
        for who, coll in peers.items():
            report("bbox Belize City, limit=1000", who, hammer(
                lambda c=coll: f"{c}/items?bbox={BELIZE_CITY_BBOX}&limit=1000", args.clients, args.seconds))
        for who, coll in peers.items():
            report("bbox near Belize City, new each time", who, hammer(
                lambda c=coll: f"{c}/items?bbox={shifted_box(rng)}&limit=1000", args.clients, args.seconds))
        report("items?limit=100, new after= each time", "ours", hammer(
            lambda: f"{peers['ours']}/items?limit=100&after={rng.choice(ids)}", args.clients, args.seconds))
        for who, coll in peers.items():
            report("one item by id", who, hammer(lambda c=coll: f"{c}/items/{rng.choice(ids)}", args.clients, args.seconds))
        for who, coll in peers.items():
            report("CQL2 category='property', limit=100", who, hammer(
                lambda c=coll: f"{c}/items?filter=category%3D%27property%27&limit=100", args.clients, args.seconds))
        sizes = range(limit, limit - 5, -1)  # five pages of ~1000, none served before
        ours, stock = peers["ours"], peers["stock"]
        report("full read: first page (1000)", "ours", once([f"{ours}/items?limit={n}" for n in sizes]))
        report("full read: last page (1000)", "ours", once(
            [f"{ours}/items?limit={n}&after={ids[total - n - 1]}" for n in sizes]))
        report("full read: first page (1000)", "stock", once([f"{stock}/items?limit={n}" for n in sizes]))
        report("full read: last page (1000)", "stock", once(
            [f"{stock}/items?limit={n}&offset={total - n}" for n in sizes]))
        site = base.rsplit("/ogcapi", 1)[0]
        for z, (x, y) in TILES.items():
            neighbours = [f"{site}/tiles/incidents/{z}/{x + dx}/{y + dy}.mvt" for dx in (-1, 0, 1) for dy in (-1, 0, 1)]
            client = Client()
            report(f"tile z{z} cold (9 tiles, 1st render)", "ours", figures(
                [timed(url, client) for url in neighbours], 1.0))
            client.close()
            report(f"tile z{z} warm (cached)", "ours", hammer(lambda u=neighbours[4]: u, args.clients, args.seconds))
    finally:
        server.stop()
    if args.tipg:
        tipg_run(args, db_url, ids, rng)


def warm_up(urls: list[str], rounds: int = 4) -> None:
    """Each gunicorn worker's first OGC requests build pygeoapi's OpenAPI document and API
    object (seconds): not what is measured. ``rounds`` x 8 concurrent requests per URL."""
    for url in urls:
        for _ in range(rounds):
            threads = [threading.Thread(target=requests.get, args=(url,), kwargs={"timeout": 120}) for _ in range(8)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()


def timed(url: str, client: Client) -> float:
    started = time.perf_counter()
    if (status := client.get(url)) != 200:
        raise RuntimeError(f"{url} answered {status}")
    return time.perf_counter() - started


def tipg_run(args, db_url: str, ids: list[int], rng: random.Random) -> None:
    server = tipg(args.tipg, args.port + 1, db_url)
    try:
        coll = f"http://127.0.0.1:{args.port + 1}/collections/public.public_incidents"
        report("items?limit=100", "tipg", hammer(lambda: f"{coll}/items?limit=100", args.clients, args.seconds))
        report("bbox Belize City, limit=1000", "tipg", hammer(
            lambda: f"{coll}/items?bbox={BELIZE_CITY_BBOX}&limit=1000", args.clients, args.seconds))
        report("bbox near Belize City, new each time", "tipg", hammer(
            lambda: f"{coll}/items?bbox={shifted_box(rng)}&limit=1000", args.clients, args.seconds))
        report("one item by id", "tipg", hammer(lambda: f"{coll}/items/{rng.choice(ids)}", args.clients, args.seconds))
        report("CQL2 category='property', limit=100", "tipg", hammer(
            lambda: f"{coll}/items?filter=category%3D%27property%27&limit=100", args.clients, args.seconds))
        total = len(ids)
        report("full read: last page (1000)", "tipg", once(
            [f"{coll}/items?limit={n}&offset={total - n}" for n in range(1000, 995, -1)]))
        for z, (x, y) in TILES.items():
            url = f"{coll}/tiles/WebMercatorQuad/{z}/{x}/{y}"
            report(f"tile z{z} (no cache)", "tipg", hammer(lambda u=url: u, args.clients, args.seconds))
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--incidents", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--port", type=int, default=8114)
    parser.add_argument("--tipg", help="a uvicorn that can import tipg (e.g. a separate venv's bin/uvicorn)")
    args = parser.parse_args()
    db_url = bench_database_url()
    prepare(db_url)
    print(f"serving benchmark on {os.cpu_count()} cores, database {db_url.rsplit('/', 1)[1]}")
    for n in args.incidents:
        run_scale(n, args, db_url)


if __name__ == "__main__":
    main()
