"""Vector tiles (Mapbox Vector Tile, ``ST_AsMVT``) over the public tables, with a
TileJSON document per layer: ``/tiles/{layer}.json`` and ``/tiles/{layer}/{z}/{x}/{y}.mvt``."""
