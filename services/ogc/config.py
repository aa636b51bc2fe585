"""The pygeoapi configuration, generated from the project's settings.

There is no hand-edited ``pygeoapi-config.yml`` holding a second copy of the
database credentials: the collections are declared here once, the connection
comes from ``DATABASES``, and ``bco ogc-config`` writes the YAML for tools that
want a file (``pygeoapi config validate``, a separate pygeoapi container).
"""

from __future__ import annotations

from typing import Any

#: Belize, in CRS84 (lon/lat): the collections' spatial extent.
BELIZE_BBOX = [-89.23, 15.88, -87.45, 18.50]

PROVIDER = "services.ogc.providers.DjangoPostgreSQLProvider"
CRS_LIST = [
    "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
    "http://www.opengis.net/def/crs/EPSG/0/4326",
    "http://www.opengis.net/def/crs/EPSG/0/32616",
]

#: collection id -> (database relation, title, description, keywords) of what is not a layer kind
BASE_COLLECTIONS: dict[str, tuple[str, str, str, list[str]]] = {
    "districts": (
        "public_districts",
        "Districts of Belize",
        "The six districts (Natural Earth 10m admin-1) with their latest population figure, "
        "its year and source.",
        ["boundaries", "districts", "population"],
    ),
    "boundaries": (
        "public_boundaries",
        "Boundaries (every set)",
        "Every loaded boundary set (filter with boundary_set=districts, constituencies, ...) with the latest "
        "population figure, its year and source.",
        ["boundaries", "population"],
    ),
    "incidents": (
        "public_incidents",
        "Incidents (public)",
        "Incidents as the public may see them: per offence category and month, the count in each 250 m cell "
        "(1 km where a 250 m cell holds fewer than 3), at the cell centre; counts under 3 and sensitive offences "
        "are never shown.",
        ["crime", "incidents"],
    ),
    "sensitive-offences": (
        "public_sensitive_counts",
        "Sensitive offences per district and month",
        "Sexual offences, domestic violence and kidnapping, only as counts per district and month; "
        "counts under 3 are blank.",
        ["crime", "sensitive offences", "districts"],
    ),
}


def layer_collections() -> dict[str, tuple[str, str, str, list[str]]]:
    """``<kind>`` (latest run) and ``<kind>-runs`` (every run) for each public layer kind."""
    from ..layers import REGISTRY
    from ..projections import relation

    out = {}
    for kind in REGISTRY.values():
        if not kind.public:
            continue
        words = ["crime", *kind.keywords]
        out[kind.name] = (relation("public", kind, runs=False), f"{kind.title} (latest run)",
                          f"{kind.description} Latest run over all offences; each feature names its run "
                          "(run_id, run_label, run_parameters).", words)
        out[f"{kind.name}-runs"] = (relation("public", kind, runs=True), f"{kind.title} (every run)",
                                    f"{kind.description} Every run; filter with run_id=N.", [*words, "history"])
    return out


def collections() -> dict[str, tuple[str, str, str, list[str]]]:
    return BASE_COLLECTIONS | layer_collections()


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


def _collection(view: str, title: str, description: str, keywords: list[str], data: dict) -> dict:
    return {
        "type": "collection",
        "title": title,
        "description": description,
        "keywords": keywords,
        "links": [],
        "extents": {"spatial": {"bbox": BELIZE_BBOX, "crs": CRS_LIST[0]}},
        "providers": [
            {
                "type": "feature",
                "name": PROVIDER,
                "data": data,
                "id_field": "id",
                "table": view,
                "geom_field": "geom",
                "storage_crs": CRS_LIST[0],  # PostGIS SRID 4326 holds lon/lat: that is CRS84
                "crs": CRS_LIST,
            }
        ],
    }


def build_pygeoapi_config(*, public_url: str, debug: bool, database: dict[str, Any] | None = None) -> dict:
    """Return pygeoapi's configuration dict for the service at ``public_url``."""
    if database is None:
        from django.conf import settings

        database = settings.DATABASES["default"]
    data = connection_params(database)
    return {
        "server": {
            "bind": {"host": "127.0.0.1", "port": 8000},
            "url": f"{public_url}/ogcapi",
            "mimetype": "application/json; charset=UTF-8",
            "encoding": "utf-8",
            "language": "en-US",
            "cors": True,
            "pretty_print": debug,
            "limits": {"default_items": 100, "max_items": 10000, "on_exceed": "throttle"},
            "map": {"url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png", "attribution": "OpenStreetMap"},
            "api_rules": {"strict_slashes": True, "url_prefix": ""},  # links carry no trailing slash: no redirects
        },
        "logging": {"level": "ERROR"},
        "metadata": {
            "identification": {
                "title": "geo-bco: Belize Crime Observatory",
                "description": "Incidents, boundaries and derived hot-spot layers over OGC API Features.",
                "keywords": ["crime", "Belize", "hotspots"],
                "keywords_type": "theme",
                "terms_of_service": "",
                "url": public_url,
            },
            "license": {"name": "CC-BY 4.0", "url": "https://creativecommons.org/licenses/by/4.0/"},
            "provider": {"name": "Belize Crime Observatory", "url": public_url},
            "contact": {"name": "Belize Crime Observatory", "url": public_url, "role": "pointOfContact"},
        },
        "resources": {
            cid: _collection(view, title, desc, kw, data) for cid, (view, title, desc, kw) in collections().items()
        },
    }
