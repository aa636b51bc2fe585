"""Routes of the tiles (mounted at ``/tiles/``; the analysts' at ``/analyst/tiles/``)."""

from django.urls import path
from django.views.decorators.gzip import gzip_page

from .views import PUBLIC, TileViews


def routes(views: TileViews) -> list:
    """The tile routes of one audience, named ``<prefix><name>``."""
    prefix, guarded = views.prefix, views.guarded
    return [
        path("", guarded(views.index), name=f"{prefix}tiles"),
        path("<str:layer_id>.json", guarded(views.tilejson), name=f"{prefix}tilejson"),
        path("<str:layer_id>/summary.json", guarded(views.summary), name=f"{prefix}tile-summary"),
        path("<str:layer_id>/<int:z>/<int:x>/<int:y>.mvt", gzip_page(guarded(views.tile)), name=f"{prefix}tile"),
    ]


urlpatterns = routes(PUBLIC)
