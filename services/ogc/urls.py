"""Routes of the OGC API (mounted at ``/ogcapi``): every path with or without a
trailing slash, so no link and no hand-typed URL meets a redirect."""

from django.urls import re_path

from . import views

ID = r"(?P<collection_id>[^/]+)"

urlpatterns = [
    re_path(r"^$", views.landing_page, name="landing-page"),
    re_path(r"^openapi/?$", views.openapi, name="ogc-openapi"),
    re_path(r"^conformance/?$", views.conformance, name="conformance"),
    re_path(r"^TileMatrixSets/?$", views.tilematrixsets, name="tilematrixsets"),
    re_path(r"^TileMatrixSets/(?P<tilematrixset_id>[^/]+)/?$", views.tilematrixsets, name="tilematrixset"),
    re_path(r"^processes/?$", views.processes, name="processes"),
    re_path(r"^collections/?$", views.collections, name="collections"),
    re_path(rf"^collections/{ID}/?$", views.collections, name="collection-detail"),
    re_path(rf"^collections/{ID}/schema/?$", views.collection_schema, name="collection-schema"),
    re_path(rf"^collections/{ID}/queryables/?$", views.collection_queryables, name="collection-queryables"),
    re_path(rf"^collections/{ID}/items/?$", views.collection_items, name="collection-items"),
    re_path(rf"^collections/{ID}/items/(?P<item_id>[^/]+)/?$", views.collection_item, name="collection-item"),
    re_path(r"^(?P<path>.*)$", views.not_found, name="ogc-not-found"),
]
