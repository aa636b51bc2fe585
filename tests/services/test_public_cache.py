"""The public cache (services/public_cache.py): shared by every process through
PostgreSQL, with each process's own memory in front of it."""

from __future__ import annotations

import time

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from services import public_cache
from services.public_cache import cached, recall, remember

pytestmark = [pytest.mark.postgis, pytest.mark.django_db]


def counter():
    """A computation that says how many times it ran."""
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    return compute, calls


def full_key(key: str) -> str:
    return f"bco-public:{public_cache.generation()}:{key}"


def test_a_value_is_computed_once_per_generation_then_read_from_memory_without_a_query():
    compute, calls = counter()
    assert cached("figure", compute) == 1
    with CaptureQueriesContext(connection) as queries:
        assert cached("figure", compute) == 1
    assert len(queries) == 0 and calls == [1]
    assert cache.get(full_key("figure")) == 1  # other processes find it in the shared cache
    public_cache.invalidate()
    assert cached("figure", compute) == 2


def test_what_another_process_computed_is_reused():
    cache.set(full_key("figure"), "theirs")
    assert cached("figure", lambda: "ours") == "theirs"


def test_another_process_invalidating_is_seen_once_the_generation_is_read_again(monkeypatch):
    monkeypatch.setattr(public_cache, "GENERATION_TTL", 60.0)
    assert cached("figure", lambda: "before") == "before"
    cache.incr("bco-public:generation")  # what invalidate() in another process does
    assert cached("figure", lambda: "after") == "before"  # the generation is trusted for GENERATION_TTL
    generation, _ = public_cache._seen
    monkeypatch.setattr(public_cache, "_seen", (generation, time.monotonic() - 61))
    assert cached("figure", lambda: "after") == "after"


def test_a_remembered_value_stays_in_this_process_for_its_generation():
    assert recall("page") is None
    remember("page", b"the page")
    assert recall("page") == b"the page" and cache.get(full_key("page")) is None
    public_cache.invalidate()
    assert recall("page") is None


def test_a_value_too_large_for_memory_is_not_kept():
    remember("big", bytes(public_cache.LOCAL_BYTES // 16 + 1))
    assert recall("big") is None
    remember("small", bytes(public_cache.LOCAL_BYTES // 16 - 100))
    assert recall("small") is not None
