"""Plain items pages (services/ogc/plain_pages.py) say what pygeoapi says.

For every public collection and every form of a plain page (the first page, a
bbox, a keyset page reached by ``next``, the default limit, ``f=json``), the fast
answer and pygeoapi's own (``get_collection_items`` through the fast provider) are
compared: same status, headers a client reads, and the same JSON but the time stamp.
"""

from __future__ import annotations

import datetime
import json
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from pygeoapi.api import APIRequest
from pygeoapi.api import itemtypes

from services import public_cache
from services.ogc.collections import public_collections
from services.ogc.documents import Document
from services.ogc.paging import AFTER, KeysetPage, serving
from services.ogc.plain_pages import plain_page
from services.ogc.views import api_for
from services.projections import refresh_incidents

pytestmark = pytest.mark.postgis

BELIZE_DISTRICT = "-88.9,17.1,-88.0,17.9"
FORMS = {
    "first page": {"limit": "5"},
    "default limit": {},
    "f=json": {"f": "json", "limit": "3"},
    "bbox": {"bbox": BELIZE_DISTRICT, "limit": "4"},
    "bbox, the whole country": {"bbox": "-89.3,15.8,-87.4,18.6", "limit": "2"},
    "bbox with no feature": {"bbox": "10,10,11,11", "limit": "5"},
    "lang=es": {"lang": "es", "limit": "3"},
}
#: the same forms asked for in Spanish by header (link and collection titles in Spanish)
SPANISH = {"HTTP_ACCEPT_LANGUAGE": "es-BZ,es;q=0.9"}


def answers(collection_id: str, params: dict, **headers: str) -> tuple[tuple, tuple]:
    """(plain answer, pygeoapi's answer) for an items request with ``params`` (and ``headers``)."""
    api = api_for("public", temporal=False)
    django_request = RequestFactory().get(f"/ogcapi/collections/{collection_id}/items", params,
                                          HTTP_HOST="127.0.0.1", **headers)
    request = APIRequest.from_django(django_request, api.locales)
    page = KeysetPage(f"{api.get_collections_url()}/{collection_id}/items",
                      tuple((k, v) for k, v in request.params.items() if k not in ("offset", AFTER)),
                      request.params.get(AFTER))
    plain = plain_page(api, request, collection_id, page)
    with serving(page):
        stock = itemtypes.get_collection_items(api, request, collection_id)
    return plain, stock


def body(content: Document | str) -> str:
    return content.body.decode() if isinstance(content, Document) else content


def comparable(answer: tuple) -> tuple:
    headers, status, content = answer
    document = json.loads(body(content))
    document.pop("timeStamp")
    return status, {k: headers.get(k) for k in ("Content-Type", "Content-Crs", "Content-Language")}, document


def test_plain_pages_equal_pygeoapis_for_every_collection(ogc_every_layer):
    """One test over every collection: the fixture computes a run of every layer kind (~25 s)."""
    for collection_id in (c.id for c in public_collections()):
        for (form, params), headers in [(f, {}) for f in FORMS.items()] + [(f, SPANISH) for f in FORMS.items()]:
            plain, stock = answers(collection_id, params, **headers)
            assert plain is not None, (collection_id, form, headers)
            assert comparable(plain) == comparable(stock), (collection_id, form, headers)
        first = json.loads(answers(collection_id, {"limit": "2"})[1][2])
        following = [link for link in first["links"] if link["rel"] == "next"]
        if following:  # the keyset page the next link names
            params = dict(parse_qsl(urlsplit(following[0]["href"]).query))
            plain, stock = answers(collection_id, params)
            assert comparable(plain) == comparable(stock), (collection_id, "keyset page")
            assert "numberMatched" not in json.loads(body(plain[2]))


def test_plain_pages_speak_spanish_when_asked(ogc):
    for params, headers in (({"lang": "es", "limit": "2"}, {}), ({"limit": "2"}, SPANISH)):
        headers_, _, content = answers("incidents", params, **headers)[0]
        titles = {link["rel"]: link["title"] for link in json.loads(body(content))["links"]}
        assert titles["collection"] == "Incidentes (públicos)" and headers_["Content-Language"] == "es"
    english = json.loads(body(answers("incidents", {"limit": "2"})[0][2]))
    assert {link["rel"]: link["title"] for link in english["links"]}["collection"] == "Incidents (public)"


