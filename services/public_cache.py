"""One cache for everything computed from the served data: OGC extents and counts, tiles (both audiences).

Every key carries a *generation* number kept in the cache itself; ``invalidate()``
bumps it, so one call retires every extent, count and tile at once (there is no
way to delete keys by prefix in Django's cache API). Imports and analysis runs
call ``invalidate()`` after they commit.

Entries also expire after ``TIMEOUT`` seconds. With a per-process cache
(``LocMemCache``, Django's default) that bounds how long another process can serve
figures from before an import; a shared cache (``CACHES`` pointing at PostgreSQL or
Redis) makes invalidation immediate for every worker.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache

T = TypeVar("T")

TIMEOUT = 300
_GENERATION = "bco-public:generation"


def _generation() -> int:
    generation = cache.get(_GENERATION)
    if generation is None:
        cache.add(_GENERATION, 1, None)
        generation = cache.get(_GENERATION, 1)
    return generation


def invalidate() -> None:
    """Retire every cached extent, count and tile (call after an import or a run)."""
    try:
        cache.incr(_GENERATION)
    except ValueError:  # not set yet: nothing cached under a generation
        cache.add(_GENERATION, 1, None)


def cached(key: str, compute: Callable[[], T], timeout: int = TIMEOUT) -> T:
    """``compute()``, cached under ``key`` for the current generation."""
    full_key = f"bco-public:{_generation()}:{key}"
    value = cache.get(full_key)
    if value is None:
        value = compute()
        cache.set(full_key, value, timeout)
    return value
