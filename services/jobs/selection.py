"""Which incidents an analysis reads: one filter shared by every layer kind, stored
on the run, and read with one set-based query into numpy arrays.

A job never iterates ORM objects: :func:`load_incidents` runs a single SELECT that
projects the points to EPSG:32616 in PostGIS and returns columns, so reading 1M
incidents costs one round trip.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
from django.db import connection

from geo_bco.models import GeocodePrecision, OffenceType
from boundaries.models import Boundary, BoundarySet

from ..params import ParameterError, param, parse, to_json

#: Precisions a point analysis accepts by default: a locality or district centroid
#: would pile every incident on one point and draw a fake hot spot.
POINT_PRECISIONS = (str(GeocodePrecision.EXACT), str(GeocodePrecision.ADDRESS))


@dataclass(frozen=True)
class IncidentFilter:
    """The incident selection every job takes (and the CLI's and API's filter flags)."""

    offences: tuple[str, ...] = param((), "offence codes", default_text="every offence")
    categories: tuple[str, ...] = param((), "offence categories, e.g. property, violent", default_text="every category")
    since: date | None = param(None, "first day, YYYY-MM-DD", default_text="the first incident")
    until: date | None = param(None, "last day, inclusive, YYYY-MM-DD", default_text="the last incident")
    precisions: tuple[str, ...] = param(
        POINT_PRECISIONS, "geocode precisions accepted", choices=tuple(str(p) for p in GeocodePrecision))
    boundary: str | None = param(None, "only inside one boundary: SET:CODE, e.g. districts:BZ-CY",
                                 default_text="the whole country")
    sensitive: bool = param(
        False, "include sensitive offences (sexual offences, domestic violence); such runs are never public")


def parse_filter(given: dict | None) -> IncidentFilter:
    """Validate a filter against the database too: offence codes, categories and the
    boundary must exist, and ``since`` must not follow ``until``."""
    flt = parse(IncidentFilter, given, what="filter")
    known = dict(OffenceType.objects.values_list("code", "category"))
    for code in flt.offences:
        if code not in known:
            raise ParameterError("offences", f"unknown offence {code!r}; known: {', '.join(sorted(known))}")
    for category in flt.categories:
        if category not in set(known.values()):
            raise ParameterError("categories", f"unknown category {category!r}; known: "
                                 f"{', '.join(sorted(set(known.values())))}")
    if flt.since and flt.until and flt.since > flt.until:
        raise ParameterError("since", f"{flt.since} is after until {flt.until}")
    if flt.boundary is not None:
        set_slug, _, code = flt.boundary.partition(":")
        if not Boundary.objects.filter(boundary_set__slug=set_slug, code=code).exists():
            sets = ", ".join(BoundarySet.objects.values_list("slug", flat=True))
            raise ParameterError("boundary", f"no boundary {flt.boundary!r}; give SET:CODE with a set among {sets}")
    return flt


def filter_sql(flt: IncidentFilter) -> tuple[str, list]:
    """WHERE clause over ``geo_bco_incident i JOIN geo_bco_offencetype o`` and its parameters."""
    clauses, params = ["i.geocode_precision = ANY(%s)"], [list(flt.precisions)]
    if not flt.sensitive:
        clauses.append("NOT o.sensitive")
    if flt.offences:
        clauses.append("o.code = ANY(%s)")
        params.append(list(flt.offences))
    if flt.categories:
        clauses.append("o.category = ANY(%s)")
        params.append(list(flt.categories))
    # dates are Belize calendar days; comparing the stored timestamp keeps the index usable
    if flt.since:
        clauses.append("i.occurred_at >= (%s::date)::timestamp AT TIME ZONE 'America/Belize'")
        params.append(flt.since)
    if flt.until:
        clauses.append("i.occurred_at < (%s::date + 1)::timestamp AT TIME ZONE 'America/Belize'")
        params.append(flt.until)
    if flt.boundary:
        set_slug, _, code = flt.boundary.partition(":")
        clauses.append(
            "ST_Intersects(i.location, (SELECT b.geom FROM boundaries_boundary b JOIN boundaries_boundaryset s "
            "ON s.id = b.boundary_set_id WHERE s.slug = %s AND b.code = %s))")
        params += [set_slug, code]
    return " AND ".join(clauses), params


@dataclass(frozen=True, eq=False)
class Incidents:
    """The selected incidents as columns, ordered by id."""

    ids: np.ndarray  #: int64 incident ids
    xy: np.ndarray  #: (n, 2) easting/northing, EPSG:32616 metres
    times: np.ndarray  #: datetime64[s], UTC
    offences: np.ndarray  #: offence codes (object)
    categories: np.ndarray  #: offence categories (object)

    def __len__(self) -> int:
        return int(self.ids.size)


def count_incidents(flt: IncidentFilter) -> int:
    where, params = filter_sql(flt)
    with connection.cursor() as cur:
        cur.execute(f"SELECT count(*) FROM geo_bco_incident i JOIN geo_bco_offencetype o ON o.id = i.offence_id "
                    f"WHERE {where}", params)
        return int(cur.fetchone()[0])


def load_incidents(flt: IncidentFilter) -> Incidents:
    """One SELECT: ids, UTM coordinates (projected by PostGIS), times, offences."""
    where, params = filter_sql(flt)
    with connection.cursor() as cur:
        cur.execute(
            "SELECT i.id, ST_X(p), ST_Y(p), extract(epoch FROM i.occurred_at)::bigint, o.code, o.category "
            "FROM geo_bco_incident i JOIN geo_bco_offencetype o ON o.id = i.offence_id "
            "CROSS JOIN LATERAL ST_Transform(i.location, 32616) AS p "
            f"WHERE {where} ORDER BY i.id",
            params,
        )
        rows = cur.fetchall()
    if not rows:
        empty = np.array([], dtype=object)
        return Incidents(np.array([], dtype=np.int64), np.empty((0, 2)), np.array([], dtype="datetime64[s]"),
                         empty, empty)
    ids, x, y, epoch, codes, cats = zip(*rows)
    return Incidents(
        ids=np.asarray(ids, dtype=np.int64),
        xy=np.column_stack([np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)]),
        times=np.asarray(epoch, dtype=np.int64).astype("datetime64[s]"),
        offences=np.asarray(codes, dtype=object),
        categories=np.asarray(cats, dtype=object),
    )


def belize_dates(utc: np.ndarray) -> np.ndarray:
    """UTC times (datetime64) as Belize calendar days (datetime64[D]); Belize keeps UTC-6 all year."""
    return (np.asarray(utc, dtype="datetime64[s]") - np.timedelta64(6, "h")).astype("datetime64[D]")


def describe(flt: IncidentFilter) -> str:
    """The filter in words, for logs and legends."""
    parts = [", ".join(flt.offences) or ", ".join(flt.categories) or "all offences"]
    if not flt.sensitive:
        parts[0] += " (sensitive offences excluded)"
    if flt.since or flt.until:
        parts.append(f"{flt.since or '...'} to {flt.until or '...'}")
    if flt.boundary:
        parts.append(f"inside {flt.boundary}")
    return "; ".join(parts)


__all__ = ["IncidentFilter", "Incidents", "belize_dates", "count_incidents", "describe", "filter_sql", "load_incidents",
           "parse_filter", "to_json"]
