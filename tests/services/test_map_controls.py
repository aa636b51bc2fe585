"""The web map's controls in a real headless Chromium: each one changes what is drawn
(checked on the rendered features and on the canvas pixels, and on the tile URLs the
page asked for), the URL state round-trips,
the gazetteer labels and search, popups, exports, phone width, keyboard and contrast.
Screenshots go to test-output/."""

from __future__ import annotations

import base64
import io
import json
import re
from urllib.parse import parse_qs, urlparse

import numpy as np
import pytest
from PIL import Image

from geo_bco.gazetteer import load_belize_gazetteer
from services import public_cache
from services.jobs import create_run, execute_run
from services.layers import REGISTRY
from services.projections import refresh_incidents

from layer_runs import FAST_PARAMETERS

from test_web_map import served  # noqa: F401  (a fixture: the paths the live server was asked for)

pytestmark = [pytest.mark.postgis, pytest.mark.browser]

WAIT_READY = "return document.body.dataset.ready === 'true'"
#: after a control changed: wait for the data it asked for, then for the map to be idle again
SETTLE = ("const done = arguments[arguments.length - 1]; Promise.resolve(window.bcoMapPending).then(() => {"
          "const m = window.bcoMap; m.once('idle', () => done(true)); m.triggerRepaint(); });")


@pytest.fixture
def site(live_server, reference_data_committed, demo_incidents):
    load_belize_gazetteer()
    demo_incidents(rows=3000, days=400)
    refresh_incidents()
    execute_run(create_run("kde", parameters={"bandwidth": 1500, "cell_size": 200}).pk)
    execute_run(create_run("area-counts").pk)
    return live_server.url


@pytest.fixture
def property_kde(site):
    """The standard refresh's per-category run: kernel density of property crime alone."""
    return execute_run(create_run("kde", parameters={"bandwidth": 1500, "cell_size": 200},
                                  input_filter={"categories": ["property"]}).pk)


def open_map(browser, url):
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(url)
    WebDriverWait(browser, 90).until(lambda d: d.execute_script(WAIT_READY))


def act(browser, script: str, *args):
    """Run ``script`` (it changes a control), then wait until the map has drawn again."""
    browser.execute_script(script, *args)
    browser.set_script_timeout(60)
    assert browser.execute_async_script(SETTLE)


def set_control(browser, element_id: str, value, event: str = "change"):
    act(browser, f"const e = document.getElementById('{element_id}'); e.value = arguments[0];"
                 f"e.dispatchEvent(new Event('{event}', {{bubbles: true}}));", value)


def areas_drawn(browser) -> dict[str, dict]:
    rows = browser.execute_script(
        "return window.bcoMap.queryRenderedFeatures({layers: ['area-counts-fill']}).map(f => f.properties);")
    return {r["code"]: r for r in rows}


def canvas(browser) -> np.ndarray:
    """The map's own canvas (no DOM labels or panel over it)."""
    data = browser.execute_script("return window.bcoMap.getCanvas().toDataURL('image/png');")
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(data.split(",", 1)[1]))).convert("RGB")).astype(int)


def interior_pixels(browser) -> dict[str, tuple[int, int]]:
    """A canvas pixel well inside each drawn area (its 7x7 neighbourhood is the same area)."""
    return browser.execute_script("""
        const m = window.bcoMap, out = {}, c = m.getCanvas(), r = window.devicePixelRatio || 1;
        for (let y = 10; y < c.clientHeight - 10; y += 6) for (let x = 350; x < c.clientWidth - 10; x += 6) {
          const at = (dx, dy) => (m.queryRenderedFeatures([x + dx, y + dy], {layers: ['area-counts-fill']})[0] || {}).properties;
          const p = at(0, 0);
          if (!p || out[p.code]) continue;
          if ([[-3,-3],[3,3],[-3,3],[3,-3]].every(([dx, dy]) => (at(dx, dy) || {}).code === p.code)) out[p.code] = [Math.round(x * r), Math.round(y * r)];
        }
        return out;""")


