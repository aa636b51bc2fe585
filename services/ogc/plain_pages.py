"""Plain items pages, answered without pygeoapi's per-request machinery.

What QGIS and GDAL ask for most is ``items?limit=N`` (QGIS adds ``bbox=``), then the
``next`` links (``after=<id>``). pygeoapi answers each by loading the provider (it
reflects the table), turning every row into Python dicts and serialising them again:
most of a page's time, over a query that takes a millisecond. For a request with no
other parameter, in JSON, :func:`plain_page` answers the same document: pygeoapi's own
functions check the limit and the bbox and write the headers and link titles, the
links are built as pygeoapi builds them, ``numberMatched`` follows the fast provider's
rule (cached total, exact filtered count up to its cap), and PostgreSQL writes the
features' JSON in one statement. Anything else returns ``None`` and pygeoapi answers.
``tests/services/test_ogc_plain_pages.py`` compares both documents for every collection.
"""

from __future__ import annotations

import hashlib
import json
import math
import urllib.parse
from datetime import UTC, datetime

from psycopg import sql
from pygeoapi import l10n
from pygeoapi.api import API, SYSTEM_LOCALE, APIRequest, evaluate_limit, validate_bbox
from pygeoapi.crs import DEFAULT_STORAGE_CRS, set_content_crs_header
from pygeoapi.formats import F_HTML, F_JSON, F_JSONLD, FORMAT_TYPES
from pygeoapi.provider import get_provider_by_type
from pygeoapi.util import get_dataset_formatters

from ..public_cache import cached
from ..reading import attribute_columns, geometry_type, read_connection, short_reads
from .config import PROVIDER
from .documents import Document
from .paging import AFTER, KeysetPage
from .providers import BIGINT_MAX, EXACT_COUNT_CAP, storage_srid

#: the only parameters a plain page may carry (``lang``: pygeoapi's language choice, see l10n.py)
PLAIN = frozenset({"f", "limit", "bbox", "lang", AFTER})


#: Python's ``datetime.isoformat()``, which pygeoapi's JSON encoder calls: microseconds
#: only when there are some, always six digits (PostgreSQL's own JSON drops trailing
#: zeros); in UTC, as the sessions of both run. (``%%``: the statement takes parameters.)
_ISOFORMAT = ("to_char({c} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') "
              "|| CASE WHEN date_part('microseconds', {c})::int %% 1000000 <> 0 "
              "THEN to_char({c} AT TIME ZONE 'UTC', '.US') ELSE '' END || '+00:00'")


def _property(name: str, type_: str) -> sql.Composable:
    """A column as pygeoapi serialises it: numeric as a float, a time as ``isoformat()``."""
    column = sql.SQL("t.{}").format(sql.Identifier(name))
    if type_.startswith("numeric"):
        return sql.SQL("{}::float8").format(column)
    if type_ == "timestamp with time zone":
        return sql.SQL(_ISOFORMAT).format(c=column)
    return column


def _features(provider: dict, where: sql.Composable, params: list, limit: int) -> tuple[str, object, int]:
    """The page's features as JSON text, the last id and how many."""
    columns = attribute_columns(provider["table"])  # the properties pygeoapi's provider reflects
    properties = sql.SQL(", ").join(
        sql.SQL("{}, {}").format(sql.Literal(name), _property(name, type_)) for name, type_ in columns)
    id_field = sql.Identifier(provider["id_field"])
    statement = sql.SQL(
        "SELECT coalesce(json_agg(json_build_object('type', 'Feature', 'id', t.{id}, "
        "'properties', json_build_object({properties}), 'geometry', ST_AsGeoJSON(t.{geom})::json) ORDER BY t.{id}), "
        "'[]'::json)::text, max(t.{id}), count(*) FROM (SELECT * FROM {table} {where} ORDER BY {id} LIMIT {limit}) t"
    ).format(id=id_field, properties=properties, geom=sql.Identifier(provider["geom_field"]),
             table=sql.Identifier(provider["table"]), where=where, limit=sql.Literal(limit))
    with read_connection().cursor() as cur:
        cur.execute(statement.as_string(cur.connection), params)
        return cur.fetchone()


def _matched(provider: dict, where: sql.Composable, params: list, filtered: bool) -> int | None:
    """The fast provider's ``numberMatched`` (services.ogc.providers: the same cache key)."""
    table = sql.Identifier(provider["table"])

    def count(statement: sql.Composed, args: list) -> int:
        with read_connection().cursor() as cur:
            cur.execute(statement.as_string(cur.connection), args)
            return cur.fetchone()[0]

    if not filtered:
        return cached(f"ogc-count:{provider['table']}", lambda: count(sql.SQL("SELECT count(*) FROM {}").format(table), []))
    statement = sql.SQL("SELECT count(*) FROM (SELECT 1 FROM {} {} LIMIT {}) s").format(
        table, where, sql.Literal(EXACT_COUNT_CAP + 1))
    # a map panning back, or QGIS asking again, repeats a box: counted once per generation of the data
    key = hashlib.sha1(repr((provider["table"], where, params)).encode()).hexdigest()
    matched = cached(f"ogc-count:{provider['table']}:{key}", lambda: count(statement, params))
    return matched if matched <= EXACT_COUNT_CAP else None


