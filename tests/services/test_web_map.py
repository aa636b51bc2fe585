"""The web map in a real headless Chromium (Debian's chromium + chromium-driver):
it loads without console errors and draws districts, incidents and KDE bands."""

from __future__ import annotations

import io
import re

import numpy as np

from PIL import Image

import pytest

from services.jobs import create_run, execute_run
from services.projections import refresh_incidents

pytestmark = [pytest.mark.postgis, pytest.mark.browser]

def test_map_draws_every_layer_without_console_errors(live_server, reference_data_committed, demo_incidents,
                                                      browser, output_dir):
    from selenium.webdriver.support.ui import WebDriverWait

    demo_incidents(rows=1500, days=31)  # dense enough that public cells (>= 3 incidents) exist
    execute_run(create_run("kde", parameters={"bandwidth": 1500, "cell_size": 100}).pk)
    refresh_incidents()
    browser.get(live_server.url + "/")
    WebDriverWait(browser, 60).until(lambda d: d.execute_script("return document.body.dataset.ready === 'true'"))
    drawn = browser.execute_script(
        "const m = window.bcoMap;"
        "return Object.fromEntries(['districts-fill', 'districts-line', 'kde-fill']"
        ".map(id => [id, m.queryRenderedFeatures({layers: [id]}).length]));"
    )
    browser.save_screenshot(str(output_dir / "web_map.png"))
    assert all(count > 0 for count in drawn.values()), drawn
    # the pixels really show the hottest band (#b30000) once the map is zoomed onto it
    browser.execute_script(
        "const m = window.bcoMap; const f = m.querySourceFeatures('kde').find(f => f.properties.band === 1);"
        "const b = new maplibregl.LngLatBounds(); const walk = c => typeof c[0] === 'number' ? b.extend(c) : c.forEach(walk);"
        "walk(f.geometry.coordinates); delete document.body.dataset.ready;"
        "m.once('idle', () => { document.body.dataset.ready = 'true'; }); m.fitBounds(b, {padding: 200, animate: false});"
    )
    WebDriverWait(browser, 60).until(lambda d: d.execute_script("return document.body.dataset.ready === 'true'"))
    browser.save_screenshot(str(output_dir / "web_map_hotspot.png"))
    pixels = np.asarray(Image.open(io.BytesIO(browser.get_screenshot_as_png())).convert("RGB")).astype(int)
    hottest = int(((pixels[..., 0] > 150) & (pixels[..., 1] < 60) & (pixels[..., 2] < 60)).sum())
    assert hottest > 500, hottest
    # at town scale the public incident cells are drawn too
    import requests

    cell = requests.get(live_server.url + "/api/incidents/", params={"page_size": 1}, timeout=30).json()
    browser.execute_script(
        "const m = window.bcoMap; delete document.body.dataset.ready;"
        "m.once('idle', () => { document.body.dataset.ready = 'true'; });"
        "m.jumpTo({center: arguments[0], zoom: 13});", cell["features"][0]["geometry"]["coordinates"]
    )
    WebDriverWait(browser, 60).until(lambda d: d.execute_script("return document.body.dataset.ready === 'true'"))
    assert browser.execute_script("return window.bcoMap.queryRenderedFeatures({layers: ['incidents']}).length") > 0
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []
    legend = browser.find_element("id", "legend").text
    assert re.search(r"Top 1% of area\s*\(\d+% of incidents\)", legend), legend
    assert "Demonstration data" in legend
