"""The national zooms rendered ahead of the first visitor.

Every map view of Belize opens at a national or district zoom, and after an import or
a run every cached tile is retired at once, so the first visitors after a refresh
would each wait for the renders of the same few dozen tiles. The standard refresh
calls :func:`prerender` when its runs are done (``BCO_PRERENDER_MAX_ZOOM``), and
``bco prerender-tiles`` does it by hand: every tile layer, unfiltered, every tile over
Belize from the layer's first zoom to ``max_zoom``.
"""

from __future__ import annotations

from collections.abc import Callable

import mercantile

from ..ogc.config import BELIZE_BBOX
from .filters import Query
from .layers import tile_layers
from .render import tile


def prerender(max_zoom: int = 8, say: Callable[[str], None] = print) -> int:
    """Render (into the cache) every tile over Belize up to ``max_zoom``; returns how many."""
    rendered = 0
    for layer in tile_layers():
        zooms = range(layer.minzoom, min(max_zoom, layer.maxzoom) + 1)
        for t in mercantile.tiles(*BELIZE_BBOX, zooms):
            tile(layer, Query(), t.z, t.x, t.y)
            rendered += 1
    say(f"pre-rendered {rendered} tiles (zoom up to {max_zoom}, {len(tile_layers())} layers)")
    return rendered
