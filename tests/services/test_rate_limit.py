"""The per-client token bucket on the public API (services/ratelimit.py), in process.
Several gunicorn workers sharing it: tests/services/test_production_server.py."""

from __future__ import annotations

import time

import pytest

from services.ratelimit import seconds_to_wait

pytestmark = pytest.mark.postgis


def test_a_burst_passes_then_429_with_retry_after(client, db, settings):
    settings.RATE_LIMIT_PER_SECOND, settings.RATE_LIMIT_BURST = 0.5, 4  # one token per 2 s: the test cannot refill it
    answers = [client.get("/api/districts/", REMOTE_ADDR="198.51.100.1") for _ in range(6)]
    assert [a.status_code for a in answers] == [200] * 4 + [429] * 2
    assert answers[4]["Retry-After"] in {"1", "2"}  # the next token is due within 2 s
    assert "rate limit" in answers[4].json()["description"]


def test_clients_have_their_own_buckets_and_the_map_page_is_not_limited(client, db, settings):
    settings.RATE_LIMIT_PER_SECOND, settings.RATE_LIMIT_BURST = 0.5, 1
    assert client.get("/api/districts/", REMOTE_ADDR="198.51.100.2").status_code == 200
    assert client.get("/ogcapi/", REMOTE_ADDR="198.51.100.2").status_code == 429
    assert client.get("/api/districts/", REMOTE_ADDR="198.51.100.3").status_code == 200
    assert client.get("/no-such-page", REMOTE_ADDR="198.51.100.2").status_code == 404  # not a limited path


def test_behind_a_trusted_proxy_the_forwarded_address_is_the_client(client, db, settings):
    settings.RATE_LIMIT_PER_SECOND, settings.RATE_LIMIT_BURST, settings.TRUSTED_PROXY_COUNT = 0.5, 1, 1
    for client_ip in ("203.0.113.5", "203.0.113.6"):  # one proxy address, two clients
        forwarded = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": f"1.2.3.4, {client_ip}"}
        assert client.get("/api/districts/", **forwarded).status_code == 200
    assert client.get("/api/districts/", REMOTE_ADDR="10.0.0.1",
                      HTTP_X_FORWARDED_FOR="9.9.9.9, 203.0.113.5").status_code == 429  # a spoofed left entry is ignored


def test_tokens_come_back_at_the_rate(db):
    """GCRA against the token-bucket rule worked by hand: rate 20/s, burst 3."""
    rate, burst = 20.0, 3
    assert [seconds_to_wait("bucket-a", rate=rate, burst=burst) for _ in range(3)] == [None] * 3
    wait = seconds_to_wait("bucket-a", rate=rate, burst=burst)
    assert 0 < wait <= 1 / rate  # the 4th is refused until one token (50 ms) has come back
    time.sleep(wait + 0.01)
    assert seconds_to_wait("bucket-a", rate=rate, burst=burst) is None
    assert seconds_to_wait("bucket-a", rate=rate, burst=burst) is not None  # and only one came back
    time.sleep(burst / rate + 0.01)  # long enough to refill the whole bucket
    assert [seconds_to_wait("bucket-a", rate=rate, burst=burst) for _ in range(4)][:3] == [None] * 3
