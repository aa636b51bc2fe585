"""Routes of the tiles (mounted at ``/tiles/``; the analysts' at ``/analyst/tiles/``)."""

from django.urls import path

from .views import PUBLIC, TileViews


def routes(views: TileViews) -> list:
    """The tile routes of one audience, named ``<prefix><name>``."""
    view = views.routes()
    return [
        path("", view["tiles"], name=f"{views.prefix}tiles"),
        path("<str:layer_id>.json", view["tilejson"], name=f"{views.prefix}tilejson"),
        path("<str:layer_id>/summary.json", view["tile-summary"], name=f"{views.prefix}tile-summary"),
        path("<str:layer_id>/<int:z>/<int:x>/<int:y>.mvt", view["tile"], name=f"{views.prefix}tile"),
    ]


urlpatterns = routes(PUBLIC)
