"""The public rule as an anonymous client meets it: every public endpoint crawled, every
answer read, and what they show counted.

test_public_rule.py proves that each anonymous route reads only the ``public_*``
projections and checks those on hand cases; this test reads the answers themselves, as
anyone outside could, over a database with every layer kind computed, sensitive offences
among the incidents and newer runs over them: the OGC API's items in every format it
offers (GeoJSON, CSV, HTML, JSON-LD, every page) and items by id, the vector tiles
(TileJSON, tiles at a national and a street zoom, legend summaries), the REST API, the
open data downloads (every month, every format) and the requests the web map makes. It
finds 0 exact points (no coordinate anywhere in any answer that is an incident's recorded
location to the precision it is written with: 8 cm for 6 decimals, 11 cm in a street-zoom
tile), 0 sensitive records below district and month, 0 counts under k and 0 features of a
run whose input included sensitive offences.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections import Counter
from urllib.parse import urljoin

import mapbox_vector_tile
import numpy as np
import pyogrio
import pytest
import requests
from django.conf import settings
from django.db import connection
from pyproj import Transformer
from scipy.spatial import cKDTree

from geo_bco.models import AnalysisRun, OffenceType
from services import public_cache
from services.jobs import create_run, execute_run
from services.layers import REGISTRY

from layer_runs import FAST_PARAMETERS

pytestmark = pytest.mark.postgis

#: a longitude and a latitude in Belize, one after the other, in any text: GeoJSON, WKT, CSV, HTML, JSON-LD
LON_LAT = re.compile(r"(-8[789]\.\d{3,})[\"']?\s*[,\s]\s*[\"']?(1[5-8]\.\d{3,})")
TO_UTM = Transformer.from_crs(4326, 32616, always_xy=True)
MERCATOR_TO_UTM = Transformer.from_crs(3857, 32616, always_xy=True)
HALF_WORLD = 20037508.342789244
BELIZE = (-89.25, 15.88, -87.45, 18.50)
#: How near an incident a served coordinate must be to count as its location: half the last of the 6 decimals
#: the REST API and the downloads write (pygeoapi writes 9), both ways; in a street-zoom tile, half its unit (0.15 m)
TEXT_M, TILE_M, STREET_ZOOM = 0.5e-6 * 111_320 * math.sqrt(2), 0.15 / 2 * math.sqrt(2), 16
BINARY = ("application/vnd.mapbox-vector-tile", "application/geopackage")
COUNTS = ("incident_count", "previous_count", "count")  #: feature properties that count incidents
#: feature properties that are shares of another (share -> total): their product counts incidents
SHARES = {"incident_share": "run_input_count", "main_offence_share": "incident_count"}
#: the public collections/layers whose features are sensitive offences, by district and month
SENSITIVE_COUNTS = {"sensitive-offences"}


class Crawl:
    """An anonymous client that keeps every answer it was given."""

    def __init__(self, site: str):
        self.site, self.session, self.answers = site, requests.Session(), []

    def get(self, path: str, **params) -> requests.Response:
        response = self.session.get(urljoin(self.site, path), params=params or None, timeout=120)
        assert response.status_code == 200, (response.url, response.status_code, response.text[:300])
        assert "Authorization" not in response.request.headers and "X-API-Key" not in response.request.headers
        self.answers.append(response)
        return response

    def pages(self, path: str, **params) -> list[dict]:
        """Every page of a GeoJSON collection (REST ``next``, OGC ``links`` rel=next)."""
        pages, url = [], path
        while url:
            page = self.get(url, **params).json()
            pages.append(page)
            params = {}
            url = page.get("next") or next((l["href"] for l in page.get("links", []) if l.get("rel") == "next"), None)
        return pages


def features_in(document) -> list[dict]:
    """Every GeoJSON Feature anywhere in a JSON document."""
    if isinstance(document, list):
        return [f for item in document for f in features_in(item)]
    if not isinstance(document, dict):
        return []
    if document.get("type") == "Feature":
        return [document]
    return [f for value in document.values() for f in features_in(value)]


def tile_range(z: int, box=BELIZE) -> list[tuple[int, int]]:
    def tile(lon: float, lat: float) -> tuple[int, int]:
        y = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2
        return int((lon + 180) / 360 * 2**z), int(y * 2**z)

    (x0, y0), (x1, y1) = tile(box[0], box[3]), tile(box[2], box[1])
    return [(x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]


def tile_features(content: bytes, z: int, x: int, y: int) -> list[dict]:
    """A tile's features with UTM coordinates (from tile units through Web Mercator)."""
    size = 2 * HALF_WORLD / 2**z
    left, bottom = -HALF_WORLD + x * size, HALF_WORLD - (y + 1) * size

    def to_utm(u, v):
        return MERCATOR_TO_UTM.transform(left + u / 4096 * size, bottom + v / 4096 * size)

    decoded = mapbox_vector_tile.decode(content, default_options={"transformer": to_utm})
    return [f | {"layer": name} for name, layer in decoded.items() for f in layer["features"]]


