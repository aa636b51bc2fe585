"""``GET /healthz``: is this web process up and does its database answer? For the
compose health check, a load balancer or a monitoring probe; never rate limited."""

from __future__ import annotations

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache


@never_cache
def health(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "not answering"}, status=503,
                            headers={"Retry-After": str(settings.BCO_RETRY_AFTER_S)})
    return JsonResponse({"status": "ok", "database": "ok"})
