from django.urls import path

from . import analyst, imports, views

app_name = "api"
urlpatterns = [
    path("districts/", views.DistrictList.as_view(), name="districts"),
    path("incidents/", views.IncidentList.as_view(), name="incidents"),
    path("layers/kde-contours/", views.KdeContourList.as_view(), name="kde-contours"),
    path("analyst/incidents/", analyst.ExactIncidentList.as_view(), name="analyst-incidents"),
    path("imports/", imports.ImportList.as_view(), name="imports"),
    path("imports/<int:pk>/", imports.ImportDetail.as_view(), name="import-detail"),
    path("quality/<slug:source>/", imports.QualityReport.as_view(), name="quality"),
]
