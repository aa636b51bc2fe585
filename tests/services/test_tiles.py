"""Vector tiles over the public tables, decoded with mapbox-vector-tile and checked
against the OGC API's answer for the same area (the oracle)."""

from __future__ import annotations

import math

import mapbox_vector_tile
import pytest
import requests
from ogc_http import get

from services import public_cache
from services.jobs import create_run, execute_run
from services.tiles.layers import tile_layer, tile_layers
from services.tiles.render import BUFFER, EXTENT

pytestmark = pytest.mark.postgis

BELIZE_CITY = (-88.19, 17.50)


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    """The Web Mercator (XYZ) tile holding a point: the slippy-map formula."""
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def tile_bounds(z: int, x: int, y: int, grow: float = 0.0) -> tuple[float, float, float, float]:
    """lon/lat bounds of a tile, optionally grown by ``grow`` tile widths on each side."""
    n = 2**z

    def lon(tx):
        return tx / n * 360 - 180

    def lat(ty):
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * ty / n))))

    return lon(x - grow), lat(y + 1 + grow), lon(x + 1 + grow), lat(y - grow)


def fetch_tile(base: str, layer: str, z: int, x: int, y: int) -> tuple[requests.Response, list[dict]]:
    response = requests.get(f"{base}/tiles/{layer}/{z}/{x}/{y}.mvt", timeout=60)
    assert response.status_code == 200, response.text[:300]
    assert response.headers["Content-Type"] == "application/vnd.mapbox-vector-tile"
    decoded = mapbox_vector_tile.decode(response.content)
    return response, decoded.get(layer, {}).get("features", [])


def incidents_in(ogc: str, bounds) -> int:
    """Incidents the OGC API counts in an area (each public feature is a count)."""
    page = get(f"{ogc}/collections/incidents/items", bbox=",".join(map(str, bounds)), limit=10000)
    return sum(f["properties"]["incident_count"] for f in page["features"])


@pytest.fixture
def site(ogc):
    return ogc.rsplit("/ogcapi", 1)[0]


@pytest.mark.parametrize("layer", [layer.id for layer in tile_layers()])
def test_tilejson_describes_the_layer_and_its_tiles_resolve(site, layer):
    doc = requests.get(f"{site}/tiles/{layer}.json", timeout=30).json()
    assert doc["tilejson"] == "3.0.0" and doc["vector_layers"][0]["id"] == layer
    x, y = tile_of(*BELIZE_CITY, 10)
    url = doc["tiles"][0].format(z=10, x=x, y=y)
    assert requests.get(url, timeout=60).status_code == 200


def test_street_zoom_tile_holds_the_public_points_in_it(site, ogc):
    z = tile_layer("incidents").points_from_zoom
    x, y = tile_of(*BELIZE_CITY, z)
    response, features = fetch_tile(site, "incidents", z, x, y)
    assert response.headers["X-Tile-Aggregated"] == "features"
    inside = incidents_in(ogc, tile_bounds(z, x, y))
    with_buffer = incidents_in(ogc, tile_bounds(z, x, y, grow=BUFFER / EXTENT))
    served = sum(f["properties"]["count"] for f in features)
    assert inside > 0 and inside <= served <= with_buffer
    assert all({"category", "period_start", "cell_size_m", "count"} == set(f["properties"]) for f in features)
    places = {(tuple(f["geometry"]["coordinates"]), f["properties"]["category"], f["properties"]["period_start"])
              for f in features}
    assert len(places) == len(features)  # one feature per public cell, category and month


@pytest.mark.parametrize("z", [7, 10, 12], ids=["national", "district", "town"])
def test_lower_zooms_count_incidents_into_cells(site, ogc, z):
    x, y = tile_of(*BELIZE_CITY, z)
    response, features = fetch_tile(site, "incidents", z, x, y)
    assert response.headers["X-Tile-Aggregated"] == "cells"
    assert all(set(f["properties"]) == {"count"} for f in features)  # no offence or date at these zooms
    # cells tile the grid exactly: those whose centre is in the tile hold its incidents
    in_tile = [f for f in features if all(0 <= c <= EXTENT for c in f["geometry"]["coordinates"])]
    assert sum(f["properties"]["count"] for f in in_tile) == incidents_in(ogc, tile_bounds(z, x, y)) > 0
    assert len(in_tile) < sum(f["properties"]["count"] for f in in_tile)  # cells really aggregate


