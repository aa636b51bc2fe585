from django.urls import path

from . import analyst, imports, runs, views

app_name = "api"
urlpatterns = [
    path("districts/", views.districts, name="districts"),
    path("boundaries/<slug:boundary_set>/", views.boundaries, name="boundaries"),
    path("incidents/", views.incidents, name="incidents"),
    path("places/", views.places, name="places"),
    path("sensitive-offences/", views.sensitive_offences, name="sensitive-offences"),
    path("layers/", views.manifest, name="manifest"),
    path("layers/<slug:name>/", views.layer, name="layer"),
    path("runs/", runs.RunList.as_view(), name="runs"),
    path("runs/<int:run_id>/", views.run_detail, name="run"),
    path("runs/<int:run_id>/knox.csv", views.knox_csv, name="knox-csv"),
    path("methods/", runs.methods, name="methods"),
    path("analyst/incidents/", analyst.incidents, name="analyst-incidents"),
    path("imports/", imports.ImportList.as_view(), name="imports"),
    path("imports/<int:pk>/", imports.ImportDetail.as_view(), name="import-detail"),
    path("quality/<slug:source>/", imports.QualityReport.as_view(), name="quality"),
]
