"""Real processes for the tests that need them: `bco serve` (gunicorn), `bco worker`,
`bco import`, started as subprocesses against the test database (or another one)."""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def database_url(name: str | None = None, password: str | None = None, port: int | None = None) -> str:
    """The test database's URL (or another database on the same server, or on ``port``)."""
    db = settings.DATABASES["default"]
    return (f"postgres://{db['USER']}:{password or db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:"
            f"{port or db['PORT'] or 5432}/{name or db['NAME']}")


def wait_for(predicate, timeout: float = 60, what: str = "the condition") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.1)


def bco_env(**env: str) -> dict[str, str]:
    """The environment of a `bco` subprocess: the test database, no refresh after imports, ``env`` on top."""
    return {**os.environ, "DATABASE_URL": database_url(), "BCO_REFRESH_AFTER_IMPORT": "0"} | env


def bco(*args: str, env: dict[str, str] | None = None, **popen) -> subprocess.Popen:
    """Start ``bco ARGS`` (this worktree's code) as a subprocess."""
    return subprocess.Popen([sys.executable, "-m", "geo_bco.cli", *args], env=env or bco_env(), cwd=ROOT, **popen)


def stop(process: subprocess.Popen, timeout: float = 30) -> int:
    """SIGTERM, then SIGKILL if it has not ended within ``timeout``; returns the exit status."""
    if process.poll() is None:
        process.terminate()
        try:
            return process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
    return process.wait()


@contextlib.contextmanager
def serve(tmp_path: Path, addr: tuple[str, int], **env: str):
    """`bco serve` with DEBUG unset (the default), a fresh secret key and ``env``; yields the log file."""
    environ = {k: v for k, v in bco_env().items() if k not in {"DEBUG", "SECRET_KEY", "WEB_CONCURRENCY"}}
    environ |= {"SECRET_KEY": secrets.token_urlsafe(50), "BCO_VAR_DIR": str(tmp_path / "var"),
                "STATIC_ROOT": str(tmp_path / "static")} | env
    log = tmp_path / "server.log"
    with open(log, "wb") as out:
        server = bco("serve", f"{addr[0]}:{addr[1]}", env=environ, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(OSError), socket.create_connection(addr, timeout=1):
                break
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"bco serve did not start:\n{log.read_text()}")
            time.sleep(0.2)
        yield log
    finally:
        stop(server)


def fetch(url: str, headers: dict | None = None, timeout: float = 60) -> tuple[int, dict, str]:
    """GET ``url``: (status, headers, body), also for error statuses."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode("utf-8", "replace")
