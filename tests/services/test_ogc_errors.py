"""Every request an outside probe once answered with HTTP 500, with the status it must get now.

A 400 carries an OGC exception body (``code`` and ``description``) whose
description names the parameter at fault; a method the API does not serve is a
405 with an ``Allow`` header.
"""

from __future__ import annotations

import pytest
import requests

from ogc_http import get

pytestmark = pytest.mark.postgis

ITEMS = "/collections/incidents/items"
KDE_ALL = "/collections/kde-runs/items"

#: (id, method, path under /ogcapi, query parameters, expected status, word the description must hold)
CASES = [
    ("datetime-interval", "GET", ITEMS, {"datetime": "2025-01-01/2025-02-01"}, 200, None),
    ("datetime-instant", "GET", ITEMS, {"datetime": "2025-01-15"}, 200, None),
    ("datetime-garbage", "GET", ITEMS, {"datetime": "last tuesday"}, 400, "datetime"),
    ("datetime-on-timeless", "GET", "/collections/districts/items", {"datetime": "2025-01-01"}, 400, "datetime"),
    ("cql2-invalid-polygon", "GET", ITEMS, {"filter": "S_INTERSECTS(geom,POLYGON((0 0,1 1,2 2)))"}, 400, "filter"),
    ("cql2-is-not-null", "GET", ITEMS, {"filter": "district IS NOT NULL"}, 200, None),
    ("cql2-unknown-property", "GET", ITEMS, {"filter": "nope = 1"}, 400, "filter"),
    ("offset-huge", "GET", ITEMS, {"offset": "99999999999999999999"}, 400, "offset"),
    ("bbox-six-numbers", "GET", ITEMS, {"bbox": "-88.4,17.4,0,-88.1,17.6,10"}, 200, None),
    ("bbox-nan", "GET", ITEMS, {"bbox": "nan,nan,nan,nan"}, 400, "bbox"),
    ("nul-in-text-filter", "GET", ITEMS, {"category": "property\x00"}, 400, "category"),
    ("empty-date-filter", "GET", ITEMS, {"period_start": ""}, 400, "period_start"),
    ("text-in-date-filter", "GET", ITEMS, {"period_start": "yesterday"}, 400, "period_start"),
    ("empty-timestamp-filter", "GET", KDE_ALL, {"run_finished_at": ""}, 400, "run_finished_at"),
    ("negative-out-of-range-int", "GET", KDE_ALL, {"run_id": "-99999999999999999999"}, 400, "run_id"),
    ("bad-after", "GET", ITEMS, {"after": "x"}, 400, "after"),
    ("boolean-filter", "GET", "/collections/area-counts/items", {"small_count": "false"}, 200, None),
    ("text-in-boolean-filter", "GET", "/collections/area-counts/items", {"small_count": "maybe"}, 400, "small_count"),
    ("head-items", "HEAD", ITEMS, {}, 200, None),
    ("trace-items", "TRACE", ITEMS, {}, 405, None),
    ("post-items", "POST", ITEMS, {}, 405, None),
    ("delete-item", "DELETE", ITEMS + "/1", {}, 405, None),
    ("tilematrixset", "GET", "/TileMatrixSets/WebMercatorQuad", {}, 200, None),
    ("tilematrixset-unknown", "GET", "/TileMatrixSets/Nope", {}, 404, None),
    ("unknown-path", "GET", "/nope", {}, 404, None),
    ("missing-item", "GET", ITEMS + "/999999999", {}, 404, None),
    ("non-integer-item", "GET", ITEMS + "/abc", {}, 404, None),
]


def ogc_request(method: str, url: str, params: dict) -> requests.Response:
    return requests.request(method, url, params={"f": "json", **params}, timeout=30, allow_redirects=False)


@pytest.mark.parametrize(("method", "path", "params", "status", "names"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_probe_request_gets_its_status(ogc, method, path, params, status, names):
    response = ogc_request(method, ogc + path, params)
    assert response.status_code == status, response.text[:300]
    if status == 405:
        assert "GET" in response.headers["Allow"]
    if method == "HEAD":
        assert response.content == b""
    if status >= 400 and method != "HEAD":
        body = response.json()
        assert body["code"] and body["description"]
        if names:
            assert names in body["description"]


@pytest.mark.parametrize("cid", ["districts", "incidents", "kde", "kde-runs"])
@pytest.mark.parametrize("fmt", ["json", "html", "jsonld"])
def test_every_existing_item_answers_in_every_format(ogc, cid, fmt):
    """Existing ids used to be the only ones that failed (bigint < varchar)."""
    first = get(f"{ogc}/collections/{cid}/items", limit=1)["features"][0]
    response = requests.get(f"{ogc}/collections/{cid}/items/{first['id']}", params={"f": fmt}, timeout=30)
    assert response.status_code == 200, response.text[:300]


def test_rest_api_refuses_a_nan_bbox(live_server, reference_data_committed):
    response = requests.get(f"{live_server.url}/api/incidents/", params={"in_bbox": "nan,nan,nan,nan"}, timeout=30)
    assert response.status_code == 400
    assert "four numbers" in response.json()["in_bbox"][0]
