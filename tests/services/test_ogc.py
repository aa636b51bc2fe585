"""OGC API Features through pygeoapi mounted in Django, checked over real HTTP and
with GDAL's own OGC client (ogrinfo OAPIF:), as QGIS would use it."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html.parser import HTMLParser

import pytest
import requests
from django.core.management import call_command

from services import public_cache
from services.jobs import create_run, execute_run
from services.ogc.collections import public_collections

from ogc_http import get

pytestmark = pytest.mark.postgis


def test_landing_page_links_service_desc_and_conformance(ogc):
    rels = {link["rel"] for link in get(ogc + "/")["links"]}
    assert {"service-desc", "conformance", "data"} <= rels


def test_openapi_document_describes_every_collection(ogc):
    doc = get(ogc + "/openapi")
    assert doc["openapi"].startswith("3.")
    for cid in (c.id for c in public_collections()):
        assert f"/collections/{cid}/items" in doc["paths"]


def test_conformance_declares_features_core_and_geojson(ogc):
    classes = get(ogc + "/conformance")["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in classes
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson" in classes


def test_collections_list_districts_incidents_and_kde(ogc):
    ids = {c["id"] for c in get(ogc + "/collections")["collections"]}
    assert {"districts", "incidents", "kde", "kde-runs", "hotspots", "area-counts-runs"} <= ids
    assert "near-repeat" not in ids and "near-repeat-runs" not in ids  # exact points: analysts only


def _titles(url: str, **request) -> dict[str, str]:
    response = requests.get(url, timeout=30, **request)
    assert response.status_code == 200, response.text[:300]
    return {c["id"]: c["title"] for c in response.json()["collections"]}


@pytest.mark.parametrize("request_", [{"params": {"f": "json", "lang": "es"}},
                                      {"params": {"f": "json"}, "headers": {"Accept-Language": "es-BZ,es;q=0.9"}}],
                         ids=["lang", "accept-language"])
def test_collection_titles_in_spanish_from_the_catalogue(ogc, request_):
    titles = _titles(ogc + "/collections", **request_)
    assert titles["districts"] == "Distritos de Belice" and titles["incidents"] == "Incidentes (públicos)"
    assert titles["kde"] == "Puntos calientes por densidad kernel (última ejecución)"  # the layer manifest's title
    described = requests.get(ogc + "/collections/incidents", timeout=30, **request_).json()
    assert described["description"].startswith("Los incidentes tal como los puede ver el público")
    assert "delincuencia" in described["keywords"]
    assert get(ogc + "/", lang="es")["title"] == "geo-bco: Observatorio de la Criminalidad de Belice"


def test_english_stays_the_default(ogc):
    titles = _titles(ogc + "/collections", params={"f": "json"})
    assert titles["districts"] == "Districts of Belize" and titles["kde"] == "Kernel density hot spots (latest run)"
    assert _titles(ogc + "/collections", params={"f": "json", "lang": "fr"})["districts"] == "Districts of Belize"


def test_districts_have_population_year_and_source(ogc):
    items = get(ogc + "/collections/districts/items")
    assert items["numberMatched"] == 6
    props = {f["properties"]["name"]: f["properties"] for f in items["features"]}
    assert props["Stann Creek"]["population"] == 48162 and props["Stann Creek"]["population_year"] == 2022
    assert "Statistical Institute of Belize" in props["Cayo"]["population_source"]


def test_items_page_with_limit_and_next_links(ogc):
    first = get(ogc + "/collections/incidents/items", limit=10)
    total = first["numberMatched"]
    assert total > 30 and first["numberReturned"] == 10
    seen = {f["id"] for f in first["features"]}
    page = first
    while (nxt := next((link["href"] for link in page["links"] if link["rel"] == "next"), None)):
        page = requests.get(nxt, timeout=30).json()
        seen |= {f["id"] for f in page["features"]}
    assert len(seen) == total  # paging visits every feature exactly once


def test_bbox_returns_only_features_inside(ogc):
    bbox = (-88.35, 17.40, -88.10, 17.60)  # around Belize City
    items = get(ogc + "/collections/incidents/items", bbox=",".join(map(str, bbox)), limit=1000)
    assert 0 < items["numberMatched"] < get(ogc + "/collections/incidents/items", limit=1)["numberMatched"]
    for feature in items["features"]:
        lon, lat = feature["geometry"]["coordinates"]
        assert bbox[0] <= lon <= bbox[2] and bbox[1] <= lat <= bbox[3]


def test_public_incidents_are_counts_of_at_least_k_per_cell_and_month(ogc):
    items = get(ogc + "/collections/incidents/items", limit=10000)
    props = [f["properties"] for f in items["features"]]
    assert props and {p["category"] for p in props} <= {"property", "violent", "drugs", "weapons"}
    assert all(p["incident_count"] >= 3 and p["period_start"].endswith("-01") for p in props)


def test_kde_collection_serves_the_latest_run_and_history_by_run_id(ogc):
    latest = get(ogc + "/collections/kde/items")
    assert latest["numberMatched"] == 3
    run_id = latest["features"][0]["properties"]["run_id"]
    execute_run(create_run("kde", parameters={"bandwidth": 3000}).pk)
    public_cache.invalidate()
    newer = get(ogc + "/collections/kde/items")
    assert {f["properties"]["run_id"] for f in newer["features"]} == {run_id + 1}
    old = get(ogc + "/collections/kde-runs/items", run_id=run_id)
    assert old["numberMatched"] == 3 and {f["properties"]["run_id"] for f in old["features"]} == {run_id}


class AssetLinks(HTMLParser):
    """The scripts, stylesheets, icons and images a browser loads for a page."""

    def __init__(self):
        super().__init__()
        self.urls: set[str] = set()

    @classmethod
    def of(cls, html: str) -> set[str]:
        parser = cls()
        parser.feed(html)
        return parser.urls

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "img") and attrs.get("src"):
            self.urls.add(attrs["src"])
        elif tag == "link" and {"stylesheet", "icon"} & set((attrs.get("rel") or "").split()):
            self.urls.add(attrs["href"])


PYGEOAPI_PAGE = {"default.css", "logo.png", "favicon.ico", "bootstrap.min.css"}
LEAFLET_PAGE = PYGEOAPI_PAGE | {"leaflet.css", "leaflet.js"}
#: each HTML page, and files it must load (besides any others)
HTML_PAGES = {"": PYGEOAPI_PAGE, "/collections": PYGEOAPI_PAGE, "/collections/incidents": LEAFLET_PAGE,
              "/collections/incidents/items?limit=2": LEAFLET_PAGE | {"leaflet.markercluster-src.js"},
              "/collections/incidents/items/{id}": LEAFLET_PAGE,
              "/openapi": {"swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js"}}


@pytest.mark.parametrize("path, expected", HTML_PAGES.items(), ids=list(HTML_PAGES))
def test_html_pages_load_every_asset_from_this_server(ogc, path, expected):
    """No CDN: Bootstrap, Leaflet, its plugins and Swagger UI come from npm, served here, and
    pygeoapi's own stylesheet, logo and icon from ``/ogcapi/static/`` (its templates link them
    under the API's URL, which geo-bco routes itself)."""
    if "{id}" in path:
        item = requests.get(f"{ogc}/collections/incidents/items", params={"f": "json", "limit": 1}, timeout=30)
        path = path.format(id=item.json()["features"][0]["id"])
    page = requests.get(ogc + path, params={"f": "html"}, timeout=30)
    assert page.status_code == 200
    assert not re.search(r"unpkg\.com|cdnjs\.|jsdelivr\.", page.text)
    assets = AssetLinks.of(page.text)
    assert {a.rsplit("/", 1)[1] for a in assets} >= expected
    origin = ogc.removesuffix("/ogcapi")
    assert all(a.startswith((origin, "/")) for a in assets), sorted(assets)
    for asset in assets:
        response = requests.get(asset if asset.startswith("http") else origin + asset, timeout=30)
        assert response.status_code == 200 and len(response.content) > 0, asset


