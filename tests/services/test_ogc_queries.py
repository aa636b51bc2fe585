"""OGC API - Features query parameters (Parts 1, 2 and 3), each checked against an oracle
computed here from the full, unfiltered download of the collection."""

from __future__ import annotations

import csv
import io

import pytest
import requests
from ogc_http import get
from pyproj import Transformer

from services.ogc.collections import public_collections

pytestmark = pytest.mark.postgis

#: the collections the ``ogc`` fixture fills: every base collection, and one layer kind's
#: pair (every kind's projection is generated alike; QGIS and GDAL read all of them)
CIDS = ["districts", "boundaries", "incidents", "sensitive-offences", "kde", "kde-runs"]
TIME_FIELDS = {c.id: c.time_field for c in public_collections() if c.time_field and c.id in CIDS}
UTM = "http://www.opengis.net/def/crs/EPSG/0/32616"
TO_UTM = Transformer.from_crs("EPSG:4326", "EPSG:32616", always_xy=True)


def everything(ogc: str, cid: str) -> list[dict]:
    return get(f"{ogc}/collections/{cid}/items", limit=10000)["features"]


def ids(features) -> set:
    return {f["id"] for f in features}


def cql_literal(value, schema: dict) -> str:
    """``value`` written as a CQL2 text literal of the queryable's type."""
    if schema.get("format") == "date":
        return f"DATE('{value}')"
    if schema.get("format") == "date-time":
        return f"TIMESTAMP('{value}')"
    if isinstance(value, str):
        return f"'{value}'"
    return repr(value)


