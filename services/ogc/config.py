"""The pygeoapi configuration, generated from the project's settings.

There is no hand-edited ``pygeoapi-config.yml`` holding a second copy of the
database credentials: the collections are declared here once, the connection
comes from ``DATABASES``, and ``bco ogc-config`` writes the YAML for tools that
want a file (``pygeoapi config validate``, a separate pygeoapi container).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext_lazy as _, override

from .collections import Collection, public_collections

#: Belize, in CRS84 (lon/lat): the spatial extent of a collection that holds no rows yet.
BELIZE_BBOX = [-89.23, 15.88, -87.45, 18.50]

PROVIDER = "services.ogc.providers.FastPostgreSQLProvider"
CRS_LIST = [
    "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
    "http://www.opengis.net/def/crs/EPSG/0/4326",
    "http://www.opengis.net/def/crs/EPSG/0/32616",
]

#: pygeoapi's language tag for each of the site's languages (``settings.LANGUAGES``); the first is the default
API_LANGUAGES = {"en": "en-US", "es": "es"}


def in_languages(text) -> dict[str, Any]:
    """pygeoapi's language struct for ``text``: ``{"en-US": ..., "es": ...}``.

    ``text`` is a (lazy) catalogue string or a sequence of them (keywords); each is
    read under ``translation.override`` per language, so the API says what the pages
    say. pygeoapi picks the one the request asks for (``lang=``, then Accept-Language).
    """
    struct = {}
    for code, tag in API_LANGUAGES.items():
        with override(code):
            struct[tag] = [str(t) for t in text] if isinstance(text, (list, tuple)) else str(text)
    return struct


def connection_params(settings_dict: dict[str, Any]) -> dict[str, Any]:
    """pygeoapi's PostgreSQL ``data`` block from a Django DATABASES entry."""
    return {
        "host": settings_dict.get("HOST") or "127.0.0.1",
        "port": int(settings_dict.get("PORT") or 5432),
        "dbname": settings_dict["NAME"],
        "user": settings_dict.get("USER") or "",
        "password": settings_dict.get("PASSWORD") or "",
        "search_path": ["public"],
    }


def collection_config(collection: Collection, data: dict, provider: str = PROVIDER) -> dict:
    """pygeoapi's resource block for one collection.

    The extents here are the fallback (Belize, no time); ``services.ogc.views``
    puts the ones measured from the data in place on each request.
    """
    provider_def = {
        "type": "feature",
        "name": provider,
        "data": data,
        "id_field": collection.id_field,
        "table": collection.table,
        "geom_field": collection.geometry,
        "storage_crs": CRS_LIST[0],  # PostGIS SRID 4326 holds lon/lat: that is CRS84
        "crs": CRS_LIST,
    }
    if collection.time_field:
        provider_def["time_field"] = collection.time_field
    return {
        "type": "collection",
        "title": in_languages(collection.title),
        "description": in_languages(collection.description),
        "keywords": in_languages(collection.keywords),
        "links": [],
        "extents": {"spatial": {"bbox": BELIZE_BBOX, "crs": CRS_LIST[0]}},
        "providers": [provider_def],
    }


def build_pygeoapi_config(
    *,
    public_url: str,
    debug: bool,
    database: dict[str, Any] | None = None,
    collections: Iterable[Collection] | None = None,
    provider: str = PROVIDER,
    path: str = "/ogcapi",
    title: str = _("geo-bco: Belize Crime Observatory"),
) -> dict:
    """Return pygeoapi's configuration dict for the service at ``public_url``.

    ``collections`` defaults to every public collection (the base ones and two per
    public layer kind); ``provider`` is a dotted path (the benchmark points it at
    pygeoapi's stock provider to compare); ``path`` is where it is mounted (the
    analysts' API is ``/analyst/ogcapi``, see :func:`build_analyst_config`).
    """
    if collections is None:
        collections = public_collections()
    if database is None:
        from django.conf import settings

        database = settings.DATABASES["default"]
    data = connection_params(database)
    return {
        "server": {
            "bind": {"host": "127.0.0.1", "port": 8000},
            "url": f"{public_url}{path}",
            "mimetype": "application/json; charset=UTF-8",
            "encoding": "utf-8",
            "languages": list(API_LANGUAGES.values()),
            "cors": True,
            "pretty_print": debug,
            "limits": {"default_items": 100, "max_items": 10000, "on_exceed": "throttle"},
            "map": {"url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png", "attribution": "OpenStreetMap"},
            "api_rules": {"strict_slashes": True, "url_prefix": ""},  # links carry no trailing slash: no redirects
        },
        "logging": {"level": "ERROR"},
        "metadata": {
            "identification": {
                "title": in_languages(title),
                "description": in_languages(_("Incidents, boundaries and derived hot-spot layers over OGC API Features.")),
                "keywords": in_languages([_("crime"), _("Belize"), _("hotspots")]),
                "keywords_type": "theme",
                "terms_of_service": "",
                "url": public_url,
            },
            "license": {"name": "CC-BY 4.0", "url": "https://creativecommons.org/licenses/by/4.0/"},
            "provider": {"name": in_languages(_("Belize Crime Observatory")), "url": public_url},
            # (pygeoapi's schema takes one language for the contact's name)
            "contact": {"name": "Belize Crime Observatory", "url": public_url, "role": "pointOfContact"},
        },
        "resources": {c.id: collection_config(c, data, provider) for c in collections},
    }


def build_analyst_config(*, public_url: str, debug: bool) -> dict:
    """The analysts' OGC API: exact incidents and every run of every layer kind (signed in, audited)."""
    from .collections import analyst_collections

    return build_pygeoapi_config(public_url=public_url, debug=debug, collections=analyst_collections(),
                                 path="/analyst/ogcapi", title=_("geo-bco: Belize Crime Observatory (analysts)"))
