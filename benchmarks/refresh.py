"""The standard refresh (the runs queued after every import), timed job by job.

    .venv/bin/python benchmarks/refresh.py [--rows 100000 1000000]

Uses its own database (``<name>_bench`` next to DATABASE_URL's), like
benchmarks/ingest.py. For each size: import that many seeded synthetic incidents
(geo_bco/demo.py; not timed here, see ingest.py), refresh the public incident
projection, then run the standard set (BCO_REFRESH_METHODS over all offences and per
category, BCO_REFRESH_PARAMETERS) synchronously and print, per method: runs, wall
time, time inside ``spatial_analysis`` (every library function a job calls is timed
where the job calls it) and the rest (database reads and writes, grids of boundaries,
Python glue), and the share spent outside ``spatial_analysis``. The whole refresh also
writes the month's bulletin and pre-renders the national tiles after its runs; those
seconds are in the "all" line and printed apart beneath it.
"""

from __future__ import annotations

import argparse
import functools
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from ingest import bench_database_url, prepare, reset  # noqa: E402  (shared bench database set-up)

LIBRARY_SECONDS: dict[str, float] = defaultdict(float)  #: method -> seconds inside spatial_analysis
CURRENT = {"method": ""}


def time_library_calls() -> None:
    """Wrap each spatial_analysis function as the job modules see it, and each job, so
    the library's time is added to the method whose job called it. Every module of
    ``services.jobs`` is wrapped (the jobs and their shared helpers such as the cells),
    so a new kind's job is timed without an edit here; a library class (the forecast's
    selector) is replaced by a subclass whose public methods are timed."""
    import dataclasses
    import importlib
    import inspect
    import pkgutil

    from services import jobs, layers

    for info in pkgutil.iter_modules(jobs.__path__):
        module = importlib.import_module(f"services.jobs.{info.name}")
        for name, value in list(vars(module).items()):
            if not (callable(value) and getattr(value, "__module__", "").startswith("spatial_analysis")):
                continue
            if inspect.isclass(value):
                methods = {attr: _timed(f) for attr, f in inspect.getmembers(value, inspect.isfunction)
                           if not attr.startswith("_")}
                setattr(module, name, type(value.__name__, (value,), methods))
            else:
                setattr(module, name, _timed(value))
    for name, kind in layers.REGISTRY.items():
        layers.REGISTRY[name] = dataclasses.replace(kind, job=_current(name, kind.job))


#: seconds of the steps ``refresh()`` takes after the runs (the month's bulletin, the pre-rendered tiles)
AFTER_SECONDS: dict[str, float] = defaultdict(float)


def time_after_steps() -> None:
    """Time the bulletin and the tile pre-render that ``refresh()`` calls after its runs
    (it imports them when it calls them, so wrapping the module attributes is enough)."""
    from services import bulletins
    from services.tiles import prerender

    for label, module, name in (("bulletin", bulletins, "write_missing"), ("tile pre-render", prerender, "prerender")):
        setattr(module, name, _timed(getattr(module, name), AFTER_SECONDS, lambda label=label: label))


def _current(method: str, job):
    @functools.wraps(job)
    def wrapper(*args, **kwargs):
        CURRENT["method"] = method
        return job(*args, **kwargs)

    return wrapper


def _timed(func, totals: dict[str, float] = LIBRARY_SECONDS, key=lambda: CURRENT["method"]):
    """``func``, adding its seconds to ``totals[key()]`` (by default: the library time of
    the current method); a timed call inside another (a method calling another) counts once."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        if CURRENT.get("timing"):
            return func(*args, **kwargs)
        CURRENT["timing"] = True
        started = time.perf_counter()
        try:
            return func(*args, **kwargs)
        finally:
            CURRENT["timing"] = False
            totals[key()] += time.perf_counter() - started

    return wrapper


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    args = parser.parse_args()
    prepare(bench_database_url())
    import os

    os.environ["BCO_REFRESH_AFTER_IMPORT"] = "0"
    from django.conf import settings

    settings.BCO_REFRESH_AFTER_IMPORT = False
    from geo_bco.demo import write_csv
    from geo_bco.ingest import import_file
    from services.projections import refresh_incidents
    from services.refresh import refresh, standard_set

    time_library_calls()
    time_after_steps()
    print(f"standard set: {len(standard_set())} runs: {settings.BCO_REFRESH_METHODS}, per category "
          f"{settings.BCO_REFRESH_PER_CATEGORY}, parameters {settings.BCO_REFRESH_PARAMETERS}")
    for rows in args.rows:
        reset()
        with tempfile.TemporaryDirectory() as folder:
            path = write_csv(Path(folder) / "incidents.csv", rows=rows, seed=2026, bad_rows=0)
            started = time.perf_counter()
            import_file(path, source_system="bench")
            imported = time.perf_counter() - started
        started = time.perf_counter()
        refresh_incidents()
        projection = time.perf_counter() - started
        LIBRARY_SECONDS.clear()
        AFTER_SECONDS.clear()
        walls: dict[str, float] = defaultdict(float)
        counts: dict[str, int] = defaultdict(int)
        # a fresh bulletin folder: each size writes the month's bulletin, as the first refresh of a month does
        settings.BCO_BULLETIN_DIR = Path(tempfile.mkdtemp(prefix="bench-bulletins-"))
        started = time.perf_counter()
        for run in refresh(say=lambda _line: None):
            walls[run.method] += (run.finished_at - run.started_at).total_seconds()
            counts[run.method] += 1
        total = time.perf_counter() - started
        shutil.rmtree(settings.BCO_BULLETIN_DIR)
        print(f"\n{rows:,} incidents (import {imported:.1f} s, public projection refresh {projection:.1f} s)")
        print(f"{'method':<12} {'runs':>4} {'wall s':>8} {'library s':>10} {'rest s':>8} {'outside':>8}")
        lib_total = 0.0
        for method, wall in walls.items():
            lib = LIBRARY_SECONDS[method]
            lib_total += lib
            print(f"{method:<12} {counts[method]:>4} {wall:>8.1f} {lib:>10.1f} {wall - lib:>8.1f} "
                  f"{(wall - lib) / wall:>8.0%}")
        after = sum(AFTER_SECONDS.values())
        print(f"{'all':<12} {sum(counts.values()):>4} {total:>8.1f} {lib_total:>10.1f} {total - lib_total:>8.1f} "
              f"{(total - lib_total) / total:>8.0%}   target: whole set under 30 s at 100k")
        print(f"  of which after the runs: {after:.1f} s ("
              + ", ".join(f"{label} {seconds:.1f} s" for label, seconds in AFTER_SECONDS.items())
              + f"); the runs and their records: {total - after:.1f} s, {total - after - lib_total:.1f} s of it "
              f"outside spatial_analysis ({(total - after - lib_total) / (total - after):.0%})")


if __name__ == "__main__":
    main()