def legend(browser) -> list[tuple[float, tuple[int, int, int], str]]:
    """The choropleth legend as drawn: (lower bound, colour, label) per class."""
    items = browser.execute_script(
        "return [...document.querySelectorAll('section[data-layer=\"area-counts\"] li')].map(li => "
        "[li.dataset.value, getComputedStyle(li.querySelector('.swatch')).backgroundColor, li.textContent]);")
    out = []
    for value, rgb, label in items:
        if value != "none":
            out.append((float(value), tuple(int(v) for v in rgb[rgb.index("(") + 1:-1].split(",")[:3]), label))
    return out


def expected_colour(value, classes, under=(0xF4, 0xF1, 0xE8), opacity=0.75):
    """The class colour of ``value`` blended at the fill opacity over the district fill beneath."""
    colour = [c for lo, c, _ in classes if value >= lo][-1]
    return np.array(colour) * opacity + np.array(under) * (1 - opacity)


def check_choropleth_pixels(browser, prop: str):
    """Each drawn area's interior pixel has the colour of the legend class its value falls in."""
    pixels, image, classes, drawn = interior_pixels(browser), canvas(browser), legend(browser), areas_drawn(browser)
    checked = 0
    for code, (x, y) in pixels.items():
        value = drawn[code][prop]
        if value is None:
            continue
        assert np.abs(image[y, x] - expected_colour(value, classes)).max() <= 8, (code, value, image[y, x], classes)
        checked += 1
    assert checked >= 3, pixels


def test_filters_slider_and_measure_change_what_is_drawn(site, browser, output_dir):
    open_map(browser, site + "/?layers=area-counts,boundaries:districts")
    first = areas_drawn(browser)
    assert len(first) == 6 and {(r["category"], r["period"]) for r in first.values()} == {("all", "ytd")}
    check_choropleth_pixels(browser, "rate_per_100k")
    rate_legend = [label for _, _, label in legend(browser)]
    note = 'return document.querySelector(\'section[data-layer="area-counts"] .legend-note\').textContent'
    years = sorted({str(r["population_year"]) for r in first.values()})
    assert f"population of {', '.join(years)}" in browser.execute_script(note)  # the rates' population year
    browser.save_screenshot(str(output_dir / "map_choropleth_rate.png"))

    set_control(browser, "metric", "count")
    check_choropleth_pixels(browser, "incident_count")
    assert "population of" not in browser.execute_script(note)
    assert [label for _, _, label in legend(browser)] != rate_legend

    set_control(browser, "category", "property")
    drawn = areas_drawn(browser)
    assert {r["category"] for r in drawn.values()} == {"property"}
    assert any(drawn[c]["incident_count"] != first[c]["incident_count"] for c in drawn)

    months = browser.execute_script("return document.getElementById('month').max")
    set_control(browser, "month", int(months) - 3, "input")
    drawn = areas_drawn(browser)
    (start,) = {r["period_start"] for r in drawn.values()}
    assert {r["period"] for r in drawn.values()} == {"month"}
    query = parse_qs(urlparse(browser.current_url).query)
    assert query["month"] == [start[:7]] and query["cat"] == ["property"] and query["metric"] == ["count"]
    browser.save_screenshot(str(output_dir / "map_choropleth_month.png"))

    # play steps to the next month
    act(browser, "document.getElementById('play').click();")
    browser.execute_script("return new Promise(r => setTimeout(r, 300));")
    act(browser, "document.getElementById('play').click();")  # pause
    (later,) = {r["period_start"] for r in areas_drawn(browser).values()}
    assert later > start


def kde_runs(browser) -> set[int]:
    return set(browser.execute_script(
        "return window.bcoMap.queryRenderedFeatures({layers: ['kde-fill']}).map(f => f.properties.run_id);"))


