"""``bco prod start|stop|status``: the production topology without containers.

Three processes, as docker/compose.yml runs them: the web tier (`bco serve`,
gunicorn), the analysis worker (`bco worker`) and the scheduler (`bco scheduler`).
Each runs in its own session with a PID file in ``BCO_VAR_DIR/run/`` and its output
appended to ``BCO_VAR_DIR/log/<name>.log``. ``start`` migrates first and waits until
the web tier answers ``/healthz``; ``stop`` sends SIGTERM (the worker finishes its
running analysis first) and waits; ``status`` exits 0 only when all three run.
A process that dies is not restarted here: that is the job of the service manager
(systemd's ``Restart=``, compose's ``restart:``); `bco worker` itself survives
database restarts.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

PROCESSES = ("web", "worker", "scheduler")


def running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Command(BaseCommand):
    help = "Start, stop or show the production processes (web, worker, scheduler) with PID files and logs under var/."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["start", "stop", "status"])
        parser.add_argument("--addr", default=os.environ.get("BCO_ADDR", "127.0.0.1:8000"),
                            help="host:port the web tier listens on (default BCO_ADDR or 127.0.0.1:8000)")
        parser.add_argument("--timeout", type=float, default=120,
                            help="seconds to wait for the web tier to answer, or for a process to stop")

    def handle(self, *args, action, addr, timeout, **options):
        self.run_dir, self.log_dir = settings.VAR_DIR / "run", settings.VAR_DIR / "log"
        getattr(self, action)(addr=addr, timeout=timeout)

    # --- PID files ------------------------------------------------------------------
    def pid_file(self, name: str) -> Path:
        return self.run_dir / f"{name}.pid"

    def pid(self, name: str) -> int | None:
        """The PID of a running process of ours, or None (a stale PID file is removed)."""
        try:
            pid = int(self.pid_file(name).read_text())
        except (OSError, ValueError):
            return None
        if running(pid):
            return pid
        self.pid_file(name).unlink(missing_ok=True)
        return None

    # --- actions --------------------------------------------------------------------
    def start(self, *, addr: str, timeout: float) -> None:
        if all(self.pid(name) for name in PROCESSES):
            self.stdout.write("already running")
            return
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        commands = {"web": ["serve", addr], "worker": ["worker"], "scheduler": ["scheduler"]}
        for name in PROCESSES:
            if self.pid(name):
                continue
            with open(self.log_dir / f"{name}.log", "ab") as log:
                process = subprocess.Popen([sys.executable, "-m", "geo_bco.cli", *commands[name]],
                                           stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                           start_new_session=True)  # not stopped by the shell's Ctrl-C
            self.pid_file(name).write_text(str(process.pid))
            self.stdout.write(f"{name}: started, pid {process.pid}, log {self.log_dir / f'{name}.log'}")
        self.wait_for_web(addr, timeout)
        self.stdout.write(f"serving on http://{addr}/")

    def wait_for_web(self, addr: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"http://{addr}/healthz", timeout=5):
                    return
            except (OSError, urllib.error.URLError):
                if not self.pid("web") or time.monotonic() > deadline:
                    raise CommandError(f"the web tier does not answer on {addr}; see {self.log_dir / 'web.log'}")
                time.sleep(0.5)

    def stop(self, *, timeout: float, **_) -> None:
        pids = {name: pid for name in PROCESSES if (pid := self.pid(name))}
        for name, pid in pids.items():
            os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for name, pid in pids.items():
            while running(pid) and time.monotonic() < deadline:
                time.sleep(0.2)
            if running(pid):
                os.kill(pid, signal.SIGKILL)  # its run is recovered at the next start
                self.stdout.write(f"{name}: did not stop within {timeout:g} s; killed")
            else:
                self.stdout.write(f"{name}: stopped")
            self.pid_file(name).unlink(missing_ok=True)
        if not pids:
            self.stdout.write("not running")

    def status(self, **_) -> None:
        pids = {name: self.pid(name) for name in PROCESSES}
        for name, pid in pids.items():
            self.stdout.write(f"{name}: {'running, pid ' + str(pid) if pid else 'not running'}")
        if not all(pids.values()):
            sys.exit(3)  # LSB: program is not running