def test_items_page_draws_its_features_on_a_leaflet_map_with_no_network(ogc, browser):
    """The browser has no way out (--disable-background-networking, no internet here): the map
    draws because Leaflet and the marker-cluster plugin are served by geo-bco."""
    browser.get(f"{ogc}/collections/incidents/items?f=html&limit=50")
    drawn = browser.execute_script(
        "return [typeof L, typeof L !== 'undefined' && typeof L.markerClusterGroup, "
        "document.querySelectorAll('.leaflet-marker-icon, .leaflet-interactive').length]")
    assert drawn[0] == "object" and drawn[1] == "function" and drawn[2] > 0, drawn


def test_unknown_collection_is_a_404(ogc):
    assert requests.get(ogc + "/collections/nope/items", params={"f": "json"}, timeout=30).status_code == 404


def test_generated_config_validates(tmp_path, settings):
    settings.VAR_DIR = tmp_path
    call_command("ogc_config", "--out", str(tmp_path / "pygeoapi-config.yml"))
    assert "kde-runs" in (tmp_path / "pygeoapi-config.yml").read_text()


@pytest.mark.skipif(shutil.which("ogrinfo") is None, reason="gdal-bin is not installed")
def test_gdal_ogc_client_lists_and_reads_every_collection(ogc_every_layer):
    ogc = ogc_every_layer
    listing = subprocess.run(["ogrinfo", "-ro", "-q", f"OAPIF:{ogc}/"], capture_output=True, text=True, timeout=120)
    assert listing.returncode == 0, listing.stderr
    for cid in (c.id for c in public_collections()):
        assert cid in listing.stdout
        expected = get(f"{ogc}/collections/{cid}/items", limit=1)["numberMatched"]
        out = subprocess.run(
            ["ogr2ogr", "-f", "GeoJSON", "/vsistdout/", f"OAPIF:{ogc}/collections/{cid}"],
            capture_output=True, text=True, timeout=180,
        )
        assert out.returncode == 0, out.stderr
        features = json.loads(out.stdout)["features"]
        assert len(features) == expected, cid
        assert all(f["geometry"] for f in features)


@pytest.mark.parametrize("value", ["abc", "1;DROP TABLE geo_bco_incident", "' OR 1=1 --"], ids=["text", "sql", "quote"])
def test_hostile_property_filter_is_a_client_error(ogc, value):
    response = requests.get(ogc + "/collections/kde-runs/items", params={"f": "json", "run_id": value}, timeout=30)
    assert response.status_code == 400
    assert get(ogc + "/collections/districts/items")["numberMatched"] == 6  # nothing was harmed