def incidents_drawn(browser) -> list[dict]:
    return browser.execute_script(
        "return window.bcoMap.queryRenderedFeatures({layers: ['incidents']}).map(f => f.properties);")


def test_url_state_round_trips_and_date_range_filters_incidents(site, property_kde, browser, output_dir, served):
    open_map(browser, site + "/")
    everything = kde_runs(browser)
    assert everything and property_kde.pk not in everything
    act(browser, "window.bcoMap.jumpTo({center: [-88.19, 17.50], zoom: 11});")
    before = sum(p["count"] for p in incidents_drawn(browser))
    set_control(browser, "from", "2026-08")
    set_control(browser, "to", "2026-08")
    set_control(browser, "category", "property")
    assert kde_runs(browser) == {property_kde.pk}  # the per-category run is drawn
    assert f"Run {property_kde.pk}:" in browser.find_element("css selector", 'section[data-layer="kde"] .run').text
    shown = incidents_drawn(browser)  # town scale: counts per screen cell, of the chosen rows only
    assert shown and 0 < sum(p["count"] for p in shown) < before
    assert any(re.fullmatch(r"/tiles/incidents/11/\d+/\d+\.mvt\?category=property&from=2026-08&to=2026-08", path)
               for path in served), served
    browser.save_screenshot(str(output_dir / "map_incidents_filtered.png"))
    shared = browser.current_url
    query = parse_qs(urlparse(shared).query)
    assert query["from"] == ["2026-08"] and query["to"] == ["2026-08"] and query["at"][0].startswith("11.00/")
    # the shared address opens the same view
    open_map(browser, shared)
    values = browser.execute_script(
        "return ['category', 'from', 'to', 'metric'].map(id => document.getElementById(id).value)"
        ".concat([window.bcoMap.getZoom()]);")
    assert values[:4] == ["property", "2026-08", "2026-08", "rate"] and abs(values[4] - 11) < 0.01
    again = incidents_drawn(browser)
    assert sorted(json.dumps(p, sort_keys=True) for p in again) == sorted(json.dumps(p, sort_keys=True) for p in shown)
    assert kde_runs(browser) == {property_kde.pk}
    act(browser, "window.bcoMap.jumpTo({center: [-88.19, 17.50], zoom: 14.5});")  # street zoom: offence and month in each
    street = incidents_drawn(browser)
    assert street and all(p["period_start"].startswith("2026-08") and p["category"] == "property" for p in street)
    # counts per area over another boundary set: the latest run over it is drawn
    country = execute_run(create_run("area-counts", parameters={"boundary_set": "country"}).pk)
    set_control(browser, "area-set", "country")
    act(browser, "document.getElementById('toggle-area-counts').click();"
                 "window.bcoMap.jumpTo({center: [-88.7, 17.2], zoom: 7});")
    assert {(r["boundary_set"], r["run_id"]) for r in areas_drawn(browser).values()} == {("country", country.pk)}
    assert parse_qs(urlparse(browser.current_url).query)["set"] == ["country"]
    set_control(browser, "category", "drugs")  # no run of that category: nothing drawn, and the panel says so
    assert kde_runs(browser) == set()
    assert "No run of this layer" in browser.find_element("css selector", 'section[data-layer="kde"] .run').text


