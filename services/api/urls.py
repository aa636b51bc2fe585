from django.urls import path

from . import views

app_name = "api"
urlpatterns = [
    path("districts/", views.DistrictList.as_view(), name="districts"),
    path("incidents/", views.IncidentList.as_view(), name="incidents"),
    path("layers/kde-contours/", views.KdeContourList.as_view(), name="kde-contours"),
]