@pytest.mark.parametrize("cid", CIDS)
def test_every_queryable_filters_by_cql2_equality(ogc, cid):
    queryables = get(f"{ogc}/collections/{cid}/queryables")["properties"]
    features = everything(ogc, cid)
    sample = features[len(features) // 2]["properties"]
    checked = []
    for name, schema in queryables.items():
        if schema.get("x-ogc-role") == "primary-geometry" or sample.get(name) is None:
            continue
        value = sample[name]
        if isinstance(value, str) and "'" in value:
            # pygeofilter's CQL2 grammar has no '' escape: match the text before the quote
            prefix = value.split("'")[0]
            expected = {f["id"] for f in features if (f["properties"].get(name) or "").startswith(prefix)}
            cql = f"{name} LIKE '{prefix}%'"
        else:
            expected = {f["id"] for f in features if f["properties"].get(name) == value}
            cql = f"{name} = {cql_literal(value, schema)}"
        page = get(f"{ogc}/collections/{cid}/items", filter=cql, limit=10000)
        assert ids(page["features"]) == expected, name
        assert page["numberMatched"] == len(expected), name
        checked.append(name)
    assert len(checked) >= 3, checked


@pytest.mark.parametrize("cid", CIDS)
def test_cql2_spatial_filter_matches_bbox(ogc, cid):
    box = (-88.6, 17.0, -88.0, 17.8)
    polygon = f"POLYGON(({box[0]} {box[1]},{box[2]} {box[1]},{box[2]} {box[3]},{box[0]} {box[3]},{box[0]} {box[1]}))"
    by_cql = get(f"{ogc}/collections/{cid}/items", filter=f"S_INTERSECTS(geom,{polygon})", limit=10000)
    by_bbox = get(f"{ogc}/collections/{cid}/items", bbox=",".join(map(str, box)), limit=10000)
    assert ids(by_cql["features"]) == ids(by_bbox["features"])


def test_cql2_null_tests_split_the_collection(ogc):
    features = everything(ogc, "incidents")
    with_district = get(f"{ogc}/collections/incidents/items", filter="district IS NOT NULL", limit=10000)
    without = get(f"{ogc}/collections/incidents/items", filter="district IS NULL", limit=10000)
    assert ids(with_district["features"]) == {f["id"] for f in features if f["properties"]["district"] is not None}
    assert ids(with_district["features"]) | ids(without["features"]) == ids(features)


@pytest.mark.parametrize("cid", sorted(TIME_FIELDS))
def test_datetime_interval_selects_by_the_time_field(ogc, cid):
    field = TIME_FIELDS[cid]
    features = everything(ogc, cid)
    times = sorted(f["properties"][field] for f in features)
    begin, end = times[len(times) // 4], times[3 * len(times) // 4]
    expected = {f["id"] for f in features if begin <= f["properties"][field] <= end}
    page = get(f"{ogc}/collections/{cid}/items", datetime=f"{begin}/{end}", limit=10000)
    assert ids(page["features"]) == expected
    open_end = get(f"{ogc}/collections/{cid}/items", datetime=f"{begin}/..", limit=10000)
    assert ids(open_end["features"]) == {f["id"] for f in features if f["properties"][field] >= begin}
    before = get(f"{ogc}/collections/{cid}/items", datetime="1990-01-01/1990-12-31")
    assert before["features"] == [] and before["numberMatched"] == 0


def test_datetime_instant_on_dates_matches_that_day(ogc):
    features = everything(ogc, "incidents")
    day = features[0]["properties"]["period_start"]
    page = get(f"{ogc}/collections/incidents/items", datetime=day, limit=10000)
    assert ids(page["features"]) == {f["id"] for f in features if f["properties"]["period_start"] == day}


@pytest.mark.parametrize("cid", sorted(TIME_FIELDS))
def test_temporal_extent_holds_every_feature(ogc, cid):
    field = TIME_FIELDS[cid]
    (begin, end), = get(f"{ogc}/collections/{cid}")["extent"]["temporal"]["interval"]
    times = [f["properties"][field] for f in everything(ogc, cid)]
    assert begin[:10] == min(times)[:10] and end[:10] == max(times)[:10]


@pytest.mark.parametrize("cid", CIDS)
def test_spatial_extent_is_the_data_bounds(ogc, cid):
    from shapely.geometry import shape
    from shapely.ops import unary_union

    (declared,) = get(f"{ogc}/collections/{cid}")["extent"]["spatial"]["bbox"]
    bounds = unary_union([shape(f["geometry"]) for f in everything(ogc, cid)]).bounds
    assert declared == pytest.approx(list(bounds), abs=1e-6)


@pytest.mark.parametrize(("sortby", "reverse"), [("incident_count", False), ("-incident_count", True)],
                         ids=["asc", "desc"])
def test_sortby_orders_the_items(ogc, sortby, reverse):
    page = get(f"{ogc}/collections/incidents/items", sortby=sortby, limit=10000)
    counts = [f["properties"]["incident_count"] for f in page["features"]]
    assert counts == sorted(counts, reverse=reverse) and len(set(counts)) > 1


def test_sortby_unknown_property_is_a_400(ogc):
    assert requests.get(f"{ogc}/collections/incidents/items", params={"sortby": "nope"}, timeout=30).status_code == 400


def test_properties_selects_the_returned_properties(ogc):
    page = get(f"{ogc}/collections/incidents/items", properties="category,district", limit=20)
    assert all(set(f["properties"]) == {"category", "district"} for f in page["features"])
    assert all(f["geometry"] for f in page["features"])


def test_crs_32616_output_matches_pyproj(ogc):
    lonlat = get(f"{ogc}/collections/incidents/items", limit=50)["features"]
    response = requests.get(f"{ogc}/collections/incidents/items", params={"f": "json", "limit": 50, "crs": UTM}, timeout=30)
    assert response.headers["Content-Crs"] == f"<{UTM}>"
    utm = {f["id"]: f["geometry"]["coordinates"] for f in response.json()["features"]}
    for feature in lonlat:
        x, y = TO_UTM.transform(*feature["geometry"]["coordinates"])
        assert utm[feature["id"]] == pytest.approx([x, y], abs=0.01)


def test_bbox_crs_32616_selects_points_in_the_metre_box(ogc):
    xmin, ymin, xmax, ymax = 350_000, 1_920_000, 380_000, 1_945_000  # Belize City, metres
    page = get(f"{ogc}/collections/incidents/items", bbox=f"{xmin},{ymin},{xmax},{ymax}", **{"bbox-crs": UTM}, limit=10000)
    got = ids(page["features"])
    inner, outer = set(), set()
    for feature in everything(ogc, "incidents"):
        x, y = TO_UTM.transform(*feature["geometry"]["coordinates"])
        if xmin + 500 < x < xmax - 500 and ymin + 500 < y < ymax - 500:
            inner.add(feature["id"])
        if xmin - 500 < x < xmax + 500 and ymin - 500 < y < ymax + 500:
            outer.add(feature["id"])
    assert inner and inner <= got <= outer


def test_csv_carries_coordinates(ogc):
    response = requests.get(f"{ogc}/collections/incidents/items", params={"f": "csv", "limit": 20}, timeout=30)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    features = {f["id"]: f for f in get(f"{ogc}/collections/incidents/items", limit=20)["features"]}
    for row in rows:
        lon, lat = features[int(row["id"])]["geometry"]["coordinates"]
        assert (float(row["x"]), float(row["y"])) == pytest.approx((lon, lat))


def test_csv_of_polygons_carries_wkt(ogc):
    response = requests.get(f"{ogc}/collections/districts/items", params={"f": "csv"}, timeout=30)
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 6 and all(row["wkt"].startswith("MULTIPOLYGON") for row in rows)


@pytest.mark.parametrize("path", ["", "/", "/conformance", "/conformance/", "/collections", "/collections/"])
def test_both_url_forms_answer_without_redirect(ogc, path):
    response = requests.get(ogc + path, params={"f": "json"}, timeout=30, allow_redirects=False)
    assert response.status_code == 200


def test_every_link_resolves_with_200_and_no_redirect(ogc):
    pages = [ogc, f"{ogc}/collections"] + [f"{ogc}/collections/{cid}" for cid in CIDS]
    pages += [f"{ogc}/collections/{cid}/items?limit=5" for cid in CIDS]
    hrefs = set()
    for page in pages:
        body = requests.get(page, params={"f": "json"}, timeout=30).json()
        hrefs |= {link["href"] for link in body["links"]}
        for collection in body.get("collections", []):
            hrefs |= {link["href"] for link in collection["links"]}
    local = sorted(h for h in hrefs if h.startswith(ogc.rsplit("/ogcapi", 1)[0]))
    assert len(local) > 40
    broken = [(h, s) for h in local if (s := requests.get(h, timeout=60, allow_redirects=False).status_code) != 200]
    assert not broken


def test_next_links_are_keyset_and_read_every_feature_once(ogc):
    seen, url, pages = [], f"{ogc}/collections/incidents/items?f=json&limit=10", 0
    while url:
        assert pages == 0 or "after=" in url and "offset=" not in url
        page = requests.get(url, timeout=30).json()
        seen += [f["id"] for f in page["features"]]
        url = next((link["href"] for link in page["links"] if link["rel"] == "next"), None)
        pages += 1
    assert len(seen) == len(set(seen)) == len(everything(ogc, "incidents")) and pages > 3


def test_filtered_counts_are_exact(ogc):
    features = everything(ogc, "incidents")
    page = get(f"{ogc}/collections/incidents/items", category="property", limit=1)
    assert page["numberMatched"] == sum(f["properties"]["category"] == "property" for f in features) > 0


def test_responses_are_gzip_compressed(ogc):
    response = requests.get(f"{ogc}/collections/incidents/items", params={"f": "json", "limit": 200},
                            headers={"Accept-Encoding": "gzip"}, timeout=30)
    body = response.json()
    assert response.headers["Content-Encoding"] == "gzip" and body["numberReturned"] == min(200, body["numberMatched"])
