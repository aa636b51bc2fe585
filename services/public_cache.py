"""One cache for everything computed from the served data: OGC extents, counts and pages, tiles.

Every key carries a *generation* number kept in the shared cache (``CACHES``: a table
in PostgreSQL, so every worker and every machine of the web tier sees the same one);
``invalidate()`` bumps it, so one call retires every extent, count, page and tile at
once (there is no way to delete keys by prefix in Django's cache API). Imports and
analysis runs call ``invalidate()`` after they commit.

In front of the shared cache each process keeps the entries it used last in memory
(an LRU of ``LOCAL_BYTES``), and reads the generation at most every
``GENERATION_TTL`` seconds: a small items page or a hot tile then costs no database
round trip at all, where reading the shared cache cost two per figure (the
generation, then the entry), most of a small page's time. The price is that another
process may go on serving the previous generation for up to ``GENERATION_TTL``
after an import or a run commits (the process that commits sees it at once).

Entries also expire from the shared cache after their ``timeout``, which bounds its size.
"""

from __future__ import annotations

import pickle
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from cachetools import LRUCache
from django.core.cache import cache

T = TypeVar("T")

TIMEOUT = 300
GENERATION_TTL = 1.0  #: seconds a process trusts the generation it read last
LOCAL_BYTES = 64 * 1024 * 1024  #: per process
_GENERATION = "bco-public:generation"

_lock = threading.Lock()  # gunicorn's threads share one process's memory
_local: LRUCache = LRUCache(maxsize=LOCAL_BYTES, getsizeof=lambda entry: entry[1])
_seen: tuple[int, float] | None = None  # (generation, when it was read)


def _shared_generation() -> int:
    generation = cache.get(_GENERATION)
    if generation is None:
        cache.add(_GENERATION, 1, None)
        generation = cache.get(_GENERATION, 1)
    return generation


def generation() -> int:
    """The generation of the served data (what ``invalidate()`` bumps), as this process knows it."""
    global _seen
    seen = _seen
    if seen is not None and time.monotonic() - seen[1] < GENERATION_TTL:
        return seen[0]
    generation = _shared_generation()
    with _lock:
        if seen is not None and generation != seen[0]:
            _local.clear()  # every entry in memory belongs to an older generation
        _seen = (generation, time.monotonic())
    return generation


def invalidate() -> None:
    """Retire every cached extent, count, page and tile (call after an import or a run)."""
    global _seen
    try:
        cache.incr(_GENERATION)
    except ValueError:  # not set yet: nothing cached under a generation
        cache.add(_GENERATION, 1, None)
    with _lock:
        _local.clear()
        _seen = None


def _remembered(full_key: str, value: T) -> T:
    """``value``, kept in this process's memory (sized as the shared cache would store it)."""
    size = len(pickle.dumps(value, pickle.HIGHEST_PROTOCOL))
    if size <= LOCAL_BYTES // 16:
        with _lock:
            _local[full_key] = (value, size)
    return value


def _in_memory(full_key: str):
    with _lock:
        entry = _local.get(full_key)
    return None if entry is None else entry[0]


def cached(key: str, compute: Callable[[], T], timeout: int = TIMEOUT) -> T:
    """``compute()``, cached under ``key`` for the current generation, in this process's
    memory and in the shared cache (what another process or machine computed is reused)."""
    full_key = f"bco-public:{generation()}:{key}"
    value = _in_memory(full_key)
    if value is None:
        value = cache.get(full_key)
        if value is None:
            value = compute()
            cache.set(full_key, value, timeout)
        _remembered(full_key, value)
    return value


def recall(key: str):
    """What :func:`remember` kept under ``key`` in this process for the current generation, or ``None``."""
    return _in_memory(f"bco-public:{generation()}:{key}")


def remember(key: str, value: T) -> T:
    """Keep ``value`` in this process's memory for the current generation, not in the
    shared cache: for values as cheap to compute again as to read from there (an items
    page is one indexed query) but dear to compute on every request."""
    return _remembered(f"bco-public:{generation()}:{key}", value)