def test_district_and_kde_tiles_hold_their_features(site, ogc):
    x, y = tile_of(*BELIZE_CITY, 8)
    _, districts = fetch_tile(site, "districts", 8, x, y)
    assert "Belize" in {f["properties"]["name"] for f in districts}
    x, y = tile_of(*BELIZE_CITY, 4)
    _, bands = fetch_tile(site, "kde", 4, x, y)
    assert sorted(f["properties"]["band"] for f in bands) == [1, 2, 3]


def test_tiles_are_cached_until_a_run_or_import_invalidates_them(site, ogc):
    from django.db import connection

    x, y = tile_of(*BELIZE_CITY, 4)
    _, before = fetch_tile(site, "kde", 4, x, y)
    with connection.cursor() as cur:  # a change no import or run made: the cached tile stays
        cur.execute("DELETE FROM geo_bco_kdecontour")
    _, cached = fetch_tile(site, "kde", 4, x, y)
    assert [f["properties"]["run_id"] for f in cached] == [f["properties"]["run_id"] for f in before]
    execute_run(create_run("kde", parameters={"bandwidth": 3000}).pk)  # a run invalidates once it commits
    _, after = fetch_tile(site, "kde", 4, x, y)
    assert {f["properties"]["run_id"] for f in after} == {before[0]["properties"]["run_id"] + 1}


def test_prerendered_national_zooms_are_served_from_the_cache(site, ogc):
    """After ``prerender(6)`` the incident tiles up to zoom 6 come from the cache: with the
    public incidents gone (no import, so nothing retired the cache) a zoom-6 tile still
    holds them, and a zoom-7 tile, never rendered, is empty."""
    from django.db import connection

    from services.tiles.prerender import prerender

    said = []
    rendered = prerender(max_zoom=6, say=said.append)
    assert rendered >= len(tile_layers()) * 7 and said == [f"pre-rendered {rendered} tiles (zoom up to 6, "
                                                           f"{len(tile_layers())} layers)"]
    with connection.cursor() as cur:
        cur.execute("TRUNCATE geo_bco_incident CASCADE")
        cur.execute("REFRESH MATERIALIZED VIEW public_incidents")
    _, at_6 = fetch_tile(site, "incidents", 6, *tile_of(*BELIZE_CITY, 6))
    _, at_7 = fetch_tile(site, "incidents", 7, *tile_of(*BELIZE_CITY, 7))
    assert sum(f["properties"]["count"] for f in at_6) > 0 and at_7 == []


@pytest.mark.parametrize("path", ["nope/1/0/0.mvt", "incidents/17/0/0.mvt", "incidents/2/4/0.mvt", "nope.json"],
                         ids=["unknown-layer", "beyond-maxzoom", "x-out-of-range", "unknown-tilejson"])
def test_tiles_that_do_not_exist_are_404(site, path):
    assert requests.get(f"{site}/tiles/{path}", timeout=30).status_code == 404


def test_tiles_are_gzip_compressed(site):
    x, y = tile_of(*BELIZE_CITY, 12)
    response = requests.get(f"{site}/tiles/incidents/12/{x}/{y}.mvt", headers={"Accept-Encoding": "gzip"}, timeout=30)
    assert response.headers.get("Content-Encoding") == "gzip"


# --- filters: tile query parameters -------------------------------------------------------

