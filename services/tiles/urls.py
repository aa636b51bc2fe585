from django.urls import path

from . import views

urlpatterns = [
    path("", views.index, name="tiles"),
    path("<str:layer_id>.json", views.tilejson, name="tilejson"),
    path("<str:layer_id>/summary.json", views.summary, name="tile-summary"),
    path("<str:layer_id>/<int:z>/<int:x>/<int:y>.mvt", views.tile, name="tile"),
]