def _links(api: API, request: APIRequest, collection_id: str, resource: dict) -> tuple[list[dict], str]:
    """The links pygeoapi writes on an items page (its get_collection_items) but ``next``
    and ``collection``, and the items URL."""
    query = "".join(f"&{urllib.parse.quote(k, safe='')}={urllib.parse.quote(str(v), safe=',')}"
                    for k, v in request.params.items() if k not in ("f", "offset"))
    uri = f"{api.get_collections_url()}/{collection_id}/items"
    links = [
        {"type": "application/geo+json", "rel": request.get_linkrel(F_JSON),
         "title": l10n.translate("This document as GeoJSON", request.locale), "href": f"{uri}?f={F_JSON}{query}"},
        {"rel": request.get_linkrel(F_JSONLD), "type": FORMAT_TYPES[F_JSONLD],
         "title": l10n.translate("This document as RDF (JSON-LD)", request.locale), "href": f"{uri}?f={F_JSONLD}{query}"},
        {"type": FORMAT_TYPES[F_HTML], "rel": request.get_linkrel(F_HTML),
         "title": l10n.translate("This document as HTML", request.locale), "href": f"{uri}?f={F_HTML}{query}"},
    ]
    links += [{"type": f.mimetype, "rel": "alternate", "title": f"This document as {key}",
               "href": f"{uri}?f={f.name}{query}"} for key, f in get_dataset_formatters(resource).items()]
    return links, uri


def plain_page(api: API, request: APIRequest, collection_id: str, page: KeysetPage) -> tuple | None:
    """pygeoapi's ``(headers, status, content)`` for a plain items page, or ``None``."""
    resource = api.config["resources"].get(collection_id)
    if (resource is None or resource.get("type") != "collection" or not set(request.params) <= PLAIN
            or request.format not in (None, F_JSON)):  # None: no f, no Accept pygeoapi knows: JSON
        return None
    provider = get_provider_by_type(resource["providers"], "feature")
    if provider.get("name") != PROVIDER:
        return None
    try:
        limit = evaluate_limit(request.params.get("limit"), api.config["server"].get("limits", {}),
                               resource.get("limits", {}))
        bbox = validate_bbox(request.params.get("bbox"))
    except ValueError:
        return None  # pygeoapi's 400
    after = page.after
    if (bbox and (len(bbox) != 4 or not all(map(math.isfinite, bbox)))) or (
            after is not None and not (after.isdigit() and int(after) <= BIGINT_MAX)):
        return None  # pygeoapi and the provider say what is wrong
    clauses, params = [], []
    if bbox:
        # as the provider's bbox filter (FastPostgreSQLProvider._get_bbox_filter): ``&&`` alone for points
        srid = storage_srid(provider.get("storage_crs", DEFAULT_STORAGE_CRS))
        points = geometry_type(provider["table"], provider["geom_field"]) == "POINT"
        test = "{1} && {0}" if points else "ST_Intersects({0}, {1})"
        envelope = sql.SQL("ST_MakeEnvelope(%s, %s, %s, %s, {})").format(sql.Literal(srid))
        clauses.append(sql.SQL(test).format(envelope, sql.Identifier(provider["geom_field"])))
        params += bbox
    counted = sql.SQL("WHERE " if clauses else "") + sql.SQL(" AND ").join(clauses)
    if after is not None:
        clauses.append(sql.SQL("{} > %s").format(sql.Identifier(provider["id_field"])))
    where = sql.SQL("WHERE " if clauses else "") + sql.SQL(" AND ").join(clauses)
    with short_reads():
        matched = None if after is not None else _matched(provider, counted, params, bool(bbox))
        features, last_id, returned = _features(provider, where, params + ([int(after)] if after else []), limit)

    headers = request.get_response_headers(SYSTEM_LOCALE, **api.api_headers)
    set_content_crs_header(headers, provider, None)
    l10n.set_response_language(headers, l10n.get_plugin_locale(provider, request.raw_locale), request.locale)
    links, uri = _links(api, request, collection_id, resource)
    if returned == limit:  # the provider's keyset link, first as pygeoapi keeps it (a shorter page is the last)
        links.insert(0, page.next_link(last_id))
    links.append({"type": FORMAT_TYPES[F_JSON], "title": l10n.translate(resource["title"], request.locale),
                  "rel": "collection", "href": "/".join(uri.split("/")[:-1])})
    rest = {"numberReturned": returned, **({"numberMatched": matched} if matched is not None else {}),
            "links": links, "timeStamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")}
    content = f'{{"type": "FeatureCollection", "features": {features}, {json.dumps(rest)[1:]}'
    return headers, 200, Document.of(content.encode())
