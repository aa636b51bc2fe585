from django.contrib import admin
from django.urls import include, path, re_path
from django.views.i18n import JavaScriptCatalog

from services import bulletins, dashboard, health, opendata, views
from services.ogc import analyst as ogc_analyst
from services.ogc import views as ogc_views
from services.ogc.urls import routes as ogc_routes
from services.tiles import views as tile_views
from services.tiles.urls import routes as tile_routes

urlpatterns = [
    path("", views.web_map, name="web-map"),
    path("healthz", health.health, name="health"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("bulletins/", bulletins.index, name="bulletins"),
    path("bulletins/<str:name>", bulletins.file, name="bulletin-file"),
    path("data/", opendata.index, name="open-data"),
    path("data/<str:month>/incidents.<str:fmt>", opendata.archive, name="open-data-archive"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
    path("api/", include("services.api.urls")),
    path("tiles/", include("services.tiles.urls")),
    # pygeoapi's API behind geo-bco's own routes: /ogcapi and /ogcapi/ alike (see services/ogc/views.py).
    re_path(r"^ogcapi$", ogc_views.landing_page),  # the service's own self link: no redirect to /ogcapi/
    path("ogcapi/", include("services.ogc.urls")),
    # the analysts' OGC API: signed in with the analyst role, every exact read audited
    re_path(r"^analyst/ogcapi$", ogc_analyst.ANALYST.landing_page),
    path("analyst/ogcapi/", include(ogc_routes(ogc_analyst.ANALYST, prefix="analyst-"))),
    path("analyst/tiles/", include(tile_routes(tile_views.ANALYST))),
]

# Error answers that never show settings or tracebacks (DEBUG is off unless DEBUG=1).
handler400 = "geo_bco.errors.bad_request"
handler403 = "geo_bco.errors.permission_denied"
handler404 = "geo_bco.errors.page_not_found"
handler500 = "geo_bco.errors.server_error"
