"""What a legend needs of a tile layer's rows, without drawing them: how many rows the
filters choose, the distinct values of some properties (the map's offence and month
choices) and quantile classes of a measure (the choropleth's classes, which the map
once computed from every downloaded row). Same filters, same cache as the tiles.
"""

from __future__ import annotations

import json

from django.http import HttpRequest
from psycopg import sql

from ..api.features import BadParameter, whole_number
from ..public_cache import cached
from ..reading import read_connection
from .filters import Query
from .layers import TileLayer
from .render import cache_key

MAX_VALUES = 1000  #: distinct values listed per property
MAX_CLASSES = 12


def _properties(layer: TileLayer, request: HttpRequest, name: str) -> tuple[str, ...]:
    raw = request.GET.get(name)
    if raw is None:
        return ()
    wanted = tuple(dict.fromkeys(v.strip() for v in raw.split(",")))
    unknown = [v for v in wanted if v not in layer.properties]
    if unknown:
        raise BadParameter(name, f"properties of {layer.id} separated by commas ({', '.join(layer.properties)}); "
                                 f"got {', '.join(unknown)[:60]!r}")
    return wanted


def parse(layer: TileLayer, request: HttpRequest) -> tuple[tuple[str, ...], str | None, int]:
    """``values=a,b`` (properties to list), ``quantiles=p`` (a numeric property), ``classes=N``."""
    quantiles = _properties(layer, request, "quantiles")
    if len(quantiles) > 1:
        raise BadParameter("quantiles", "one property")
    classes = whole_number(request, "classes", 5, maximum=MAX_CLASSES)
    return _properties(layer, request, "values"), (quantiles[0] if quantiles else None), classes


def _one(statement: sql.Composable, params: dict):
    with read_connection().cursor() as cur:
        cur.execute(statement.as_string(cur.connection), params)
        return cur.fetchone()


def breaks(values: list[float], classes: int) -> list[float]:
    """Lower bounds of up to ``classes`` quantile classes of sorted ``values`` (equal
    values share a class, so there may be fewer)."""
    n = min(classes, len(values))
    return sorted({values[i * len(values) // n] for i in range(n)})


def _compute(layer: TileLayer, query: Query, values: tuple[str, ...], quantiles: str | None, classes: int) -> dict:
    where, params = query.where()
    rows = sql.SQL("FROM {} t WHERE true{}").format(sql.Identifier(layer.table_for(query)), where)
    count = (sql.SQL("sum(t.{})").format(sql.Identifier(layer.count_column)) if layer.count_column
             else sql.SQL("count(*)"))
    features, total = _one(sql.SQL("SELECT count(*), coalesce({}, 0)::bigint {}").format(count, rows), params)
    out = {"layer": layer.id, "query": dict(query.params()), "features": features, "count": total, "values": {}}
    for name in values:
        column = sql.SQL("t.{}").format(sql.Identifier(name))
        (listed,) = _one(sql.SQL("SELECT coalesce(json_agg(v ORDER BY v), '[]')::text FROM (SELECT DISTINCT {c} AS v "
                                 "{rows} AND {c} IS NOT NULL ORDER BY 1 LIMIT {n}) d").format(
            c=column, rows=rows, n=sql.Literal(MAX_VALUES)), params)
        out["values"][name] = json.loads(listed)
    if quantiles:
        column = sql.SQL("t.{}").format(sql.Identifier(quantiles))
        known, missing = _one(sql.SQL("SELECT coalesce(json_agg({c} ORDER BY {c}) FILTER (WHERE {c} IS NOT NULL), '[]')::text, "
                                      "count(*) FILTER (WHERE {c} IS NULL) {rows}").format(c=column, rows=rows), params)
        known = json.loads(known)
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in known):
            raise BadParameter("quantiles", f"a numeric property ({quantiles} is not)")
        out["quantiles"] = {"property": quantiles, "breaks": breaks(known, classes) if known else [],
                            "max": known[-1] if known else None, "count": len(known), "missing": missing}
    return out


def summary(layer: TileLayer, query: Query, values: tuple[str, ...], quantiles: str | None, classes: int,
            audience: str = "public") -> dict:
    """The summary of the rows ``query`` chooses (cached like a tile, per audience)."""
    key = cache_key(f"{audience}-summary", layer, query, ",".join(values), quantiles or "", str(classes))
    return cached(key, lambda: _compute(layer, query, values, quantiles, classes))