def coordinates(geometry) -> list[tuple[float, float]]:
    """Every vertex of a GeoJSON geometry (or of its coordinates)."""
    values = geometry["coordinates"] if isinstance(geometry, dict) else geometry
    if values and isinstance(values[0], (int, float)):
        return [tuple(values[:2])]
    return [xy for part in values for xy in coordinates(part)]


@pytest.fixture
def public_site(ogc_every_layer, live_server):
    """The live site with every layer kind, and for each public kind a newer run over sensitive offences."""
    sensitive_runs = {execute_run(create_run(name, parameters=FAST_PARAMETERS[name],
                                             input_filter={"sensitive": True}).pk).pk
                      for name, kind in REGISTRY.items() if kind.public}
    assert AnalysisRun.objects.filter(pk__in=sensitive_runs, status="succeeded").count() == len(sensitive_runs)
    public_cache.invalidate()  # what a run does once it commits
    return live_server.url, sensitive_runs


def crawl_everything(crawl: Crawl) -> dict[str, list[dict]]:
    """Every anonymous endpoint; returns the features seen, by where they came from."""
    seen: dict[str, list[dict]] = {}
    # --- OGC API: every collection, items in every format and every page, items by id
    collections = crawl.get("/ogcapi/collections", f="json").json()["collections"]
    crawl.get("/ogcapi/", f="html")
    for collection in collections:
        cid = collection["id"]
        crawl.get(f"/ogcapi/collections/{cid}", f="json")
        items = [f for page in crawl.pages(f"/ogcapi/collections/{cid}/items", f="json", limit=10000)
                 for f in page["features"]]
        seen[f"ogc {cid}"] = items
        rows = list(csv.DictReader(io.StringIO(crawl.get(f"/ogcapi/collections/{cid}/items", f="csv",
                                                         limit=10000).text)))
        assert len(rows) == len(items), cid
        seen[f"ogc {cid} csv"] = [{"properties": row} for row in rows]
        for fmt in ("html", "jsonld"):
            crawl.get(f"/ogcapi/collections/{cid}/items", f=fmt, limit=500)
        for feature in items[:3]:
            seen[f"ogc {cid}"].append(crawl.get(f"/ogcapi/collections/{cid}/items/{feature['id']}", f="json").json())
            for fmt in ("html", "jsonld"):
                crawl.get(f"/ogcapi/collections/{cid}/items/{feature['id']}", f=fmt)
    # --- the requests the web map makes (services/static/services/map.js), and the REST API
    crawl.get("/")
    manifest = crawl.get("/api/layers/").json()
    crawl.get("/api/places/")
    runs = crawl.get("/api/runs/").json()["runs"]
    tiles = crawl.get("/tiles/").json()["layers"]
    for boundary_set in manifest["boundaries"]:
        seen[f"rest {boundary_set['slug']}"] = features_in(crawl.get(boundary_set["data"]).json())
    for layer in manifest["layers"]:
        crawl.get("/api/runs/", method=layer["name"])
        seen[f"rest {layer['name']}"] = [f for p in crawl.pages(layer["data"], page_size=10000) for f in p["features"]]
        for run in {r["id"] for r in runs if r["method"] == layer["name"]}:
            seen[f"rest {layer['name']}"] += [f for p in crawl.pages(layer["data"], run_id=run, page_size=10000)
                                              for f in p["features"]]
    for path in ("/api/districts/", "/api/incidents/", "/api/sensitive-offences/", "/api/places/"):
        name = "rest sensitive-offences" if "sensitive" in path else f"rest {path}"
        seen[name] = [f for p in crawl.pages(path, page_size=10000) for f in p["features"]]
    crawl.get("/api/methods/")
    for run in runs:
        crawl.get(f"/api/runs/{run['id']}/")
        if run["method"] == "near-repeat":
            crawl.get(f"/api/runs/{run['id']}/knox.csv")
    for path in ("/dashboard/", "/dashboard/?format=json", "/bulletins/", "/jsi18n/"):
        crawl.get(path)
    # --- vector tiles: each layer at a national zoom, and at a street zoom where its features are
    for doc in tiles:
        layer, fields = doc["name"], doc["vector_layers"][0]["fields"]
        crawl.get(f"/tiles/{layer}.json")
        listed = [p for p in ("period_start", "category") if p in fields]
        legend = crawl.get(doc["summary"], **({"values": ",".join(listed)} if listed else {}),
                           **({"quantiles": "incident_count"} if "incident_count" in fields else {})).json()
        seen[f"tiles {layer} summary"] = [{"properties": {"value": v}} for vs in legend["values"].values() for v in vs]
        seen[f"tiles {layer} summary"] += [{"properties": {"incident_count": b}}
                                           for b in legend.get("quantiles", {}).get("breaks", [])]
        found = seen.get(f"ogc {layer}", [])
        street = {tile_range(STREET_ZOOM, (lon, lat, lon, lat))[0]
                  for f in found[:5] if f.get("geometry") for lon, lat in coordinates(f["geometry"])[:1]}
        for z, xys in ((7, tile_range(7)), (STREET_ZOOM, sorted(street))):
            for x, y in xys:
                url = doc["tiles"][0].replace("{z}", str(z)).replace("{x}", str(x)).replace("{y}", str(y))
                seen.setdefault(f"tiles {layer} z{z}", []).extend(tile_features(crawl.get(url).content, z, x, y))
    # --- open data: every archive linked from /data/
    index = crawl.get("/data/").text
    for href in sorted(set(re.findall(r'href="([^"]*/incidents\.(?:csv|geojson|gpkg))"', index))):
        answer = crawl.get(href)
        if href.endswith(".csv"):
            rows = [{"properties": r} for r in csv.DictReader(io.StringIO(answer.text))]
        elif href.endswith(".geojson"):
            rows = features_in(answer.json())
        else:
            frame = pyogrio.read_dataframe(io.BytesIO(answer.content))
            rows = [{"properties": {k: v for k, v in r.items() if k != "geometry"},
                     "geometry": {"coordinates": [r["geometry"].x, r["geometry"].y]}}
                    for r in frame.to_dict("records")]
        seen[f"download {href}"] = rows
    return seen