def test_a_box_whose_corner_is_a_point_holds_it_as_in_pygeoapi(ogc):
    """Points are tested with ``&&`` alone: the edge of the box counts, as in ST_Intersects."""
    with connection.cursor() as cur:
        cur.execute("SELECT id, ST_X(geom), ST_Y(geom) FROM public_incidents ORDER BY id LIMIT 1")
        point_id, x, y = cur.fetchone()
    for bbox in (f"{x},{y},{x + 0.05},{y + 0.05}", f"{x - 0.05},{y - 0.05},{x},{y}"):
        plain, stock = answers("incidents", {"bbox": bbox, "limit": "10000"})
        assert comparable(plain) == comparable(stock), bbox
        assert point_id in {f["id"] for f in json.loads(body(plain[2]))["features"]}, bbox


def test_a_plain_page_is_answered_from_memory_until_the_data_change(ogc, demo_incidents, client):
    url = "/ogcapi/collections/incidents/items?limit=3"
    first = client.get(url, HTTP_ACCEPT_ENCODING="identity")
    with CaptureQueriesContext(connection) as queries:
        again = client.get(url, HTTP_ACCEPT_ENCODING="identity")
    assert len(queries) == 0 and again.content == first.content
    spanish = client.get(url, HTTP_ACCEPT_ENCODING="identity", HTTP_ACCEPT_LANGUAGE="es")
    assert spanish["Content-Language"] == "es" and first["Content-Language"] == "en-US"  # a page per language
    demo_incidents(rows=300, seed=23, days=31, source="later")
    refresh_incidents()
    public_cache.invalidate()  # what an import does once it commits
    later = client.get(url, HTTP_ACCEPT_ENCODING="identity")
    assert later.json()["numberMatched"] > first.json()["numberMatched"]


def test_a_page_from_memory_comes_compressed_or_not_as_the_client_asks(ogc):
    url = f"{ogc}/collections/incidents/items?limit=50"
    compressed = requests.get(url, headers={"Accept-Encoding": "gzip"}, timeout=30)
    plain = requests.get(url, headers={"Accept-Encoding": "identity"}, timeout=30)
    assert compressed.headers["Content-Encoding"] == "gzip" and "Content-Encoding" not in plain.headers
    assert "Accept-Encoding" in compressed.headers["Vary"] and "Accept-Encoding" in plain.headers["Vary"]
    assert compressed.json() == plain.json() and len(compressed.json()["features"]) == 50
    head = requests.head(url, headers={"Accept-Encoding": "gzip"}, timeout=30)
    assert head.status_code == 200 and head.content == b""
    assert int(head.headers["Content-Length"]) == int(compressed.headers["Content-Length"])


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["2026-12-01 23:03:34.69933+00", "2026-12-01 23:03:34+00",
                                   "2026-12-01 23:03:34.000001-06", "2024-02-29 00:00:00.5+00"])
def test_times_are_written_as_pythons_isoformat(value):
    """What pygeoapi's encoder writes (``isoformat()``: six digits of microseconds, or none)."""
    from psycopg import sql

    from services.ogc.plain_pages import _property

    with connection.cursor() as cur:
        statement = sql.SQL("SELECT {}, t.v FROM (SELECT %s::timestamptz AS v) t").format(
            _property("v", "timestamp with time zone"))
        cur.execute(statement.as_string(cur.connection), [value])
        written, instant = cur.fetchone()
    assert written == instant.astimezone(datetime.UTC).isoformat()


@pytest.mark.parametrize("params", [
    {"limit": "5", "category": "property"}, {"limit": "5", "sortby": "-id"}, {"f": "html"}, {"f": "csv"},
    {"f": "jsonld"}, {"bbox": "1,2,3"}, {"bbox": "-89,15,0,-88,18,0"}, {"bbox": "nan,1,2,3"}, {"limit": "0"},
    {"limit": "x"}, {"after": "-1"}, {"after": "99999999999999999999"}, {"offset": "5"}, {"crs": "x"},
    {"datetime": "2025-01-01/.."}, {"properties": "category"}, {"filter": "category='property'"},
], ids=str)
def test_anything_but_a_plain_page_is_left_to_pygeoapi(ogc, params):
    plain, _ = answers("incidents", params)
    assert plain is None
