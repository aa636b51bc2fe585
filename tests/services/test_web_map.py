"""The web map in a real headless Chromium (Debian's chromium + chromium-driver):
it loads without console errors and draws districts, incidents and KDE bands, the
incidents and layers from vector tiles (no GeoJSON download, so no 10,000-feature cap)."""

from __future__ import annotations

import io
import re

import numpy as np

from PIL import Image

import pytest

import requests

from services import public_cache
from services.api.features import MAX_PAGE_SIZE
from services.jobs import create_run, execute_run
from services.projections import refresh_incidents

pytestmark = [pytest.mark.postgis, pytest.mark.browser]

WAIT_READY = "return document.body.dataset.ready === 'true'"


@pytest.fixture
def served():
    """Every path (with its query) the live server was asked for during the test. MapLibre
    fetches tiles in a web worker, whose requests the page's performance entries do not
    list; the live server runs in this process, so Django's request signal sees them all."""
    from django.core.signals import request_started

    paths: list[str] = []

    def record(sender, environ, **kwargs):
        paths.append(environ["PATH_INFO"] + ("?" + environ["QUERY_STRING"] if environ.get("QUERY_STRING") else ""))

    request_started.connect(record)
    yield paths
    request_started.disconnect(record)


def test_map_draws_every_layer_without_console_errors(live_server, reference_data_committed, demo_incidents,
                                                      browser, output_dir, served):
    from selenium.webdriver.support.ui import WebDriverWait

    demo_incidents(rows=1500, days=31)  # dense enough that public cells (>= 3 incidents) exist
    execute_run(create_run("kde", parameters={"bandwidth": 1500, "cell_size": 100}).pk)
    refresh_incidents()
    browser.get(live_server.url + "/")
    WebDriverWait(browser, 60).until(lambda d: d.execute_script(WAIT_READY))
    drawn = browser.execute_script(
        "const m = window.bcoMap;"
        "return Object.fromEntries(['districts-fill', 'districts-line', 'kde-fill']"
        ".map(id => [id, m.queryRenderedFeatures({layers: [id]}).length]));"
    )
    browser.save_screenshot(str(output_dir / "web_map.png"))
    assert all(count > 0 for count in drawn.values()), drawn
    assert any(re.fullmatch(r"/tiles/kde/\d+/\d+/\d+\.mvt", path) for path in served), served
    assert not any(path.startswith(("/api/incidents/", "/api/layers/kde/")) for path in served), served
    # the pixels really show the hottest band (#b30000) once the map is zoomed onto it
    browser.execute_script(
        "const m = window.bcoMap, f = m.querySourceFeatures('kde', {sourceLayer: 'kde'}).find(f => f.properties.band === 1);"
        "const bounds = ring => ring.reduce((b, c) => b.extend(c), new maplibregl.LngLatBounds(ring[0], ring[0]));"
        "const size = b => (b.getEast() - b.getWest()) * (b.getNorth() - b.getSouth());"
        "const parts = f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates;"
        "const b = parts.map(p => bounds(p[0])).sort((a, c) => size(c) - size(a))[0];"  # the largest hot spot
        "delete document.body.dataset.ready;"
        "m.once('idle', () => { document.body.dataset.ready = 'true'; }); m.fitBounds(b, {padding: 200, animate: false});"
    )
    WebDriverWait(browser, 60).until(lambda d: d.execute_script(WAIT_READY))
    browser.save_screenshot(str(output_dir / "web_map_hotspot.png"))
    pixels = np.asarray(Image.open(io.BytesIO(browser.get_screenshot_as_png())).convert("RGB")).astype(int)
    hottest = int(((pixels[..., 0] > 150) & (pixels[..., 1] < 60) & (pixels[..., 2] < 60)).sum())
    assert hottest > 500, hottest
    # at town scale the public incident cells are drawn too
    cell = requests.get(live_server.url + "/api/incidents/", params={"page_size": 1}, timeout=30).json()
    browser.execute_script(
        "const m = window.bcoMap; delete document.body.dataset.ready;"
        "m.once('idle', () => { document.body.dataset.ready = 'true'; });"
        "m.jumpTo({center: arguments[0], zoom: 13});", cell["features"][0]["geometry"]["coordinates"]
    )
    WebDriverWait(browser, 60).until(lambda d: d.execute_script(WAIT_READY))
    assert browser.execute_script("return window.bcoMap.queryRenderedFeatures({layers: ['incidents']}).length") > 0
    assert any(re.fullmatch(r"/tiles/incidents/13/\d+/\d+\.mvt", path) for path in served), served
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []
    legend = browser.find_element("id", "legend").text
    assert re.search(r"Top 1% of area\s*\(\d+% of incidents\)", legend), legend
    assert "Demonstration data" in legend


