"""Tile endpoints: a TileJSON 3.0 document per layer, its MVT tiles and a summary of
its rows for legends. All three take the layer's filters as query parameters
(``services.tiles.filters``); a bad value is a 400 naming the parameter.

Two sets of the same endpoints (:class:`TileViews`): the public tiles at ``/tiles/``,
anonymous, over the public projections; and the analysts' at ``/analyst/tiles/``,
over the exact data, for users with the analyst role only (HTTP Basic, an API key
header or a session: 401 with ``WWW-Authenticate`` otherwise, 403 for other roles),
every tile and summary appended to the audit trail with its feature count and bbox.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from urllib.parse import urlencode

import mercantile
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from ..access import record_exact_read, require_role
from ..api.features import BadParameter
from ..ogc.config import BELIZE_BBOX
from . import summary as summaries
from .filters import Query, parse
from .layers import TileLayer, tile_layer, tile_layers
from .render import aggregated, tile as render_tile

MVT = "application/vnd.mapbox-vector-tile"
MAX_AGE = 300  # seconds; matches the cache's lifetime (services.public_cache.TIMEOUT)


def _bad_parameter_is_400(view: Callable) -> Callable:
    @wraps(view)
    def checked(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except BadParameter as exc:
            return exc.response()
    return checked


@dataclass(frozen=True)
class TileViews:
    """The tile endpoints of one audience.

    ``role``: the role a request must carry (None: anonymous, the public); its answers
    are then private to the client and audited. ``prefix`` names its routes apart.
    """

    audience: str
    role: str | None = None
    prefix: str = ""

    def _layer_or_404(self, layer_id: str) -> TileLayer:
        layer = tile_layer(layer_id, self.audience)
        if layer is None:
            raise Http404(f"no tile layer {layer_id!r}; see {reverse(self.prefix + 'tiles')}")
        return layer

    def _url(self, request: HttpRequest, name: str, *args) -> str:
        return request.build_absolute_uri(reverse(self.prefix + name, args=args))

    def _tilejson(self, request: HttpRequest, layer: TileLayer, query: Query = Query()) -> dict:
        template = self._url(request, "tile", layer.id, 0, 0, 0).replace("/0/0/0.mvt", "/{z}/{x}/{y}.mvt")
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
            "summary": self._url(request, "tile-summary", layer.id),
        }

    def guarded(self, view: Callable) -> Callable:
        """``view`` as a route: GET and HEAD only, behind the audience's role, a bad parameter a 400."""

        @wraps(view)
        def checked(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if self.role is not None and (refusal := require_role(request, self.role)) is not None:
                return refusal
            return view(request, *args, **kwargs)
        return require_safe(_bad_parameter_is_400(checked))

    def _cache_control(self, response: HttpResponse) -> HttpResponse:
        """Public tiles may be kept by any cache; the analysts' are kept by none (services.access.PrivateAnswers)."""
        if self.role is None:
            response["Cache-Control"] = f"public, max-age={MAX_AGE}"
        return response

    def _audit(self, request: HttpRequest, layer: TileLayer, filters: dict, features: int, bbox=None) -> None:
        """One audit row for an answer read from exact data (the analysts' audience only)."""
        if self.role is not None:
            record_exact_read(request, collection=f"tiles:{layer.id}", feature_count=features, filters=filters,
                              bbox=bbox)

    def index(self, request: HttpRequest) -> JsonResponse:
        return JsonResponse({"layers": [self._tilejson(request, layer) for layer in tile_layers(self.audience)]})

    def tilejson(self, request: HttpRequest, layer_id: str) -> JsonResponse:
        layer = self._layer_or_404(layer_id)
        return JsonResponse(self._tilejson(request, layer, parse(layer.filters, request)))

    def tile(self, request: HttpRequest, layer_id: str, z: int, x: int, y: int) -> HttpResponse:
        layer = self._layer_or_404(layer_id)
        if not layer.minzoom <= z <= layer.maxzoom or not (0 <= x < 2**z and 0 <= y < 2**z):
            raise Http404(f"{layer.id}: no tile {z}/{x}/{y} (zoom {layer.minzoom}-{layer.maxzoom})")
        query = parse(layer.filters, request)
        rendered = render_tile(layer, query, z, x, y, self.audience)
        self._audit(request, layer, dict(query.params()) | {"tile": f"{z}/{x}/{y}"}, rendered.features,
                    bbox=tuple(mercantile.bounds(x, y, z)))
        response = HttpResponse(rendered.data, content_type=MVT)
        response["X-Tile-Aggregated"] = "cells" if aggregated(layer, z) else "features"
        return self._cache_control(response)

    def summary(self, request: HttpRequest, layer_id: str) -> JsonResponse:
        """``<layer>/summary.json?<filters>&values=a,b&quantiles=p&classes=N``: see ``services.tiles.summary``."""
        layer = self._layer_or_404(layer_id)
        query = parse(layer.filters, request)
        body = summaries.summary(layer, query, *summaries.parse(layer, request), audience=self.audience)
        self._audit(request, layer, dict(query.params()), body["features"])
        return self._cache_control(JsonResponse(body))


PUBLIC = TileViews("public")
ANALYST = TileViews("analyst", role="analyst", prefix="analyst-")