def sql_incidents(z: int, x: int, y: int, categories=None, first=None, last=None) -> int:
    """The oracle: public incidents in the tile whose category and month the filters choose."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "SELECT coalesce(sum(incident_count), 0) FROM public_incidents "
            "WHERE ST_Intersects(geom, ST_Transform(ST_TileEnvelope(%s, %s, %s), 4326)) "
            "AND (%s::text[] IS NULL OR category = ANY(%s::text[])) "
            "AND (%s::date IS NULL OR period_start >= %s::date) AND (%s::date IS NULL OR period_start <= %s::date)",
            [z, x, y, categories, categories, first, first, last, last])
        return cur.fetchone()[0]


def counted_in_tile(site: str, z: int, x: int, y: int, **filters) -> int:
    response = requests.get(f"{site}/tiles/incidents/{z}/{x}/{y}.mvt", params=filters, timeout=60)
    assert response.status_code == 200, response.text[:300]
    features = mapbox_vector_tile.decode(response.content).get("incidents", {}).get("features", [])
    return sum(f["properties"]["count"] for f in features if all(0 <= c <= EXTENT for c in f["geometry"]["coordinates"]))


@pytest.fixture
def months(ogc, demo_incidents):
    """Four more months of incidents (the live server's set spans one), refreshed as an import does."""
    from services.projections import refresh_incidents

    demo_incidents(rows=1500, seed=5, days=120, source="demo-months")
    refresh_incidents()
    public_cache.invalidate()


@pytest.mark.parametrize("filters, categories, first, last", [
    ({"category": "property"}, ["property"], None, None),
    ({"category": "property,drugs"}, ["property", "drugs"], None, None),
    ({"from": "2026-08", "to": "2026-08"}, None, "2026-08-01", "2026-08-01"),
    ({"category": "violent", "from": "2026-07"}, ["violent"], "2026-07-01", None),
], ids=["one-category", "two-categories", "one-month", "category-and-months"])
def test_filtered_cells_count_only_the_chosen_rows(site, months, filters, categories, first, last):
    z = 10
    x, y = tile_of(*BELIZE_CITY, z)
    everything = counted_in_tile(site, z, x, y)  # cached first: the filtered tiles must not be served from it
    expected = sql_incidents(z, x, y, categories, first, last)
    assert 0 < expected < everything
    assert counted_in_tile(site, z, x, y, **filters) == expected


def test_street_zoom_features_are_only_those_chosen(site, ogc):
    z = tile_layer("incidents").points_from_zoom
    x, y = tile_of(*BELIZE_CITY, z)
    response = requests.get(f"{site}/tiles/incidents/{z}/{x}/{y}.mvt", params={"category": "property", "to": "2026-09"},
                            timeout=60)
    features = mapbox_vector_tile.decode(response.content)["incidents"]["features"]
    assert features and all(f["properties"]["category"] == "property" for f in features)
    assert all(f["properties"]["period_start"] <= "2026-09-01" for f in features)


def test_a_run_id_serves_that_runs_rows(site, ogc):
    from geo_bco.models import AnalysisRun

    first = AnalysisRun.objects.get(method="kde")
    newer = execute_run(create_run("kde", parameters={"bandwidth": 3000}).pk)
    public_cache.invalidate()
    x, y = tile_of(*BELIZE_CITY, 4)
    _, latest = fetch_tile(site, "kde", 4, x, y)
    assert {f["properties"]["run_id"] for f in latest} == {newer.pk}
    response = requests.get(f"{site}/tiles/kde/4/{x}/{y}.mvt", params={"run_id": first.pk}, timeout=60)
    older = mapbox_vector_tile.decode(response.content)["kde"]["features"]
    assert {f["properties"]["run_id"] for f in older} == {first.pk}
    response = requests.get(f"{site}/tiles/kde/4/{x}/{y}.mvt", params={"run_id": 999999}, timeout=60)
    assert response.status_code == 200 and response.content == b""  # no such public run: an empty tile


def test_area_counts_filter_on_their_category_period_and_months(site, ogc):
    from django.db import connection

    execute_run(create_run("area-counts").pk)
    public_cache.invalidate()
    x, y = tile_of(*BELIZE_CITY, 5)
    response = requests.get(f"{site}/tiles/area-counts/5/{x}/{y}.mvt",
                            params={"category": "property", "period": "month", "from": "2026-09", "to": "2026-09"}, timeout=60)
    features = mapbox_vector_tile.decode(response.content)["area-counts"]["features"]
    assert {(f["properties"]["category"], f["properties"]["period"], f["properties"]["period_start"])
            for f in features} == {("property", "month", "2026-09-01")}
    with connection.cursor() as cur:
        cur.execute("SELECT count(DISTINCT code) FROM public_area_counts "
                    "WHERE category = 'property' AND period = 'month' AND period_start = '2026-09-01' "
                    "AND geom && ST_Transform(ST_TileEnvelope(5, %s, %s), 4326)", [x, y])
        assert len({f["properties"]["code"] for f in features}) == cur.fetchone()[0] > 0


def test_tilejson_names_the_parameters_and_carries_the_normalised_filters(site, ogc):
    layers = {doc["name"]: doc for doc in requests.get(f"{site}/tiles/", timeout=30).json()["layers"]}
    assert set(layers["incidents"]["query_parameters"]) == {"category", "from", "to"}
    assert set(layers["area-counts"]["query_parameters"]) == {"run_id", "category", "period", "from", "to"}
    assert set(layers["kde"]["query_parameters"]) == {"run_id"}
    assert layers["districts"]["query_parameters"] == {}
    doc = requests.get(f"{site}/tiles/incidents.json", params={"category": "violent,property,violent", "from": "2026-08"},
                       timeout=30).json()
    assert doc["tiles"][0].endswith("/tiles/incidents/{z}/{x}/{y}.mvt?category=property%2Cviolent&from=2026-08")


def test_summary_counts_the_chosen_rows_and_lists_their_values(site, ogc):
    from django.db import connection

    doc = requests.get(f"{site}/tiles/incidents/summary.json", timeout=30,
                       params={"category": "property", "values": "category,period_start", "quantiles": "cell_size_m"}).json()
    with connection.cursor() as cur:
        cur.execute("SELECT count(*), sum(incident_count), array_agg(DISTINCT period_start::text ORDER BY period_start::text) "
                    "FROM public_incidents WHERE category = 'property'")
        rows, incidents, months = cur.fetchone()
    assert (doc["features"], doc["count"]) == (rows, incidents) and rows > 0
    assert doc["values"] == {"category": ["property"], "period_start": months}
    assert doc["quantiles"]["count"] == rows and set(doc["quantiles"]["breaks"]) <= {250, 1000}


@pytest.mark.parametrize("path, params, name", [
    ("incidents/10/0/0.mvt", {"category": "property;drop"}, "category"),
    ("incidents/10/0/0.mvt", {"category": ""}, "category"),
    ("incidents/10/0/0.mvt", {"from": "2026-13"}, "from"),
    ("incidents/10/0/0.mvt", {"to": "August"}, "to"),
    ("incidents/10/0/0.mvt", {"from": "2026-09", "to": "2026-08"}, "to"),
    ("kde/4/0/0.mvt", {"run_id": "latest"}, "run_id"),
    ("kde/4/0/0.mvt", {"run_id": "0"}, "run_id"),
    ("incidents.json", {"from": "1e9"}, "from"),
    ("incidents/summary.json", {"values": "geom"}, "values"),
    ("incidents/summary.json", {"quantiles": "category"}, "quantiles"),
    ("incidents/summary.json", {"classes": "-1"}, "classes"),
    ("area-counts/summary.json", {"period": "x" * 80}, "period"),
], ids=["category-chars", "category-empty", "month-13", "month-word", "to-before-from", "run-word", "run-zero",
        "tilejson-month", "summary-values", "summary-quantiles-text", "summary-classes", "period-too-long"])
def test_bad_filter_values_are_400_naming_the_parameter(site, ogc, path, params, name):
    response = requests.get(f"{site}/tiles/{path}", params=params, timeout=30)
    assert response.status_code == 400 and list(response.json()) == [name], response.text[:300]
