"""Pure spatial analysis for crime mapping.

Arrays or GeoDataFrames in, arrays, GeoDataFrames or small frozen dataclasses out.
Coordinates are always in a projected CRS in metres (EPSG:32616 for Belize).
This package never imports Django or a database driver, so every method can be
tested on plain arrays against an independent reference.
"""
