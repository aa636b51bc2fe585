"""CSV that carries the geometry: pygeoapi's CSV formatter with its ``geom`` option on.

pygeoapi offers ``f=csv`` on every feature collection, and its default CSV leaves
the geometry out (a table of incidents nobody can map). Points get ``x`` and ``y``
columns, other geometries a ``wkt`` column.
"""

from __future__ import annotations

from pygeoapi.formatter.csv_ import CSVFormatter
from pygeoapi.plugin import PLUGINS


class CsvWithGeometry(CSVFormatter):
    def __init__(self, formatter_def: dict):
        super().__init__({**formatter_def, "geom": True})


def register() -> None:
    """Make ``f=csv`` use this formatter (pygeoapi looks formatters up in ``PLUGINS``)."""
    PLUGINS["formatter"]["CSV"] = f"{__name__}.CsvWithGeometry"
