"""Tile query parameters: which rows of a layer a tile (and its summary) is drawn from.

A layer declares its filters (:class:`TileFilter`); a request's parameters are checked
against them once (:func:`parse`, a 400 naming the parameter for a bad value, as
``services.api.features`` does) and become a :class:`Query`: normalised values whose
``key`` goes into the cache key, and whose ``where`` is the SQL the tile and the summary
add to their statements. The filters of a layer kind come from the registry (see
``services.tiles.layers``), so adding a kind adds its filters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import HttpRequest
from psycopg import sql

from ..api.features import BadParameter, whole_number

#: a value of a choice filter: a category, a period name, a boundary code
_TOKEN = re.compile(r"[\w.:-]{1,64}")
_MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")
MAX_CHOICES = 50


@dataclass(frozen=True)
class TileFilter:
    """One query parameter of a tile layer.

    ``kind``: ``"choice"`` (one or several comma-separated values of ``column``),
    ``"from"`` / ``"to"`` (a month, YYYY-MM: rows whose ``column`` date falls in it or
    after / before it), ``"run"`` (the rows of that run instead of the latest; the
    layer then reads its every-run table).
    """

    name: str
    column: str
    kind: str
    description: str


def choice(column: str) -> TileFilter:
    return TileFilter(column, column, "choice", f"one or more values of {column}, separated by commas")


def month_range(column: str) -> tuple[TileFilter, TileFilter]:
    return (TileFilter("from", column, "from", f"first month (YYYY-MM) of {column}"),
            TileFilter("to", column, "to", f"last month (YYYY-MM) of {column}, not before from"))


RUN = TileFilter("run_id", "run_id", "run", "a run of this kind (the public ones: /api/runs/): its rows instead of the latest run's")


@dataclass(frozen=True)
class Query:
    """The checked values of a layer's filters in one request, in the layers' filter order."""

    values: tuple[tuple[TileFilter, object], ...] = ()

    def get(self, kind: str):
        return next((v for f, v in self.values if f.kind == kind), None)

    def params(self) -> list[tuple[str, str]]:
        """The normalised query parameters (what a tile URL carries to get this query)."""
        return [(f.name, ",".join(v) if isinstance(v, tuple) else str(v)) for f, v in self.values]

    @property
    def key(self) -> str:
        return urlencode(self.params())

    def where(self) -> tuple[sql.Composable, dict]:
        """``AND ...`` clauses over the table alias ``t``, and their parameters."""
        clauses, params = [], {}
        for f, value in self.values:
            name, column = f"f_{f.name}", sql.SQL("t.{}").format(sql.Identifier(f.column))
            if f.kind == "choice":
                clauses.append(sql.SQL("{}::text = ANY(%({})s::text[])").format(column, sql.SQL(name)))
                value = list(value)
            elif f.kind == "from":
                clauses.append(sql.SQL("{} >= %({})s::date").format(column, sql.SQL(name)))
                value = f"{value}-01"
            elif f.kind == "to":
                clauses.append(sql.SQL("{} < %({})s::date + interval '1 month'").format(column, sql.SQL(name)))
                value = f"{value}-01"
            else:
                clauses.append(sql.SQL("{} = %({})s").format(column, sql.SQL(name)))
            params[name] = value
        return sql.SQL("").join(sql.SQL(" AND ") + c for c in clauses), params


def _choices(request: HttpRequest, f: TileFilter) -> tuple[str, ...] | None:
    raw = request.GET.getlist(f.name)
    if not raw:
        return None
    values = [v.strip() for part in raw for v in part.split(",")]
    if not all(_TOKEN.fullmatch(v) for v in values) or len(values) > MAX_CHOICES:
        raise BadParameter(f.name, f"up to {MAX_CHOICES} values separated by commas, each of letters, digits, "
                                   f"'_', '.', ':' or '-' (got {','.join(raw)[:60]!r})")
    return tuple(sorted(set(values)))


def _month(request: HttpRequest, f: TileFilter) -> str | None:
    raw = request.GET.get(f.name)
    if raw is None:
        return None
    if not _MONTH.fullmatch(raw):
        raise BadParameter(f.name, f"a month as YYYY-MM (got {raw[:40]!r})")
    return raw


def parse(filters: tuple[TileFilter, ...], request: HttpRequest) -> Query:
    """The request's values of ``filters``, checked and normalised (raises :class:`BadParameter`)."""
    values = []
    for f in filters:
        if f.kind == "choice":
            value = _choices(request, f)
        elif f.kind in ("from", "to"):
            value = _month(request, f)
        else:
            value = whole_number(request, f.name, None) if f.name in request.GET else None
        if value is not None:
            values.append((f, value))
    query = Query(tuple(values))
    start, end = query.get("from"), query.get("to")
    if start and end and end < start:
        raise BadParameter("to", f"a month not before from ({start}; got {end})")
    return query
