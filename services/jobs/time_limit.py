"""A time limit for one analysis run (``BCO_JOB_TIME_LIMIT_S``).

procrastinate has no time limit of its own: it runs a synchronous task in a worker
thread, where ``signal.alarm`` cannot reach (signals are delivered to the main thread
only). The limit is enforced twice over:

* the database work: ``SET LOCAL statement_timeout`` in the run's transaction, so no
  query (or wait for a lock) outlasts the limit, and at the deadline the query in
  flight is cancelled (psycopg's ``cancel_safe``, made to be called from another thread);
* the Python work: at the deadline a timer raises an exception in the run's own thread
  (``PyThreadState_SetAsyncExc``, CPython's API for this). It takes effect at the next
  Python instruction: a single long call into C (one FFT) finishes first.

Either way the run's transaction rolls back and the run is recorded failed with the reason.
"""

from __future__ import annotations

import contextlib
import ctypes
import threading

from django.db import connection


class TimeLimitExceeded(Exception):
    """The run took longer than its time limit."""

    def __init__(self, seconds: float):
        super().__init__(f"stopped: the run exceeded its time limit of {seconds:g} s (BCO_JOB_TIME_LIMIT_S)")
        self.seconds = seconds


def _raise_in(thread_id: int, exc_type: type[BaseException] | None) -> None:
    """Have ``thread_id`` raise ``exc_type`` at its next instruction (None: cancel a pending one)."""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), ctypes.py_object(exc_type) if exc_type else None)


class _Alarm:
    """A timer that raises :class:`TimeLimitExceeded` in the thread that armed it."""

    def __init__(self, seconds: float):
        self.thread_id = threading.get_ident()
        self.db = connection.connection  # this thread's psycopg connection
        self.lock = threading.Lock()
        self.armed, self.fired = True, False
        self.timer = threading.Timer(seconds, self._fire)
        self.timer.daemon = True

    def _fire(self) -> None:
        with self.lock:
            if self.armed:
                self.fired = True
                _raise_in(self.thread_id, _Expired)
                self.db.cancel_safe()

    def disarm(self) -> bool:
        """Stop the timer; True if it fired. A raise that is still pending is cancelled."""
        self.timer.cancel()
        with self.lock:
            self.armed = False
            if self.fired:
                _raise_in(self.thread_id, None)
            return self.fired


class _Expired(BaseException):
    """Raised asynchronously; a BaseException so that no ``except Exception`` in the job swallows it."""


@contextlib.contextmanager
def time_limit(seconds: float):
    """Run the block within ``seconds`` (0: no limit), inside a transaction whose
    statements are held to the same limit. Raises :class:`TimeLimitExceeded`."""
    if not seconds:
        yield
        return
    with connection.cursor() as cur:
        cur.execute("SELECT set_config('statement_timeout', %s, true)", [f"{int(seconds * 1000)}ms"])
    alarm = _Alarm(seconds)
    alarm.timer.start()
    try:
        yield
    except _Expired:
        alarm.disarm()
        raise TimeLimitExceeded(seconds) from None
    except Exception as exc:  # the query the alarm cancelled, or what the job made of it
        if alarm.disarm():
            raise TimeLimitExceeded(seconds) from exc
        raise
    else:
        if alarm.disarm():
            raise TimeLimitExceeded(seconds)