def test_labels_search_popup_and_exports(site, browser, output_dir):
    import requests

    open_map(browser, site + "/?layers=area-counts,boundaries:districts")
    labels = "return [...document.querySelectorAll('.place-label:not(.hidden)')].map(e => e.textContent)"
    national = browser.execute_script(labels)
    assert "Cayo" in national and "San Ignacio" not in national  # districts only at national scale
    places = requests.get(site + "/api/places/", timeout=30).json()["features"]
    san_ignacio = next(f for f in places if f["properties"]["name"] == "San Ignacio")
    act(browser, "const f = document.getElementById('place'); f.value = 'san ignacio';"
                 "document.getElementById('search').requestSubmit();")
    centre = browser.execute_script("const c = window.bcoMap.getCenter(); return [c.lng, c.lat, window.bcoMap.getZoom()];")
    assert np.allclose(centre[:2], san_ignacio["geometry"]["coordinates"], atol=1e-4) and centre[2] >= 12
    assert "San Ignacio" in browser.execute_script(labels)
    browser.save_screenshot(str(output_dir / "map_search.png"))

    # a popup with the counts and the 24-month trend of the area clicked
    act(browser, "window.bcoMap.jumpTo({center: [-88.9, 17.1], zoom: 8});")
    from selenium.webdriver.common.action_chains import ActionChains

    x, y, w, h = browser.execute_script("const p = window.bcoMap.project([-88.9, 17.1]), c = window.bcoMap.getContainer();"
                                        "return [p.x, p.y, c.clientWidth, c.clientHeight];")
    ActionChains(browser).move_to_element_with_offset(browser.find_element("id", "map"), int(x - w / 2), int(y - h / 2)) \
        .click().perform()
    popup = browser.find_element("css selector", ".maplibregl-popup-content")
    assert "Cayo" in popup.text and "Incidents:" in popup.text
    browser.execute_async_script("window.bcoMapPopup.then(arguments[arguments.length - 1]);")  # the trend, from the OGC API
    assert browser.execute_script("return document.querySelector('.popup svg.spark path').getAttribute('d')").startswith("M")

    # exports: the data in view (public rows only) as CSV and GeoJSON, the view as PNG
    fetch_download = ("const done = arguments[arguments.length - 1], name = arguments[1];"
                      "document.getElementById(arguments[0]).click();"
                      "const read = () => { const a = document.getElementById('last-download');"
                      "  if (!a || a.download !== name) return setTimeout(read, 100);"  # the PNG waits for a frame
                      "  fetch(a.href).then(r => r.blob()).then(b => b.arrayBuffer())"
                      "    .then(a => done(btoa(String.fromCharCode(...new Uint8Array(a))))); }; read();")
    csv_text = base64.b64decode(browser.execute_async_script(fetch_download, "export-csv", "belize-map-data.csv")).decode()
    geojson = json.loads(base64.b64decode(browser.execute_async_script(fetch_download, "export-geojson",
                                                                       "belize-map-data.geojson")))
    assert len(csv_text.strip().splitlines()) - 1 == len(geojson["features"]) > 0
    assert {f["properties"]["layer"] for f in geojson["features"]} <= {"incidents", "area-counts"}
    assert all(f["properties"]["category"] == "all" for f in geojson["features"] if f["properties"]["layer"] == "area-counts")
    browser.set_script_timeout(60)
    png = Image.open(io.BytesIO(base64.b64decode(browser.execute_async_script(fetch_download, "export-png", "belize-map.png"))))
    pixels = np.asarray(png.convert("RGB"))
    assert png.size == tuple(browser.execute_script("const c = window.bcoMap.getCanvas(); return [c.width, c.height];"))
    assert len(np.unique(pixels.reshape(-1, 3), axis=0)) > 10


@pytest.fixture
def every_kind(site, demo_incidents):
    """The site with a run of every public layer kind (two more years of history from another
    source: the forecast's backtest needs them)."""
    demo_incidents(rows=600, seed=11, days=730, source="demo-history")
    refresh_incidents()
    for name, parameters in FAST_PARAMETERS.items():
        if REGISTRY[name].public and name not in ("kde", "area-counts"):
            execute_run(create_run(name, parameters=parameters).pk)
    public_cache.invalidate()
    return site


def rgb_of(css: str) -> tuple[int, ...]:
    if css.startswith("#"):
        return tuple(int(css[i:i + 2], 16) for i in (1, 3, 5))
    return tuple(int(v) for v in re.findall(r"[\d.]+", css)[:3])


