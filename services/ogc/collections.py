"""What the OGC API serves: one small frozen record per collection.

The layer-kind registry (``services/layers.py``) hands a list of these to
``build_pygeoapi_config``; until it lands, ``COLLECTIONS`` below declares the four
collections by hand. Nothing else in ``services/ogc`` names a table.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Collection:
    """One OGC API - Features collection over a public table or (materialized) view.

    ``time_field`` is the column ``datetime=`` filters on (a ``date`` or
    ``timestamptz``); ``None`` for collections without a time, where ``datetime=``
    is refused with a 400.
    """

    id: str
    table: str
    title: str
    description: str
    keywords: tuple[str, ...]
    time_field: str | None = None
    id_field: str = "id"
    geometry: str = "geom"


COLLECTIONS: tuple[Collection, ...] = (
    Collection(
        "districts",
        "ogc_districts",
        "Districts of Belize",
        "The six districts (Natural Earth 10m admin-1) with their latest population figure, its year and source.",
        ("boundaries", "districts", "population"),
    ),
    Collection(
        "incidents",
        "ogc_incidents",
        "Incidents (public)",
        "Recorded incidents as the public may see them: sensitive offences left out, "
        "locations snapped to a 250 m grid, dates without time.",
        ("crime", "incidents"),
        time_field="occurred_on",
    ),
    Collection(
        "kde-contours",
        "ogc_kde_contours",
        "Kernel density hot spots (latest run)",
        "Density bands (top 1/5/10% of the area) of the latest successful kernel density run.",
        ("crime", "hotspots", "kernel density"),
        time_field="run_finished_at",
    ),
    Collection(
        "kde-contours-all",
        "ogc_kde_contours_all",
        "Kernel density hot spots (every run)",
        "Density bands of every successful kernel density run; filter with run_id=N.",
        ("crime", "hotspots", "kernel density", "history"),
        time_field="run_finished_at",
    ),
)
