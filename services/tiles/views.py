"""Tile endpoints: a TileJSON 3.0 document per layer and its MVT tiles."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_safe

from ..ogc.config import BELIZE_BBOX
from .layers import TileLayer, tile_layer, tile_layers
from .render import aggregated, tile as render_tile

MVT = "application/vnd.mapbox-vector-tile"
MAX_AGE = 300  # seconds; matches the cache's lifetime (services.public_cache.TIMEOUT)


def _layer_or_404(layer_id: str) -> TileLayer:
    layer = tile_layer(layer_id)
    if layer is None:
        raise Http404(f"no tile layer {layer_id!r}; see /tiles/")
    return layer


def _tilejson(request: HttpRequest, layer: TileLayer) -> dict:
    template = request.build_absolute_uri(reverse("tile", args=[layer.id, 0, 0, 0])).replace("/0/0/0.mvt", "/{z}/{x}/{y}.mvt")
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
    }


@require_safe
def index(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"layers": [_tilejson(request, layer) for layer in tile_layers()]})


@require_safe
def tilejson(request: HttpRequest, layer_id: str) -> JsonResponse:
    return JsonResponse(_tilejson(request, _layer_or_404(layer_id)))


@require_safe
@gzip_page
def tile(request: HttpRequest, layer_id: str, z: int, x: int, y: int) -> HttpResponse:
    layer = _layer_or_404(layer_id)
    if not layer.minzoom <= z <= layer.maxzoom or not (0 <= x < 2**z and 0 <= y < 2**z):
        raise Http404(f"{layer.id}: no tile {z}/{x}/{y} (zoom {layer.minzoom}-{layer.maxzoom})")
    response = HttpResponse(render_tile(layer, z, x, y), content_type=MVT)
    response["Cache-Control"] = f"public, max-age={MAX_AGE}"
    response["X-Tile-Aggregated"] = "cells" if aggregated(layer, z) else "features"
    return response
