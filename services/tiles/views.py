"""Tile endpoints: a TileJSON 3.0 document per layer, its MVT tiles and a summary of
its rows for legends. All three take the layer's filters as query parameters
(``services.tiles.filters``); a bad value is a 400 naming the parameter."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_safe

from ..api.features import BadParameter
from ..ogc.config import BELIZE_BBOX
from . import summary as summaries
from .filters import Query, parse
from .layers import TileLayer, tile_layer, tile_layers
from .render import aggregated, tile as render_tile

MVT = "application/vnd.mapbox-vector-tile"
MAX_AGE = 300  # seconds; matches the cache's lifetime (services.public_cache.TIMEOUT)


def _layer_or_404(layer_id: str) -> TileLayer:
    layer = tile_layer(layer_id)
    if layer is None:
        raise Http404(f"no tile layer {layer_id!r}; see /tiles/")
    return layer


def _bad_parameter_is_400(view: Callable) -> Callable:
    @wraps(view)
    def checked(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except BadParameter as exc:
            return exc.response()
    return checked


def _tilejson(request: HttpRequest, layer: TileLayer, query: Query = Query()) -> dict:
    template = request.build_absolute_uri(reverse("tile", args=[layer.id, 0, 0, 0])).replace("/0/0/0.mvt", "/{z}/{x}/{y}.mvt")
    if query.values:
        template += "?" + urlencode(query.params())
    fields = {name: "String" for name in layer.properties}
    if layer.points_from_zoom is not None:
        fields["count"] = (f"Number: incidents in the cell (below zoom {layer.points_from_zoom}) "
                           "or at the place with these properties")
    return {
        "tilejson": "3.0.0",
        "name": layer.id,
        "description": layer.title,
        "tiles": [template],
        "minzoom": layer.minzoom,
        "maxzoom": layer.maxzoom,
        "bounds": BELIZE_BBOX,
        "vector_layers": [{"id": layer.id, "fields": fields, "minzoom": layer.minzoom, "maxzoom": layer.maxzoom}],
        # not part of TileJSON: the query parameters the tiles (and summary.json) accept
        "query_parameters": {f.name: f.description for f in layer.filters},
        "summary": request.build_absolute_uri(reverse("tile-summary", args=[layer.id])),
    }


@require_safe
def index(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"layers": [_tilejson(request, layer) for layer in tile_layers()]})


@require_safe
@_bad_parameter_is_400
def tilejson(request: HttpRequest, layer_id: str) -> JsonResponse:
    layer = _layer_or_404(layer_id)
    return JsonResponse(_tilejson(request, layer, parse(layer.filters, request)))


@require_safe
@gzip_page
@_bad_parameter_is_400
def tile(request: HttpRequest, layer_id: str, z: int, x: int, y: int) -> HttpResponse:
    layer = _layer_or_404(layer_id)
    if not layer.minzoom <= z <= layer.maxzoom or not (0 <= x < 2**z and 0 <= y < 2**z):
        raise Http404(f"{layer.id}: no tile {z}/{x}/{y} (zoom {layer.minzoom}-{layer.maxzoom})")
    response = HttpResponse(render_tile(layer, parse(layer.filters, request), z, x, y), content_type=MVT)
    response["Cache-Control"] = f"public, max-age={MAX_AGE}"
    response["X-Tile-Aggregated"] = "cells" if aggregated(layer, z) else "features"
    return response


@require_safe
@_bad_parameter_is_400
def summary(request: HttpRequest, layer_id: str) -> JsonResponse:
    """``/tiles/<layer>/summary.json?<filters>&values=a,b&quantiles=p&classes=N``: see ``services.tiles.summary``."""
    layer = _layer_or_404(layer_id)
    query = parse(layer.filters, request)
    response = JsonResponse(summaries.summary(layer, query, *summaries.parse(layer, request)))
    response["Cache-Control"] = f"public, max-age={MAX_AGE}"
    return response