def switch(browser, box_id: str, layer_ids: list[str]) -> tuple[int, int]:
    """Click a layer switch; return (features of ``layer_ids`` drawn after it, canvas pixels it changed)."""
    before = canvas(browser)
    act(browser, f"document.getElementById('{box_id}').click();")
    drawn = browser.execute_script("return window.bcoMap.queryRenderedFeatures({layers: arguments[0]}).length;", layer_ids)
    return drawn, int((np.abs(canvas(browser) - before).max(-1) > 8).sum())


def test_every_layer_kind_and_boundary_set_switches_with_its_own_legend_and_run(every_kind, browser, output_dir):
    """The switcher is built from the manifest: each public kind and boundary set has a switch that
    draws it (rendered features and canvas pixels) and hides it again, a legend with the kind's own
    classes and a line naming the run that drew it; nothing is fetched from outside the site."""
    import requests

    manifest = requests.get(every_kind + "/api/layers/", timeout=30).json()
    kinds = [layer for layer in manifest["layers"] if layer["features"] > 0]
    assert {layer["name"] for layer in kinds} == {name for name, kind in REGISTRY.items() if kind.public}
    open_map(browser, every_kind + "/?layers=")  # nothing drawn to start with
    for layer in kinds:
        name, layer_id = layer["name"], f"{layer['name']}-{layer['map_type']}"
        section = f'section[data-layer="{name}"]'
        assert f"Run {layer['run']['id']}:" in browser.find_element("css selector", f"{section} .run").text
        items = browser.execute_script(
            "return [...document.querySelectorAll(arguments[0] + ' li')].map(li => "
            "[li.dataset.value, getComputedStyle(li.querySelector('.swatch')).backgroundColor]);", section)
        own = [(str(c["value"]), rgb_of(c["color"])) for c in layer["legend"]["classes"]]
        if name == "area-counts":  # the choropleth: quantiles of the rows shown, in the kind's colours
            assert {rgb_of(c) for v, c in items if v != "none"} <= {c for _, c in own} and len(items) >= 3
        else:
            assert [(v, rgb_of(c)) for v, c in items] == own and own, name
        drawn, changed = switch(browser, f"toggle-{name}", [layer_id])
        assert drawn > 0 and changed > 0, (name, drawn, changed)
        assert name in parse_qs(urlparse(browser.current_url).query)["layers"][0].split(",")
        assert switch(browser, f"toggle-{name}", [layer_id])[0] == 0, name
    for boundary_set in manifest["boundaries"]:
        slug = boundary_set["slug"]
        line = "districts-line" if slug == "districts" else f"b-{slug}-line"
        drawn, changed = switch(browser, f"toggle-b-{slug}", [line])
        assert drawn > 0 and changed > 0, (slug, drawn, changed)
        label = browser.find_element("css selector", f'label[for="toggle-b-{slug}"]').text.strip()
        assert label == boundary_set["label"] != slug, (slug, label)  # its name, not its slug
    set_names = browser.execute_script("return [...document.getElementById('area-set').options].map(o => o.text);")
    assert set_names == [b["label"] for b in manifest["boundaries"]]
    browser.save_screenshot(str(output_dir / "map_every_boundary_set.png"))
    # offline: the style names no source, sprite or glyphs outside the site, and the page fetched nothing from elsewhere
    urls = browser.execute_script(
        "const s = window.bcoMap.getStyle(); return [s.sprite, s.glyphs].filter(Boolean).concat("
        "Object.values(s.sources).flatMap(src => (src.tiles || []).concat(src.url || [])),"
        "performance.getEntriesByType('resource').map(e => e.name));")
    assert urls and all(url.startswith(every_kind) or url.startswith("blob:") for url in urls), urls