def _public_cells(columns: int, rows: int, months: int) -> tuple[int, str]:
    """Insert 3 incidents (the public minimum) in each of ``columns`` x ``rows`` 250 m cells near
    Belmopan in each of ``months`` months, so each cell and month is one public feature. Returns the
    public features and their middle (lat/lon, as the map's ``at=`` takes it)."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "WITH origin AS (SELECT floor(ST_X(p) / 250) * 250 AS x, floor(ST_Y(p) / 250) * 250 AS y "
            "                FROM ST_Transform(ST_SetSRID(ST_MakePoint(-88.77, 17.25), 4326), 32616) p), "
            "offence AS (SELECT id FROM geo_bco_offencetype WHERE NOT sensitive ORDER BY id LIMIT 1) "
            "INSERT INTO geo_bco_incident (source_system, source_id, offence_id, occurred_at, location, geocode_precision, "
            "  geocode_method, geocode_score, place_name, content_hash, created_at, updated_at) "
            "SELECT 'many-cells', concat_ws(':', c, m, k), offence.id, "
            "       make_timestamptz(2021, 10, 15, 12, 0, 0, 'America/Belize') + make_interval(months => m), "
            "       ST_Transform(ST_SetSRID(ST_MakePoint(origin.x + (c %% %(cols)s) * 250 + 50 + k * 50, "
            "                                            origin.y + (c / %(cols)s) * 250 + 125), 32616), 4326), "
            "       'exact', 'utm16n', 100, '', md5(concat_ws(':', c, m, k)), now(), now() "
            "FROM origin, offence, generate_series(0, %(cells)s - 1) c, generate_series(0, %(months)s - 1) m, "
            "     generate_series(0, 2) k",
            {"cols": columns, "cells": columns * rows, "months": months})
    refresh_incidents()
    public_cache.invalidate()
    with connection.cursor() as cur:
        cur.execute("SELECT count(*), ST_Y(ST_Centroid(ST_Collect(geom))), ST_X(ST_Centroid(ST_Collect(geom))) "
                    "FROM public_incidents")
        count, lat, lon = cur.fetchone()
        return count, f"{lat:.4f}/{lon:.4f}"


def test_map_draws_more_public_cells_than_a_rest_page_holds(live_server, reference_data_committed, browser, served):
    from selenium.webdriver.support.ui import WebDriverWait

    cells, centre = _public_cells(columns=16, rows=12, months=60)  # 4 x 3 km: one street-zoom view
    assert cells == 16 * 12 * 60 > MAX_PAGE_SIZE
    summary = requests.get(f"{live_server.url}/tiles/incidents/summary.json", timeout=30).json()
    assert (summary["features"], summary["count"]) == (cells, 3 * cells)
    # town scale: counts per screen cell, adding up to every public incident
    browser.get(f"{live_server.url}/?layers=incidents&at=12.50/{centre}")
    WebDriverWait(browser, 90).until(lambda d: d.execute_script(WAIT_READY))
    drawn = browser.execute_script(ONCE_EACH + "return once.reduce((n, f) => n + f.properties.count, 0);")
    assert drawn == 3 * cells
    # street zoom: one feature per public cell, offence and month, every one of them drawn
    browser.execute_script("delete document.body.dataset.ready; const m = window.bcoMap;"
                           "m.once('idle', () => { document.body.dataset.ready = 'true'; }); m.jumpTo({zoom: 14});")
    WebDriverWait(browser, 90).until(lambda d: d.execute_script(WAIT_READY))
    assert browser.execute_script(ONCE_EACH + "return once.length;") == cells
    assert not any(path.startswith("/api/incidents/") for path in served)
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []
    assert browser.find_elements("css selector", ".banner") == []  # not the synthetic set: no demonstration banner


#: the incident features of every loaded tile, each once (a tile's buffer repeats its neighbours' edge)
ONCE_EACH = (
    "const seen = new Set(), once = window.bcoMap.querySourceFeatures('incidents', {sourceLayer: 'incidents'}).filter(f => {"
    "  const key = JSON.stringify([f.geometry.coordinates.map(c => c.toFixed(5)), f.properties.category, f.properties.period_start]);"
    "  return !seen.has(key) && seen.add(key); });"
)
