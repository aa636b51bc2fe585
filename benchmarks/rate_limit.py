"""What the rate limiter costs a request: its one statement against the cheapest round trip.

Run:  DATABASE_URL=... .venv/bin/python benchmarks/rate_limit.py

Prints, in one run on one connection (the database named by DATABASE_URL, migrated):

- ours: ``services.ratelimit.seconds_to_wait`` (the GCRA upsert on the UNLOGGED bucket
  table), over CLIENTS distinct clients, so rows are inserted and updated;
- the peer: ``SELECT 1`` on the same connection, i.e. the round trip any statement pays;

each as the median per call over REPEATS rounds of CALLS calls. Writes only bucket rows
under the made-up client names ``bench-*``, and deletes them at the end.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "geo_bco.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from services.ratelimit import TABLE, seconds_to_wait  # noqa: E402

CALLS, REPEATS, CLIENTS = 2000, 5, 200


def per_call_us(call) -> float:
    rounds = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        for i in range(CALLS):
            call(i)
        rounds.append((time.perf_counter() - started) / CALLS * 1e6)
    return statistics.median(rounds)


def select_one(_i: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def main() -> None:
    ours = per_call_us(lambda i: seconds_to_wait(f"bench-{i % CLIENTS}", rate=15.0, burst=30))
    peer = per_call_us(select_one)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE client LIKE 'bench-%%'")
    print(f"rate limiter, one request's check: {ours:7.1f} us per call (median of {REPEATS} x {CALLS})")
    print(f"peer, SELECT 1 on the same connection: {peer:7.1f} us per call")
    print(f"overhead beyond one round trip: {ours - peer:7.1f} us")


if __name__ == "__main__":
    main()
