from django.contrib import admin
from django.urls import include, path, re_path

from django.views.i18n import JavaScriptCatalog

from services import bulletins, dashboard, opendata, views
from services.ogc import views as ogc_views

urlpatterns = [
    path("", views.web_map, name="web-map"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("bulletins/", bulletins.index, name="bulletins"),
    path("bulletins/<str:name>", bulletins.file, name="bulletin-file"),
    path("data/", opendata.index, name="open-data"),
    path("data/<str:month>/incidents.<str:fmt>", opendata.archive, name="open-data-archive"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
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
