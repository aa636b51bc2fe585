"""Routes of the OGC API (mounted at ``/ogcapi``): every path with or without a
trailing slash, so no link and no hand-typed URL meets a redirect."""

from django.urls import re_path

from .views import PUBLIC, OgcViews

ID = r"(?P<collection_id>[^/]+)"


def routes(views: OgcViews, prefix: str = "") -> list:
    """The API's routes; ``prefix`` names them apart (the analysts' API is ``analyst-...``)."""
    return [
        re_path(r"^$", views.landing_page, name=f"{prefix}landing-page"),
        re_path(r"^openapi/?$", views.openapi, name=f"{prefix}ogc-openapi"),
        re_path(r"^conformance/?$", views.conformance, name=f"{prefix}conformance"),
        re_path(r"^TileMatrixSets/?$", views.tilematrixsets, name=f"{prefix}tilematrixsets"),
        re_path(r"^TileMatrixSets/(?P<tilematrixset_id>[^/]+)/?$", views.tilematrixsets,
                name=f"{prefix}tilematrixset"),
        re_path(r"^processes/?$", views.processes, name=f"{prefix}processes"),
        re_path(r"^collections/?$", views.collections, name=f"{prefix}collections"),
        re_path(rf"^collections/{ID}/?$", views.collections, name=f"{prefix}collection-detail"),
        re_path(rf"^collections/{ID}/schema/?$", views.collection_schema, name=f"{prefix}collection-schema"),
        re_path(rf"^collections/{ID}/queryables/?$", views.collection_queryables,
                name=f"{prefix}collection-queryables"),
        re_path(rf"^collections/{ID}/items/?$", views.collection_items, name=f"{prefix}collection-items"),
        re_path(rf"^collections/{ID}/items/(?P<item_id>[^/]+)/?$", views.collection_item,
                name=f"{prefix}collection-item"),
        re_path(r"^(?P<path>.*)$", views.not_found, name=f"{prefix}ogc-not-found"),
    ]


urlpatterns = routes(PUBLIC)
