"""The WSGI application ``benchmarks/serving.py`` runs under gunicorn: the site as it
ships, plus a collection ``incidents-stock`` that serves the same table through
pygeoapi's stock PostgreSQL provider (psycopg2), so both run in the same server."""

from __future__ import annotations

import os
from dataclasses import replace

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "geo_bco.settings")

from django.conf import settings  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()

from services.ogc.collections import BASE_COLLECTIONS  # noqa: E402
from services.ogc.config import build_pygeoapi_config  # noqa: E402

_incidents = next(c for c in BASE_COLLECTIONS if c.id == "incidents")
_stock = build_pygeoapi_config(
    public_url=settings.PUBLIC_URL, debug=False, provider="PostgreSQL",
    collections=[replace(_incidents, id="incidents-stock")],
)
settings.PYGEOAPI_CONFIG = {
    **settings.PYGEOAPI_CONFIG,
    "resources": {**settings.PYGEOAPI_CONFIG["resources"], **_stock["resources"]},
}