def test_an_anonymous_crawl_finds_no_exact_point_sensitive_record_small_count_or_sensitive_run(public_site):
    site, sensitive_runs = public_site
    crawl = Crawl(site)
    seen = crawl_everything(crawl)
    k = settings.BCO_PUBLIC_MIN_COUNT

    with connection.cursor() as cur:  # where incidents are recorded (a locality's are the gazetteer's public point)
        cur.execute("SELECT ST_X(p), ST_Y(p) FROM geo_bco_incident i CROSS JOIN LATERAL ST_Transform(i.location, 32616) p "
                    "WHERE i.geocode_precision IN ('exact', 'address')")
        exact = cKDTree(np.array(cur.fetchall()))
    assert exact.n > 1000

    # 0 exact points: every coordinate pair in every answer's text, every GeoPackage point and every
    # street-zoom tile vertex, matched to the incidents' locations to the precision they are written with
    pairs = [(answer.url, lon, lat) for answer in crawl.answers
             if not answer.headers["Content-Type"].startswith(BINARY) for lon, lat in LON_LAT.findall(answer.text)]
    utm = np.array([TO_UTM.transform(float(lon), float(lat)) for _, lon, lat in pairs])
    tolerance = np.full(len(pairs), TEXT_M)
    for source, features in seen.items():
        if source.endswith(("gpkg", f"z{STREET_ZOOM}")):  # binary answers, read as numbers
            xys = [TO_UTM.transform(*xy) if "gpkg" in source else xy for f in features for xy in coordinates(f["geometry"])]
            pairs += [(source, "", "")] * len(xys)
            utm = np.vstack([utm, np.array(xys).reshape(-1, 2)])
            tolerance = np.concatenate([tolerance, np.full(len(xys), TEXT_M if "gpkg" in source else TILE_M)])
    distance, _ = exact.query(utm)
    hits = Counter(pairs[i][0] for i in np.flatnonzero(distance <= tolerance))
    street = sum(source.endswith(f"z{STREET_ZOOM}") for source, _, _ in pairs)
    by_format = Counter(a.headers["Content-Type"].split(";")[0] for a in crawl.answers)
    print(f"{len(crawl.answers)} answers {dict(by_format)}; {len(pairs)} coordinates ({street} street-zoom tile "
          f"vertices), the closest {distance.min():.3f} m from an incident, {np.min(distance / tolerance):.0f} times "
          f"the precision it is written with; {sum(len(f) for f in seen.values())} features")
    assert len(pairs) > 10_000 and street > 100
    assert not hits, f"incidents' own locations served by: {sorted(hits.items())}"

    # 0 sensitive records below district and month
    sensitive = OffenceType.objects.filter(sensitive=True)
    words = set(sensitive.values_list("code", flat=True)) | set(sensitive.values_list("label", flat=True))
    words |= set(sensitive.values_list("category", flat=True)) - set(
        OffenceType.objects.filter(sensitive=False).values_list("category", flat=True))
    districts = {f["properties"]["code"] for f in seen["rest /api/districts/"]}
    leaks, counted = [], 0
    for source, features in seen.items():
        for feature in features:
            properties = feature.get("properties") or {}
            if any(str(v) in words for v in properties.values()):
                leaks.append((source, properties))
            if any(name in source for name in SENSITIVE_COUNTS):
                counted += 1
                assert properties["code"] in districts and str(properties["period_start"]).endswith("-01")
                assert properties["period"] == settings.BCO_PUBLIC_PERIOD, (source, properties)
    assert leaks == [] and counted > 0

    # 0 counts under k
    small = [(source, name, f["properties"][name]) for source, features in seen.items() for f in features
             for name in COUNTS if f.get("properties", {}).get(name) not in (None, "", "None")
             and 0 < float(f["properties"][name]) < k]
    assert small == []
    # ... nor shares standing for such a count (a share times its total), nor a forecast's score
    shares = [(source, name, p[name]) for source, features in seen.items() for f in features
              for p in [f.get("properties") or {}] for name, of in SHARES.items()
              if p.get(name) not in (None, "", "None") and p.get(of) not in (None, "", "None")
              and 0 < round(float(p[name]) * float(p[of])) < k]
    forecast = [f.get("properties") or {} for source, features in seen.items() if "forecast" in source for f in features]
    assert shares == [] and forecast and not any("score" in p for p in forecast)

    # 0 features of a run whose input included sensitive offences (and every public kind seen)
    run_ids = Counter(int(f["properties"]["run_id"]) for features in seen.values() for f in features
                      if f.get("properties", {}).get("run_id") not in (None, ""))
    listed = {r["id"] for r in crawl.get("/api/runs/").json()["runs"]}
    assert not (set(run_ids) | listed) & sensitive_runs
    public_kinds = {name for name, kind in REGISTRY.items() if kind.public}
    assert {AnalysisRun.objects.get(pk=r).method for r in run_ids} == public_kinds == {
        AnalysisRun.objects.get(pk=r).method for r in sensitive_runs}  # each kind has a run the public never sees
