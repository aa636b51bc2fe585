"""Per-client rate limit on the public API, as police.uk's: a token bucket of
``RATE_LIMIT_BURST`` requests refilled at ``RATE_LIMIT_PER_SECOND``; over it, 429 with
``Retry-After``.

The bucket is the generic cell rate algorithm (GCRA): per client, one timestamp, the
"theoretical arrival time" ``tat``. A request at ``now`` is allowed when
``max(tat, now) - now <= (burst - 1) / rate``, and then ``tat`` moves to
``max(tat, now) + 1 / rate``. The test and the move are one ``INSERT ... ON CONFLICT DO
UPDATE ... WHERE`` on an UNLOGGED table (services migration 0004), so every gunicorn
worker and every host sees one bucket per client and two concurrent requests cannot
both take the last token, which read-then-write cache counters (django-ratelimit's
fixed windows, DRF's throttles) cannot promise.
"""

from __future__ import annotations

import math
import random

from django.conf import settings
from django.db import connection
from django.http import JsonResponse

from .access import client_address

TABLE = "bco_rate_limit"

_TAKE = f"""
INSERT INTO {TABLE} AS b (client, tat) VALUES (%(client)s, extract(epoch FROM clock_timestamp()) + %(interval)s)
ON CONFLICT (client) DO UPDATE
   SET tat = greatest(b.tat, extract(epoch FROM clock_timestamp())) + %(interval)s
 WHERE greatest(b.tat, extract(epoch FROM clock_timestamp())) - extract(epoch FROM clock_timestamp()) <= %(tolerance)s
RETURNING tat
"""
_WAIT = f"SELECT tat - %(tolerance)s - extract(epoch FROM clock_timestamp()) FROM {TABLE} WHERE client = %(client)s"
#: Rows whose bucket is full again carry no state; one request in PURGE_EVERY drops them.
_PURGE = f"DELETE FROM {TABLE} WHERE tat < extract(epoch FROM clock_timestamp())"
PURGE_EVERY = 1000


def seconds_to_wait(client: str, *, rate: float, burst: int) -> float | None:
    """Take one token from ``client``'s bucket: None if there was one, else seconds until there is."""
    params = {"client": client, "interval": 1.0 / rate, "tolerance": (burst - 1) / rate}
    with connection.cursor() as cursor:
        if random.randrange(PURGE_EVERY) == 0:
            cursor.execute(_PURGE)
        cursor.execute(_TAKE, params)
        if cursor.fetchone() is not None:
            return None
        cursor.execute(_WAIT, params)
        row = cursor.fetchone()
    return max(row[0], 0.0) if row else 0.0


class RateLimitMiddleware:
    """Applies the limit to paths under ``RATE_LIMIT_PATHS``; the map page and static files are not limited."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        rate = settings.RATE_LIMIT_PER_SECOND
        if rate > 0 and request.path.startswith(settings.RATE_LIMIT_PATHS):
            wait = seconds_to_wait(client_address(request) or "unknown", rate=rate, burst=settings.RATE_LIMIT_BURST)
            if wait is not None:
                retry_after = max(1, math.ceil(wait))
                response = JsonResponse(
                    {"code": "TooManyRequests",
                     "description": f"rate limit: {rate:g} requests per second, bursts of {settings.RATE_LIMIT_BURST}; "
                                    f"retry after {retry_after} s"}, status=429)
                response["Retry-After"] = str(retry_after)
                return response
        return self.get_response(request)