def contrast(fg, bg) -> float:
    def luminance(rgb):
        c = np.array(rgb[:3]) / 255
        c = np.where(c <= 0.03928, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]

    hi, lo = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def low_contrast(browser, selector: str) -> list[tuple[str, float]]:
    """Text under ``selector`` below WCAG 2.1 AA contrast (4.5:1) against what is behind it."""
    pairs = browser.execute_script("""
        const rgb = s => s.match(/[\\d.]+/g).map(Number);
        const bg = e => { for (; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor);
                           if (c.length < 4 || c[3] > 0.5) return c; } return [255, 255, 255]; };
        return [...document.querySelectorAll(arguments[0] + ' *')]
          .filter(e => [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()))
          .filter(e => e.offsetParent !== null).map(e => [e.tagName + '.' + e.className, rgb(getComputedStyle(e).color), bg(e)]);""",
                                   selector)
    assert pairs, f"no text under {selector}"
    return [(name, round(contrast(fg, bg), 2)) for name, fg, bg in pairs if contrast(fg, bg) < 4.5]


def test_phone_width_keyboard_and_contrast(site, browser, output_dir):
    from selenium.webdriver.common.keys import Keys

    browser.set_window_size(390, 844)
    open_map(browser, site + "/")
    assert browser.execute_script("return document.getElementById('panel').hidden")  # phones start with the map
    browser.save_screenshot(str(output_dir / "map_phone.png"))
    browser.find_element("id", "panel-toggle").click()
    width = browser.execute_script("return document.getElementById('legend').getBoundingClientRect().right")
    assert width <= 390
    browser.save_screenshot(str(output_dir / "map_phone_panel.png"))
    # every control is reached with the Tab key, and shows where the focus is
    browser.execute_script("document.activeElement.blur(); window.scrollTo(0, 0);")
    body = browser.find_element("tag name", "body")
    reached = set()
    for _ in range(40):
        body.send_keys(Keys.TAB) if not reached else browser.switch_to.active_element.send_keys(Keys.TAB)
        active = browser.switch_to.active_element
        reached.add(active.get_attribute("id"))
        if active.get_attribute("id") == "category":
            outline = browser.execute_script("return getComputedStyle(document.activeElement).outlineStyle")
            assert outline not in ("none", "")
    assert {"category", "from", "to", "metric", "month", "play", "place", "export-png"} <= reached, reached
    assert low_contrast(browser, "#legend") == []


def click_at(browser, lon: float, lat: float):
    """Click the map at a longitude and latitude; return the popup's content element."""
    from selenium.webdriver.common.action_chains import ActionChains

    x, y, w, h = browser.execute_script("const p = window.bcoMap.project(arguments[0]), c = window.bcoMap.getContainer();"
                                        "return [p.x, p.y, c.clientWidth, c.clientHeight];", [lon, lat])
    ActionChains(browser).move_to_element_with_offset(browser.find_element("id", "map"), round(x - w / 2),
                                                      round(y - h / 2)).click().perform()
    return browser.find_element("css selector", ".maplibregl-popup-content")


