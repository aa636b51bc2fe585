"""``bco serve [ADDR]``: the production server (gunicorn); ``--dev`` runs Django's development server."""

from __future__ import annotations

import os
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError


def positive_env(name: str, default: int, what: str) -> int:
    value = os.environ.get(name, "").strip() or str(default)
    if not value.isdigit() or int(value) < 1:
        raise CommandError(f"{name}={value!r}: expected a whole number of {what}, at least 1")
    return int(value)


class Command(BaseCommand):
    help = ("Serve the site on ADDR (default 127.0.0.1:8000) with gunicorn: WEB_CONCURRENCY worker processes "
            "(default 2) of BCO_WEB_THREADS threads each (default 4: a thread waiting for PostgreSQL leaves the "
            "core to another; at most BCO_DB_POOL_SIZE, the connections a process holds), static files from STATIC_ROOT (run `bco collectstatic` first), each request at most "
            "BCO_WEB_TIMEOUT seconds (default 300: uploads import while the client waits).")
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("addr", nargs="?", default="127.0.0.1:8000", help="host:port to listen on")
        parser.add_argument("--dev", action="store_true", help="Django's auto-reloading development server instead")

    def handle(self, *args, addr, dev, **opts):
        if dev:
            call_command("runserver", addr)
            return
        argv = [sys.executable, "-m", "gunicorn", "geo_bco.wsgi:application", "--bind", addr,
                "--workers", str(positive_env("WEB_CONCURRENCY", 2, "worker processes")),
                "--threads", str(positive_env("BCO_WEB_THREADS", 4, "threads per worker")),
                "--timeout", str(positive_env("BCO_WEB_TIMEOUT", 300, "seconds")),
                "--access-logfile", "-"]
        sys.stdout.flush()
        os.execv(sys.executable, argv)  # gunicorn takes over this process: signals reach it directly
