from django.contrib import admin
from django.urls import include, path, re_path

from services import health, views
from services.ogc import views as ogc_views

urlpatterns = [
    path("", views.web_map, name="web-map"),
    path("healthz", health.health, name="health"),
    path("admin/", admin.site.urls),
    path("api/", include("services.api.urls")),
    # The OpenAPI document is built lazily (see services/ogc/views.py); the rest is pygeoapi's own Django app.
    re_path(r"^ogcapi/openapi/?$", ogc_views.openapi, name="ogc-openapi"),
    path("ogcapi/", include("pygeoapi.django_.urls")),
]

# Error answers that never show settings or tracebacks (DEBUG is off unless DEBUG=1).
handler400 = "geo_bco.errors.bad_request"
handler403 = "geo_bco.errors.permission_denied"
handler404 = "geo_bco.errors.page_not_found"
handler500 = "geo_bco.errors.server_error"
