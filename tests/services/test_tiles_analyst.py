"""The analysts' vector tiles (/analyst/tiles): exact points with time and every offence,
only with the analyst role (HTTP Basic or an API key, as QGIS and MapLibre send them),
every tile audited with its feature count and box. The oracle is the incident table,
read with SQL over the same tile envelope."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import mapbox_vector_tile
import mercantile
import pytest
import requests
from django.contrib.auth.models import User
from django.db import connection

from geo_bco.models import ApiKey, AuditRecord
from services.tiles.layers import tile_layer, tile_layers
from services.tiles.render import BUFFER, EXTENT

from test_ogc_analyst import analyst_api, auth  # noqa: F401 (the fixture: exact incidents and a near-repeat run)
from test_ogc_qgis import SYSTEM_PYTHON, needs_qgis

pytestmark = pytest.mark.postgis

SENSITIVE_POINT = (-88.7610, 17.2530)  # A2 in test_ogc_analyst's file: a sexual offence
PROBE = Path(__file__).with_name("qgis_tiles_probe.py")


@pytest.fixture
def tiles(analyst_api):  # noqa: F811
    return analyst_api.replace("/analyst/ogcapi", "/analyst/tiles")


def street_tile() -> mercantile.Tile:
    return mercantile.tile(*SENSITIVE_POINT, tile_layer("incidents", "analyst").points_from_zoom + 2)


def url(tiles: str, layer: str, t: mercantile.Tile) -> str:
    return f"{tiles}/{layer}/{t.z}/{t.x}/{t.y}.mvt"


def decoded(response: requests.Response, layer: str) -> list[dict]:
    assert response.status_code == 200, response.text[:300]
    assert response.headers["Content-Type"] == "application/vnd.mapbox-vector-tile"
    tile = mapbox_vector_tile.decode(response.content, default_options={"y_coord_down": True})
    return tile.get(layer, {}).get("features", [])


def incidents_in(t: mercantile.Tile, margin: float = 0.0, *, public_offences: bool = False) -> int:
    """Incidents whose exact point lies in the tile (grown by ``margin`` of its width)."""
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM geo_bco_incident i JOIN geo_bco_offencetype o ON o.id = i.offence_id "
                    "WHERE ST_Transform(i.location, 3857) && ST_TileEnvelope(%s, %s, %s, margin => %s) "
                    "AND (NOT o.sensitive OR NOT %s)", [t.z, t.x, t.y, margin, public_offences])
        return cur.fetchone()[0]


@pytest.mark.parametrize("path", ["/", "/incidents.json", "/incidents/summary.json", "/incidents/12/1000/1000.mvt",
                                  "/near-repeat/14/4062/7326.mvt"])
def test_anonymous_gets_401_with_a_basic_challenge_and_no_tile(tiles, path):
    response = requests.get(tiles + path, timeout=30)
    assert response.status_code == 401 and response.headers["WWW-Authenticate"] == 'Basic realm="geo-bco"'
    assert response.headers["Content-Type"] == "application/json" and "features" not in response.text
    assert not AuditRecord.objects.exists()


def test_other_roles_get_403(tiles):
    assert requests.get(url(tiles, "incidents", street_tile()), auth=auth("commander"), timeout=30).status_code == 403


def test_a_street_tile_holds_every_exact_incident_in_it_with_time_and_offence(tiles):
    t = street_tile()
    response = requests.get(url(tiles, "incidents", t), auth=auth("analyst"), timeout=30)
    features = decoded(response, "incidents")
    assert response.headers["X-Tile-Aggregated"] == "features"
    assert {"private", "no-store"} <= set(response.headers["Cache-Control"].replace(" ", "").split(","))  # kept by no cache
    assert incidents_in(t) <= len(features) <= incidents_in(t, BUFFER / EXTENT)
    sensitive = next(f for f in features if f["properties"]["offence"] == "sexual-offence")
    assert sensitive["properties"]["sensitive"] is True and sensitive["properties"]["occurred_at"].startswith("2025-03-02")
    west, south, east, north = mercantile.xy_bounds(t)
    x, y = mercantile.xy(*SENSITIVE_POINT)
    expected = ((x - west) / (east - west) * EXTENT, (north - y) / (north - south) * EXTENT)
    assert sensitive["geometry"]["coordinates"] == pytest.approx(expected, abs=1)  # the exact point, not a cell


def test_national_zoom_counts_every_incident_sensitive_ones_included(tiles):
    t = mercantile.tile(*SENSITIVE_POINT, 8)
    response = requests.get(url(tiles, "incidents", t), auth=auth("analyst"), timeout=30)
    cells = decoded(response, "incidents")
    assert response.headers["X-Tile-Aggregated"] == "cells"
    assert incidents_in(t) <= sum(c["properties"]["count"] for c in cells) <= incidents_in(t, BUFFER / EXTENT)
    assert incidents_in(t) > incidents_in(t, public_offences=True)


def test_every_tile_is_audited_with_its_features_and_box_and_public_tiles_are_not(tiles):
    t = street_tile()
    features = decoded(requests.get(url(tiles, "incidents", t), params={"category": "violent,sexual"},
                                    auth=auth("analyst"), timeout=30), "incidents")
    requests.get(url(tiles.replace("/analyst", ""), "incidents", t), timeout=30)  # public: not an exact read
    requests.get(tiles + "/incidents.json", auth=auth("analyst"), timeout=30)  # no rows: not a read
    record = AuditRecord.objects.get()
    assert (record.username, record.collection, record.auth_method) == ("analyst", "tiles:incidents", "basic")
    assert record.feature_count == len(features) > 0
    assert record.filters == {"category": "sexual,violent", "tile": f"{t.z}/{t.x}/{t.y}"}
    assert record.bbox == pytest.approx(list(mercantile.bounds(t)))


def test_an_api_key_header_reads_the_near_repeat_roles_which_have_no_public_tiles(tiles):
    _, key = ApiKey.objects.issue(User.objects.get(username="analyst"), "maplibre")
    t = street_tile()
    roles = decoded(requests.get(url(tiles, "near-repeat", t), headers={"X-API-Key": key}, timeout=30), "near-repeat")
    assert roles and {"label", "occurred_at", "run_id"} <= set(roles[0]["properties"])
    assert AuditRecord.objects.get().auth_method == "api-key"
    assert requests.get(url(tiles.replace("/analyst", ""), "near-repeat", t), timeout=30).status_code == 404


def test_tilejson_points_at_the_analyst_tiles_and_lists_every_kind(tiles):
    doc = requests.get(tiles + "/", auth=auth("analyst"), timeout=30).json()
    assert {layer["name"] for layer in doc["layers"]} == {layer.id for layer in tile_layers("analyst")}
    assert all(layer["tiles"][0].startswith(tiles + "/") for layer in doc["layers"])
    with connection.cursor() as cur:
        cur.execute("SELECT viewname FROM pg_views WHERE viewname LIKE %s", ["analyst\\_%"])
        views = {name for (name,) in cur.fetchall()}
    assert {layer.table for layer in tile_layers("analyst")} <= views


def test_a_bad_filter_is_a_400_naming_it(tiles):
    response = requests.get(url(tiles, "incidents", street_tile()), params={"from": "2025-13"},
                            auth=auth("analyst"), timeout=30)
    assert response.status_code == 400 and "from" in response.text


def qgis_draws(template: str, extent: list[float], credentials: tuple[str, str]) -> dict:
    done = subprocess.run([SYSTEM_PYTHON, str(PROBE), template, json.dumps(extent), *credentials],
                          capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@needs_qgis
def test_qgis_with_a_basic_authcfg_draws_the_exact_incidents_and_every_tile_it_reads_is_audited(tiles):
    """Without credentials the tiles are 401 (tested above with plain HTTP); QGIS itself would
    wait at its console for a password, so only the signed-in layer is drawn here."""
    template, extent = tiles + "/incidents/{z}/{x}/{y}.mvt", list(mercantile.xy_bounds(street_tile()))
    seen = qgis_draws(template, extent, auth("analyst"))
    assert seen["valid"] and seen["pixels"] > 0
    audited = AuditRecord.objects.filter(username="analyst", auth_method="basic", collection="tiles:incidents")
    assert audited.exists() and sum(audited.values_list("feature_count", flat=True)) > 0  # QGIS's own reads
