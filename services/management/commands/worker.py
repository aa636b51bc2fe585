"""``bco worker``: recover the runs a killed worker left behind, then run procrastinate's
worker on the analysis queue, and keep it running through database restarts.

procrastinate's worker stops when it loses its database connection (its listener
fails). Left alone, the job it was running stays ``doing`` and nothing runs until
someone restarts the worker. Here the worker waits for the database to answer again,
puts the run it lost back on the queue (its job is retried) and starts again.

``bco scheduler`` is the same process on a queue of its own that no task uses: what it
does is procrastinate's periodic deferrer, which queues the periodic tasks
(services/tasks.py: the nightly refresh, the recovery sweep) at their times for the
workers. Every worker defers them too (procrastinate's design; the database keeps one
job per period), so the schedule holds with or without a scheduler; a scheduler keeps
it when the workers run elsewhere or are all busy.

Signals: the first SIGTERM or SIGINT stops taking jobs and lets the running ones
finish (each is bounded by ``BCO_JOB_TIME_LIMIT_S``); a second one ends the process at
once (the next start recovers its run).
"""

import argparse
import asyncio
import signal
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection
from procrastinate.contrib.django import app
from procrastinate.exceptions import ConnectorException
from psycopg import Error as PsycopgError

from services.jobs.runs import recover_interrupted_runs

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
#: Longest pause between two attempts to reach the database after losing it (seconds).
MAX_RECONNECT_PAUSE_S = 10


async def work(*, queue: str, concurrency: int, wait: bool) -> bool:
    """Run procrastinate's worker until it stops. True when it was asked to stop (a signal)."""
    loop, this = asyncio.get_running_loop(), asyncio.current_task()
    asked = False

    def stop() -> None:
        nonlocal asked
        asked = True
        for sig in STOP_SIGNALS:  # a second signal takes the default action: the process ends now
            loop.remove_signal_handler(sig)
        this.cancel()  # procrastinate's own graceful stop: no new job, the running ones finish

    for sig in STOP_SIGNALS:
        loop.add_signal_handler(sig, stop)
    with app.replace_connector(app.connector.get_worker_connector()) as worker_app:
        try:
            async with worker_app.open_async():
                await worker_app.run_worker_async(queues=[queue], concurrency=concurrency, wait=wait,
                                                  install_signal_handlers=False)
        except asyncio.CancelledError:
            if not asked:
                raise
    return asked


def wait_for_database(say) -> None:
    pause = 1
    while True:
        connection.close()  # the connection that saw the server go is useless
        try:
            connection.ensure_connection()
            return
        except DatabaseError as exc:
            say(f"the database does not answer yet ({str(exc).strip().splitlines()[0]}); retrying in {pause} s")
            time.sleep(pause)
            pause = min(2 * pause, MAX_RECONNECT_PAUSE_S)


class Command(BaseCommand):
    help = ("Recover runs a killed worker left behind, then process the analysis queue (procrastinate worker); "
            "survives database restarts. SIGTERM: finish the running jobs, then stop.")

    def add_arguments(self, parser):
        parser.add_argument("--queue", default="analysis", help="queue to work (default analysis)")
        parser.add_argument("--concurrency", type=int, default=1)
        parser.add_argument("--wait", action=argparse.BooleanOptionalAction, default=True,
                            help="keep waiting for jobs (--no-wait: stop when the queue is empty)")

    def handle(self, *args, queue, concurrency, wait, **options):
        restarted = False
        while True:
            for message in recover_interrupted_runs(ours_too=restarted):
                self.stderr.write(message)
            try:
                if asyncio.run(work(queue=queue, concurrency=concurrency, wait=wait)) or not wait:
                    return
                reason = "its listener lost the database connection"
            except (ConnectorException, PsycopgError, DatabaseError) as exc:
                if not wait:
                    raise CommandError(f"the worker lost the database: {exc}") from exc
                reason = f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"
            self.stderr.write(f"worker stopped ({reason}); starting again once the database answers")
            wait_for_database(self.stderr.write)
            restarted = True
