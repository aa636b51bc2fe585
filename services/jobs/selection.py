"""Which incidents an analysis reads, as a JSON-able filter stored on the run."""

from __future__ import annotations

from datetime import date

import numpy as np
from django.db import connection
from django.db.models import QuerySet

from geo_bco.models import GeocodePrecision, Incident

#: Precisions a point analysis accepts by default: a locality or district centroid
#: would pile every incident on one point and draw a fake hot spot.
POINT_PRECISIONS = (GeocodePrecision.EXACT, GeocodePrecision.ADDRESS)


def normalise_filter(
    *, offences: list[str] | None = None, since: date | None = None, until: date | None = None,
    precisions: list[str] | None = None,
) -> dict:
    return {
        "offences": sorted(offences or []),
        "since": since.isoformat() if since else None,
        "until": until.isoformat() if until else None,
        "precisions": sorted(precisions or [str(p) for p in POINT_PRECISIONS]),
    }


def select_incidents(input_filter: dict) -> QuerySet[Incident]:
    """The incidents a stored filter designates; ``until`` is inclusive (a whole day)."""
    qs = Incident.objects.filter(geocode_precision__in=input_filter["precisions"])
    if input_filter.get("offences"):
        qs = qs.filter(offence__code__in=input_filter["offences"])
    if input_filter.get("since"):
        qs = qs.filter(occurred_at__date__gte=input_filter["since"])
    if input_filter.get("until"):
        qs = qs.filter(occurred_at__date__lte=input_filter["until"])
    return qs


def utm_coordinates(qs: QuerySet[Incident]) -> np.ndarray:
    """(n, 2) easting/northing in EPSG:32616, projected by PostGIS in one query."""
    sql, params = qs.order_by("id").values("id").query.sql_with_params()
    with connection.cursor() as cur:
        cur.execute(
            "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_Transform(i.location, 32616) AS p "
            f"FROM geo_bco_incident i WHERE i.id IN ({sql}) ORDER BY i.id) t",
            params,
        )
        rows = cur.fetchall()
    return np.asarray(rows, dtype=np.float64).reshape(-1, 2)
