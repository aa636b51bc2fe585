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
from django.test import RequestFactory
from pygeoapi.api import APIRequest
from pygeoapi.api import itemtypes

from services.ogc.collections import public_collections
from services.ogc.paging import AFTER, KeysetPage, serving
from services.ogc.plain_pages import plain_page
from services.ogc.views import api_for

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


def comparable(answer: tuple) -> tuple:
    headers, status, content = answer
    document = json.loads(content)
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
            assert "numberMatched" not in json.loads(plain[2])


def test_plain_pages_speak_spanish_when_asked(ogc):
    for params, headers in (({"lang": "es", "limit": "2"}, {}), ({"limit": "2"}, SPANISH)):
        headers_, _, content = answers("incidents", params, **headers)[0]
        titles = {link["rel"]: link["title"] for link in json.loads(content)["links"]}
        assert titles["collection"] == "Incidentes (públicos)" and headers_["Content-Language"] == "es"
    english = json.loads(answers("incidents", {"limit": "2"})[0][2])
    assert {link["rel"]: link["title"] for link in english["links"]}["collection"] == "Incidents (public)"


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["2026-12-01 23:03:34.69933+00", "2026-12-01 23:03:34+00",
                                   "2026-12-01 23:03:34.000001-06", "2024-02-29 00:00:00.5+00"])
def test_times_are_written_as_pythons_isoformat(value):
    """What pygeoapi's encoder writes (``isoformat()``: six digits of microseconds, or none)."""
    from django.db import connection
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