def test_cell_popup_shows_the_cells_monthly_trend_and_layer_popups_name_their_columns(site, browser, output_dir):
    import requests
    from django.db import connection

    street = "window.bcoMap.jumpTo({center: [-88.19, 17.50], zoom: 14.5});"
    open_map(browser, site + "/?layers=incidents")
    act(browser, street)
    cells = browser.execute_script("return window.bcoMap.queryRenderedFeatures({layers: ['incidents']})"
                                   ".map(f => [f.geometry.coordinates, f.properties]);")
    (lon, lat), cell = max(cells, key=lambda c: c[1]["count"])
    month = cell["period_start"][:7]
    # one offence and one month drawn: the one feature at that point is the cell clicked
    open_map(browser, site + f"/?layers=incidents&cat={cell['category']}&month={month}")
    act(browser, f"window.bcoMap.jumpTo({{center: [{lon}, {lat}], zoom: 14.5}});")  # the cell mid-map, clear of the panel
    popup = click_at(browser, lon, lat)
    assert f"{cell['count']} incidents" in popup.text
    browser.set_script_timeout(60)
    browser.execute_async_script("window.bcoMapPopup.then(arguments[arguments.length - 1]);")
    svg = browser.find_element("css selector", ".popup svg.spark")
    drawn = dict(zip(json.loads(svg.get_attribute("data-months")), json.loads(svg.get_attribute("data-values"))))
    browser.save_screenshot(str(output_dir / "map_cell_popup.png"))
    with connection.cursor() as cur:  # the cell's counts, as the public projection holds them
        cur.execute("SELECT to_char(period_start, 'YYYY-MM'), incident_count FROM public_incidents "
                    "WHERE category = %s AND cell_size_m = %s AND ST_DWithin(geom, ST_SetSRID(ST_Point(%s, %s), 4326), 1e-4)",
                    [cell["category"], cell["cell_size_m"], lon, lat])
        counts = dict(cur.fetchall())
    ogc = requests.get(f"{site}/ogcapi/collections/incidents/items", timeout=30, params={
        "f": "json", "category": cell["category"], "cell_size_m": cell["cell_size_m"], "limit": 1000,
        "bbox": f"{lon - 1e-4},{lat - 1e-4},{lon + 1e-4},{lat + 1e-4}"}).json()["features"]
    assert {f["properties"]["period_start"][:7]: f["properties"]["incident_count"] for f in ogc} == counts
    assert len(drawn) == 24 and drawn[month] == cell["count"] == counts[month]
    assert drawn == {m: counts.get(m) for m in drawn}  # every month: the cell's count, or a gap where none is shown
    assert sum(v is not None for v in drawn.values()) >= 2

    # an analysis layer's feature: its columns by their labels, in the page's language
    for language, band, share in (("en", "Band: ", "Top share of the area: "), ("es", "Banda: ", "Proporción superior del área: ")):
        if language == "es":
            browser.add_cookie({"name": "django_language", "value": language})
        open_map(browser, site + "/?layers=kde")
        act(browser, "window.bcoMap.jumpTo({center: [-88.19, 17.50], zoom: 12});")
        text = click_at(browser, -88.19, 17.50).text
        assert band in text and share in text and "top_share" not in text, text
    browser.delete_cookie("django_language")


def test_map_in_spanish_with_its_javascript_strings(site, browser, output_dir):
    open_map(browser, site + "/")
    browser.add_cookie({"name": "django_language", "value": "es"})
    open_map(browser, site + "/?layers=area-counts,boundaries:districts")
    assert browser.execute_script("return document.documentElement.lang") == "es"
    panel = browser.find_element("id", "legend").text
    assert "Buscar un lugar" in panel  # the template's
    assert "todo el período" in browser.find_element("id", "month-label").text  # map.js's, through /jsi18n/
    assert "Incidentes por 100.000 habitantes" in panel and "Recuentos y tasas por área" in panel  # computed legend, layer title
    browser.save_screenshot(str(output_dir / "map_es.png"))


def test_dashboard_in_chromium_prints_without_the_navigation(site, browser, output_dir):
    execute_run(create_run("hotspots", parameters={"cell_size": 3000}).pk)
    browser.get(site + "/dashboard/")
    rows = browser.find_elements("css selector", "#compstat tbody tr")
    assert len(rows) == 6
    widths = browser.execute_script(
        "return [...document.querySelectorAll('svg.spark path')].map(p => p.getBBox().width);")
    assert len(widths) == 6 and min(widths) > 50  # 24 months drawn across each sparkline
    browser.save_screenshot(str(output_dir / "dashboard.png"))
    header = "return getComputedStyle(document.querySelector('header.site')).display"
    assert browser.execute_script(header) != "none"
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    assert browser.execute_script(header) == "none"
    assert browser.find_element("id", "compstat").is_displayed()
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "screen"})
    assert low_contrast(browser, "body") == []
