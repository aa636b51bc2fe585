"""GeoJSON pages straight from a projection: PostGIS builds the FeatureCollection
(``ST_AsGeoJSON`` + ``json_agg``), so a page of 10,000 features never passes
through Python objects. Every public REST layer endpoint is one call to
:func:`feature_page` over a ``public_*`` relation."""

from __future__ import annotations

import math
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, JsonResponse

from ..reading import read_connection

DEFAULT_PAGE_SIZE = 1000
MAX_PAGE_SIZE = 10000


class BadParameter(ValueError):
    def __init__(self, name: str, message: str):
        super().__init__(message)
        self.name = name

    def response(self) -> JsonResponse:
        return JsonResponse({self.name: [str(self)]}, status=400)


def whole_number(request: HttpRequest, name: str, default: int, *, minimum: int = 1, maximum: int | None = None) -> int:
    raw = request.GET.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or len(raw) > 9:
        raise BadParameter(name, f"a whole number of at least {minimum} (got {raw[:40]!r})")
    value = int(raw)
    if value < minimum:
        raise BadParameter(name, f"a whole number of at least {minimum} (got {value})")
    return min(value, maximum) if maximum else value


def bbox(request: HttpRequest) -> tuple[float, float, float, float] | None:
    """``in_bbox=minlon,minlat,maxlon,maxlat`` (WGS84), checked to be four finite, ordered numbers."""
    raw = request.GET.get("in_bbox")
    if raw is None:
        return None
    message = "four numbers minlon,minlat,maxlon,maxlat in degrees, min below max"
    try:
        values = tuple(float(v) for v in raw.split(","))
    except ValueError:
        raise BadParameter("in_bbox", message) from None
    if len(values) != 4 or not all(math.isfinite(v) for v in values):
        raise BadParameter("in_bbox", message)
    x0, y0, x1, y1 = values
    if not (-180 <= x0 < x1 <= 180 and -90 <= y0 < y1 <= 90):
        raise BadParameter("in_bbox", message)
    return values


def feature_page(request: HttpRequest, relation: str, *, where: str = "", params: tuple = (),
                 order: str = "id", paged: bool = True) -> HttpResponse:
    """A FeatureCollection of ``relation`` (columns: ``id``, ``geom`` and properties),
    with ``count``, ``next`` and ``previous`` when paged (``?page=N&page_size=M``)."""
    try:
        box = bbox(request)
        page = whole_number(request, "page", 1) if paged else 1
        size = whole_number(request, "page_size", DEFAULT_PAGE_SIZE, maximum=MAX_PAGE_SIZE) if paged else None
    except BadParameter as exc:
        return exc.response()
    clauses, args = ([where] if where else []), list(params)
    if box:
        clauses.append("geom && ST_MakeEnvelope(%s, %s, %s, %s, 4326)")
        args += box
    condition = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    window = f"LIMIT {size} OFFSET {(page - 1) * size}" if paged else ""
    sql = (
        "SELECT coalesce(json_agg(json_build_object('type', 'Feature', 'id', id, "
        "'geometry', ST_AsGeoJSON(geom, 6)::json, 'properties', to_jsonb(t) - 'geom' - 'id')), '[]'::json)::text "
        f"FROM (SELECT * FROM {relation} {condition} ORDER BY {order} {window}) t"
    )
    with read_connection().cursor() as cur:
        cur.execute(sql, args)
        features = cur.fetchone()[0]
        count = None
        if paged:
            cur.execute(f"SELECT count(*) FROM {relation} {condition}", args)
            count = cur.fetchone()[0]
    head = '{"type": "FeatureCollection"'
    if paged:
        def link(n: int) -> str:
            query = request.GET.copy()
            query["page"] = n
            return '"' + request.build_absolute_uri(f"{request.path}?{urlencode(query, doseq=True)}") + '"'

        more = page * size < count
        head += f', "count": {count}, "next": {link(page + 1) if more else "null"}, ' \
                f'"previous": {link(page - 1) if page > 1 else "null"}'
    return HttpResponse(f'{head}, "features": {features}}}', content_type="application/geo+json")
