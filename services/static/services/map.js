// The observatory's web map, built from the layer manifest (/api/layers/): one
// switchable layer per analysis kind and boundary set, each with the legend classes
// computed from its own data and a line saying which run drew it. Filters (offence
// category, months, the month slider, the choropleth's measure) live in the URL, so a
// view can be shared. No external base map: the background is plain, so the map works
// offline. Strings go through Django's JavaScript catalogue (gettext).
(function () {
  "use strict";
  const E = window.BCO_ENDPOINTS;
  const gettext = window.gettext || ((s) => s);  // Django's catalogue (/jsi18n/); xgettext finds gettext("...")
  const fmt = (text, values) => (window.interpolate ? window.interpolate(text, values, true) : text);
  const LANG = document.documentElement.lang || "en";
  const CATEGORY_LABELS = JSON.parse(document.getElementById("category-labels").textContent);
  const NO_DATA = "#cccccc";
  const $ = (id) => document.getElementById(id);

  // ---- the view's state, in the URL ------------------------------------------------
  const MONTH = /^\d{4}-\d{2}$/;
  function readState() {
    const q = new URLSearchParams(location.search);
    const month = (name) => (MONTH.test(q.get(name) || "") ? q.get(name) : "");
    return {
      cat: q.get("cat") || "all", set: q.get("set") || "", from: month("from"), to: month("to"), month: month("month"),
      metric: q.get("metric") === "count" ? "count" : "rate",
      layers: q.has("layers") ? q.get("layers").split(",").filter(Boolean) : null,
      at: (q.get("at") || "").split("/").filter(Boolean).map(Number).filter(Number.isFinite),
    };
  }
  const state = readState();
  function writeState() {
    const q = new URLSearchParams();
    if (state.cat !== "all") q.set("cat", state.cat);
    if (state.set) q.set("set", state.set);
    for (const k of ["from", "to", "month"]) if (state[k]) q.set(k, state[k]);
    if (state.metric !== "rate") q.set("metric", state.metric);
    if (state.layers) q.set("layers", state.layers.join(","));
    const c = map.getCenter();
    q.set("at", [map.getZoom().toFixed(2), c.lat.toFixed(4), c.lng.toFixed(4)].join("/"));
    history.replaceState(null, "", `${location.pathname}?${q.toString().replace(/%2C/g, ",").replace(/%2F/g, "/")}`);
  }

  const view = state.at.length === 3 ? { center: [state.at[2], state.at[1]], zoom: state.at[0] }
    : { bounds: [[-89.3, 15.8], [-87.4, 18.6]], fitBoundsOptions: { padding: 20 } };
  const map = new maplibregl.Map({
    container: "map",
    style: { version: 8, sources: {}, layers: [{ id: "background", type: "background", paint: { "background-color": "#cfe3ef" } }] },
    ...view,
    attributionControl: { compact: true },
    canvasContextAttributes: { preserveDrawingBuffer: true },  // the PNG export reads the canvas
  });
  window.bcoMap = map;
  window.bcoMapState = state;
  map.addControl(new maplibregl.NavigationControl(), "top-right");
  map.addControl(new maplibregl.ScaleControl({ unit: "metric" }));

  const fetchJson = (url) => fetch(url, { headers: { Accept: "application/json" } }).then((r) => {
    if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
    return r.json();
  });
  // Text nodes only: property values and labels are data, never markup.
  const el = (tag, attrs = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (k === "style") Object.assign(node.style, v); else node.setAttribute(k, v);
    }
    node.append(...children);
    return node;
  };
  const number = (v, digits = 0) => Number(v).toLocaleString(LANG, { maximumFractionDigits: digits });
  const monthName = (iso) => new Date(`${iso.slice(0, 7)}-15T12:00:00`).toLocaleDateString(LANG, { month: "long", year: "numeric" });

  // A MapLibre colour expression from legend classes (the server's, or ones computed here from the data).
  function colour(legend) {
    const get = ["get", legend.property];
    if (!legend.classes.length) return NO_DATA;
    if (legend.kind === "graduated") {
      const steps = ["step", ["to-number", get], legend.classes[0].color];
      legend.classes.slice(1).forEach((c) => steps.push(c.value, c.color));
      return ["case", ["==", get, null], NO_DATA, steps];
    }
    const match = ["match", get];
    legend.classes.forEach((c) => match.push(c.value, c.color));
    match.push(NO_DATA);
    return match;
  }

  function runLine(run) {
    if (!run) return gettext("No run yet.");
    const params = Object.entries(run.parameters).filter(([, v]) => v !== null && typeof v !== "object")
      .map(([k, v]) => `${k} ${typeof v === "number" ? Math.round(v * 100) / 100 : v}`).join(", ");
    const when = new Date(run.finished_at).toLocaleString(LANG, { timeZone: "America/Belize" });
    return fmt(gettext("Run %(id)s: %(params)s; %(count)s incidents; finished %(when)s (Belize time)"),
      { id: run.id, params, count: run.input_count, when });
  }

  // ---- filters: tile query parameters ------------------------------------------------------
  // Every layer is a vector tile source (/tiles/); a filter change gives the source new tile
  // URLs (setTiles), so the server chooses the rows: below street zoom an incident tile holds
  // only counts per screen cell, with no category or month left to filter on in the browser,
  // and the cells' counts must add up the chosen rows only. TileJSON (/tiles/) says which
  // parameters each layer takes.
  let tileDocs = {};
  const query = (params) => {
    const q = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== null && v !== undefined && v !== ""));
    return q.toString() ? `?${q.toString().replace(/%2C/g, ",")}` : "";
  };
  const tileUrl = (name, params) => tileDocs[name].tiles[0] + query(params);
  const summaryUrl = (name, params, extra) => tileDocs[name].summary + query({ ...params, ...extra });
  const tilesNow = {};  //: source name -> its tile URL now
  function vectorSource(name, params) {
    const doc = tileDocs[name];
    tilesNow[name] = tileUrl(name, params);
    map.addSource(name, { type: "vector", tiles: [tilesNow[name]], minzoom: doc.minzoom, maxzoom: doc.maxzoom, bounds: doc.bounds });
  }
  // Resolves once the source has taken the new URL (MapLibre reads it asynchronously) and asked
  // for its tiles again, so whoever waits for it and then for "idle" sees the new tiles drawn.
  function setTiles(name, params) {
    const url = tileUrl(name, params);
    if (tilesNow[name] === url) return Promise.resolve();
    tilesNow[name] = url;
    const reloaded = new Promise((resolve) => {
      const done = (e) => {
        if (e.sourceId !== name || e.sourceDataType !== "content") return;
        map.off("sourcedata", done);
        resolve();
      };
      map.on("sourcedata", done);
    });
    map.getSource(name).setTiles([url]);
    return reloaded;
  }
  const accepts = (layer, name) => name in (tileDocs[layer.name].query_parameters || {});
  const monthParams = () => (state.month ? { from: state.month, to: state.month } : { from: state.from, to: state.to });
  const incidentParams = () => ({ category: state.cat === "all" ? "" : state.cat, ...monthParams() });
  // Layers whose rows carry a category and a period (counts per area) follow the filters; the
  // manifest's filter says which rows the map draws by default (the year to date, all offences).
  const periodic = (layer) => accepts(layer, "category") && accepts(layer, "period");
  function layerParams(layer, runId) {
    const params = { ...layer.filter, run_id: runId };
    if (periodic(layer)) {
      params.category = state.cat;
      if (state.month) Object.assign(params, { period: "month", from: state.month, to: state.month });
      else params.period = layer.filter.period || "ytd";
    }
    return params;
  }
  const NOTHING = ["has", "__none__"];  // a layer filter no feature passes: no run to draw

  // Quantile classes of the shown rows' measure (from the tile server's summary), in the server legend's colours.
  async function choroplethLegend(layer, params) {
    const property = state.metric === "rate" ? "rate_per_100k" : "incident_count";
    const colours = layer.legend.classes.map((c) => c.color);
    const summary = await fetchJson(summaryUrl(layer.name, params,
      { quantiles: property, classes: Math.max(colours.length, 1), values: "population_year" }));
    const { breaks, max, missing } = summary.quantiles;
    const classes = breaks.map((lo, i) => {
      const hi = i + 1 < breaks.length ? breaks[i + 1] : max;
      return { value: lo, color: colours[i], label: `${number(lo, 1)} – ${number(hi, 1)}` };
    });
    const years = summary.values.population_year;
    const what = state.metric === "rate" ? gettext("Incidents per 100,000 residents") : gettext("Incidents");
    const when = state.month ? monthName(state.month) : (layer.filter.period === "ytd" ? gettext("year to date") : "");
    const note = [what + (when ? `, ${when}` : ""), CATEGORY_LABELS[state.cat] || state.cat];
    if (state.metric === "rate" && years.length) note.push(fmt(gettext("population of %(years)s"), { years: years.join(", ") }));
    const shownClasses = missing ? [...classes, { value: "none", color: NO_DATA, label: gettext("Not shown (small count)") }] : classes;
    return { property, kind: "graduated", classes, shownClasses, note: note.join("; ") };
  }

  function legendItems(classes) {
    return classes.map((c) => el("li", { "data-value": String(c.value) },
      el("span", { class: "swatch", style: { background: c.color } }), c.label));
  }

  const layers = [];
  // Kinds without a category column were computed once per category by the standard refresh:
  // for a category, draw the latest public run over that category alone (or nothing). Counts per
  // area are drawn from the latest run over the boundary set chosen.
  const sameFilter = (f, cat) => (cat === "all" ? !f.categories.length : f.categories.length === 1 && f.categories[0] === cat)
    && !f.offences.length && !f.boundary;
  async function runFor(layer) {
    const counted = periodic(layer), cat = counted ? "all" : state.cat, set = counted ? state.set : null;
    if (cat === "all" && (!counted || !set || set === layer.run.parameters.boundary_set)) return { run: layer.run, id: null };
    layer.runs = layer.runs || fetchJson(`${E.runs}?method=${encodeURIComponent(layer.name)}`).then((d) => d.runs);
    const run = (await layer.runs).find((r) => sameFilter(r.filter, cat) && (!counted || r.parameters.boundary_set === set));
    return { run: run || null, id: run ? run.id : null };
  }
  function applyFilters() {
    const asked = `${state.cat}|${state.set}|${state.month}|${state.from}|${state.to}|${state.metric}`;
    const current = () => asked === `${state.cat}|${state.set}|${state.month}|${state.from}|${state.to}|${state.metric}`;
    window.bcoMapPending = Promise.all(layers.map(runFor)).then(async (chosen) => {
      if (!current()) return;  // a later change has its own turn
      const legends = layers.map(async (layer, i) => {
        const { run, id } = chosen[i], params = layerParams(layer, id);
        const reloaded = setTiles(layer.name, params);
        // only on a change: setting a layer's filter re-parses its loaded tiles, which here kept
        // the tiles of the URL before over those of the new one
        if (Boolean(run) !== (map.getFilter(layer.id) === undefined || map.getFilter(layer.id) === null)) map.setFilter(layer.id, run ? null : NOTHING);
        layer.section.querySelector(".run").textContent = run ? runLine(run)
          : fmt(gettext("No run of this layer for %(category)s yet."), { category: periodic(layer) ? state.set : (CATEGORY_LABELS[state.cat] || state.cat) });
        if (periodic(layer)) {
          const legend = await choroplethLegend(layer, params);
          if (!current()) return;
          map.setPaintProperty(layer.id, "fill-color", colour(legend));
          layer.section.querySelector("ul").replaceChildren(...legendItems(legend.shownClasses));
          layer.section.querySelector(".legend-note").textContent = legend.note;
        }
        await reloaded;
      });
      const incidentsReloaded = setTiles("incidents", incidentParams());
      $("month-label").textContent = state.month ? monthName(state.month) : gettext("whole period");
      writeState();
      await Promise.all([...legends, incidentsReloaded]);
    });
    return window.bcoMapPending;
  }

  // ---- layers --------------------------------------------------------------------------
  function visible(name, byDefault) {
    return state.layers ? state.layers.includes(name) : byDefault;
  }
  function toggle(name, ids, box) {
    box.addEventListener("change", () => {
      ids.forEach((id) => map.setLayoutProperty(id, "visibility", box.checked ? "visible" : "none"));
      const shown = new Set(state.layers || currentLayers());
      if (box.checked) shown.add(name); else shown.delete(name);
      state.layers = [...shown];
      writeState();
    });
  }
  const currentLayers = () => [...document.querySelectorAll("input[data-layer-name]")].filter((b) => b.checked)
    .map((b) => b.dataset.layerName);

  function addLayer(layer, index) {
    layer.id = `${layer.name}-${layer.map_type}`;
    const shown = visible(layer.name, index === 0);  // the first kind (kernel density) is shown; the rest are a click away
    const paint = layer.map_type === "circle"
      ? { "circle-color": colour(layer.legend), "circle-radius": 4 }
      : { "fill-color": colour(layer.legend), "fill-opacity": 0.75, "fill-outline-color": "rgba(0,0,0,0.15)" };
    vectorSource(layer.name, layerParams(layer, null));
    map.addLayer({ id: layer.id, type: layer.map_type, source: layer.name, "source-layer": layer.name, paint,
      layout: { visibility: shown ? "visible" : "none" } }, "districts-line");
    const box = el("input", { type: "checkbox", id: `toggle-${layer.name}`, "aria-controls": layer.id, "data-layer-name": layer.name });
    box.checked = shown;
    toggle(layer.name, [layer.id], box);
    layer.section = el("section", { class: "layer", "data-layer": layer.name },
      el("h2", {}, el("label", { for: box.id }, box, ` ${layer.title}`)),
      el("ul", { class: "legend-classes" }, ...legendItems(layer.legend.classes)),
      el("p", { class: "note legend-note" }, layer.legend.note || ""),
      el("p", { class: "note run" }, runLine(layer.run)));
    $("layers").append(layer.section);
    layers.push(layer);
  }

  function addBoundarySet(set, data) {
    const name = `boundaries:${set.slug}`;
    const fill = set.slug === "districts" ? "districts-fill" : `b-${set.slug}-fill`;
    const line = set.slug === "districts" ? "districts-line" : `b-${set.slug}-line`;
    const shown = visible(name, set.slug === "districts");
    const layout = { visibility: shown ? "visible" : "none" };
    map.addSource(`b-${set.slug}`, { type: "geojson", data });
    map.addLayer({ id: fill, type: "fill", source: `b-${set.slug}`, paint: { "fill-color": "#f4f1e8", "fill-opacity": set.slug === "districts" ? 1 : 0 }, layout },
      map.getLayer("districts-line") ? "districts-line" : undefined);
    map.addLayer({ id: line, type: "line", source: `b-${set.slug}`, layout,
      paint: { "line-color": set.slug === "districts" ? "#444" : "#7a3e9d", "line-width": set.slug === "districts" ? 1.2 : 0.8 } });
    const box = el("input", { type: "checkbox", id: `toggle-b-${set.slug}`, "data-layer-name": name });
    box.checked = shown;
    toggle(name, [fill, line], box);
    $("boundary-sets").append(el("p", {}, el("label", { for: box.id }, box, ` ${set.label || set.slug} `,
      el("span", { class: "swatch outline", style: { borderColor: set.slug === "districts" ? "#444" : "#7a3e9d" } }))));
  }

  // ---- labels and place search (the gazetteer) -------------------------------------------
  const LABEL_ZOOM = { district: 0, town: 8.5, village: 11, neighbourhood: 12, other: 12 };
  let places = [];
  function addLabels() {
    for (const f of places) {
      const node = el("span", { class: `place-label kind-${f.properties.kind}` }, f.properties.name);
      f.marker = new maplibregl.Marker({ element: node }).setLngLat(f.geometry.coordinates).addTo(map);
    }
    const update = () => places.forEach((f) => f.marker.getElement().classList.toggle(
      "hidden", map.getZoom() < (LABEL_ZOOM[f.properties.kind] ?? 12)));
    map.on("zoomend", update);
    update();
    $("place-names").replaceChildren(...places.map((f) => el("option", { value: f.properties.name })));
  }
  $("search").addEventListener("submit", (e) => {
    e.preventDefault();
    const wanted = $("place").value.trim().toLowerCase();
    const found = places.find((f) => f.properties.name.toLowerCase() === wanted)
      || places.find((f) => f.properties.name.toLowerCase().startsWith(wanted));
    if (!wanted || !found) {
      $("search-result").textContent = gettext("No place of that name in the gazetteer.");
      return;
    }
    $("search-result").textContent = `${found.properties.name} (${found.properties.district})`;
    map.jumpTo({ center: found.geometry.coordinates, zoom: found.properties.kind === "district" ? 9 : 13 });
  });

  // ---- popups: counts and the trend -------------------------------------------------------
  function sparkline(values, months = null) {
    const w = 160, h = 36, known = values.filter((v) => v !== null);
    const top = Math.max(1, ...known), step = w / Math.max(values.length - 1, 1);
    let d = "", pen = false;
    values.forEach((v, i) => {
      if (v === null) { pen = false; return; }
      d += `${pen ? "L" : "M"}${(i * step).toFixed(1)},${(h - 2 - ((h - 4) * v) / top).toFixed(1)} `;
      pen = true;
    });
    const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("width", w); svg.setAttribute("height", h); svg.setAttribute("class", "spark");
    svg.setAttribute("role", "img"); svg.setAttribute("aria-label", gettext("Monthly counts, last 24 months"));
    svg.dataset.values = JSON.stringify(values);  // what is drawn, for a reader and for the tests
    if (months) svg.dataset.months = JSON.stringify(months);
    const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
    path.setAttribute("d", d.trim()); path.setAttribute("fill", "none"); path.setAttribute("stroke", "#1f4e79");
    svg.append(path);
    values.forEach((v, i) => {  // a dot per month shown: a month between two blanked ones is seen too
      if (v === null) return;
      const dot = document.createElementNS("http://www.w3.org/2000/svg", "circle");
      dot.setAttribute("cx", (i * step).toFixed(1)); dot.setAttribute("cy", (h - 2 - ((h - 4) * v) / top).toFixed(1));
      dot.setAttribute("r", "1.5"); dot.setAttribute("fill", "#1f4e79");
      svg.append(dot);
    });
    return svg;
  }
  const shown = (v, digits = 0) => (v === null || v === undefined ? "–" : number(v, digits));
  // The area's monthly counts of the run drawn: the OGC API's items of that run, area and category.
  function monthlyCounts(layer, p) {
    const q = new URLSearchParams({ f: "json", run_id: p.run_id, code: p.code, category: p.category, period: "month",
      skipGeometry: "true", limit: "1000" });
    return fetchJson(`${E.ogc}/collections/${layer.name}-runs/items?${q}`).then((page) => page.features
      .map((f) => f.properties).sort((a, b) => a.period_start.localeCompare(b.period_start)).map((m) => m.incident_count ?? null));
  }
  // A public cell's monthly counts in its offence category: the OGC API's incidents at the cell's
  // centre (a box of ~10 m around it: the next cell centre is 125 m away or more) of the same
  // category and cell size, over the last 24 months of the data; a month not shown (none, or
  // fewer than the public minimum) is a gap.
  function cellCounts(p, [lon, lat]) {
    const d = 1e-4;
    const q = new URLSearchParams({ f: "json", bbox: [lon - d, lat - d, lon + d, lat + d].join(","), category: p.category,
      cell_size_m: p.cell_size_m, skipGeometry: "true", limit: "1000" });
    return fetchJson(`${E.ogc}/collections/incidents/items?${q}`).then((page) => {
      const byMonth = new Map(page.features.map((f) => [f.properties.period_start.slice(0, 7), f.properties.incident_count]));
      const axis = (months.length ? months : [...byMonth.keys()].sort()).slice(-24);
      return { axis, counts: axis.map((m) => byMonth.get(m) ?? null) };
    });
  }
  function cellCard(p, centre) {
    const trend = el("span", { class: "trend" });
    window.bcoMapPopup = cellCounts(p, centre).then(({ axis, counts }) => trend.replaceChildren(sparkline(counts, axis)));
    return el("div", { class: "popup" }, el("strong", {}, fmt(gettext("%(n)s incidents: %(category)s"),
      { n: p.count, category: CATEGORY_LABELS[p.category] || p.category })), el("br"),
      fmt(gettext("%(when)s, within %(size)s m"), { when: monthName(p.period_start), size: p.cell_size_m }), el("br"),
      gettext("This cell and offence, month by month (a gap: none, or too few to show):"), el("br"), trend);
  }
  // An analysis layer's feature: its public columns by their labels in the manifest.
  const value = (v) => (typeof v === "number" && !Number.isInteger(v) ? number(v, 3) : String(v));
  function featureCard(layer, p) {
    const rows = (layer.columns || []).filter((c) => p[c.name] !== null && p[c.name] !== undefined && p[c.name] !== "")
      .slice(0, 10).flatMap((c) => [el("br"), `${c.label}: ${value(p[c.name])}`]);
    return el("div", { class: "popup" }, el("strong", {}, layer.title), ...rows);
  }
  function areaCard(layer, p) {
    const trend = el("span", { class: "trend" });
    window.bcoMapPopup = monthlyCounts(layer, p).then((counts) => trend.replaceChildren(sparkline(counts)));
    return el("div", { class: "popup" }, el("strong", {}, p.name), el("br"),
      `${CATEGORY_LABELS[p.category] || p.category}, ${p.period_start} – ${p.period_end}`, el("br"),
      fmt(gettext("Incidents: %(n)s (before: %(prev)s, change %(pct)s)"),
        { n: shown(p.incident_count), prev: shown(p.previous_count), pct: p.pct_change === null ? "–" : `${number(p.pct_change)}%` }),
      el("br"), fmt(gettext("Rate per 100,000: %(rate)s (population %(year)s)"), { rate: shown(p.rate_per_100k, 1), year: p.population_year ?? "–" }),
      el("br"), trend);
  }
  const popup = new maplibregl.Popup({ closeButton: true, maxWidth: "260px" });
  map.on("click", (e) => {
    const order = ["incidents", ...layers.map((l) => l.id).reverse(), "districts-fill"].filter((id) => map.getLayer(id));
    const hit = map.queryRenderedFeatures(e.point, { layers: order })[0];
    if (!hit) return;
    const p = hit.properties, layer = layers.find((l) => l.id === hit.layer.id);
    let card;
    if (hit.layer.id === "incidents" && !p.category) {  // a cell counted on screen, below street zoom
      card = el("div", { class: "popup" }, el("strong", {}, fmt(gettext("%(n)s incidents around here"), { n: number(p.count) })),
        el("br"), gettext("Zoom in for their offences and months."));
    } else if (hit.layer.id === "incidents") {
      card = cellCard(p, hit.geometry.coordinates);
    } else if (layer && periodic(layer)) {
      card = areaCard(layer, p);
    } else if (layer) {
      card = featureCard(layer, p);
    } else {
      const pop = p.population ? `${number(p.population)} (${p.population_kind} ${p.population_year})` : "–";
      card = el("div", { class: "popup" }, el("strong", {}, p.name), el("br"), fmt(gettext("Population: %(pop)s"), { pop }));
    }
    popup.setLngLat(e.lngLat).setDOMContent(card).addTo(map);
  });

  // ---- export: the view as PNG, the public data in view as CSV or GeoJSON -----------------
  function download(name, blob) {
    const a = el("a", { href: URL.createObjectURL(blob), download: name, id: "last-download" });
    $("last-download")?.remove();
    a.hidden = true;
    document.body.append(a);
    a.click();
  }
  // What is drawn in view, read back from the rendered tiles: a feature cut by tile edges comes
  // back once per tile, so its pieces (same layer, same properties) are joined into one feature.
  const polygons = (g) => (g.type === "Polygon" ? [g.coordinates] : g.coordinates);
  function dataInView() {
    const drawn = (id) => map.getLayer(id) && map.getLayoutProperty(id, "visibility") !== "none";
    const ids = ["incidents", ...layers.map((l) => l.id)].filter(drawn);
    const features = new Map();
    for (const f of map.queryRenderedFeatures({ layers: ids })) {
      const g = f.geometry, point = g.type === "Point", properties = { layer: f.source, ...f.properties };
      const key = JSON.stringify([properties, point ? g.coordinates : null]);
      const known = features.get(key);
      if (!known) features.set(key, { type: "Feature", geometry: g, properties });
      else if (!point) known.geometry = { type: "MultiPolygon", coordinates: [...polygons(known.geometry), ...polygons(g)] };
    }
    return [...features.values()];
  }
  $("export-png").addEventListener("click", () => {
    map.once("render", () => map.getCanvas().toBlob((blob) => download("belize-map.png", blob), "image/png"));
    map.triggerRepaint();
  });
  $("export-geojson").addEventListener("click", () => download("belize-map-data.geojson",
    new Blob([JSON.stringify({ type: "FeatureCollection", features: dataInView() })], { type: "application/geo+json" })));
  $("export-csv").addEventListener("click", () => {
    const rows = dataInView();
    const columns = [...new Set(rows.flatMap((f) => Object.keys(f.properties)))];
    const cell = (v) => (v === null || v === undefined ? "" : /[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
    const lines = [[...columns, "longitude", "latitude"].join(",")];
    for (const f of rows) {
      const c = f.geometry.type === "Point" ? f.geometry.coordinates : [null, null];
      lines.push([...columns.map((k) => cell(f.properties[k])), cell(c[0]), cell(c[1])].join(","));
    }
    download("belize-map-data.csv", new Blob([lines.join("\n") + "\n"], { type: "text/csv" }));
  });

  // ---- controls ---------------------------------------------------------------------------
  let months = [];
  function setupControls(categories, boundarySets) {
    const sets = boundarySets.map((b) => b.slug);
    $("area-set").replaceChildren(...boundarySets.map((b) => el("option", { value: b.slug }, b.label || b.slug)));
    const counted = layers.find(periodic);
    if (!sets.includes(state.set)) state.set = counted ? counted.run.parameters.boundary_set : "";
    $("area-set").value = state.set;
    $("area-set").addEventListener("change", () => { state.set = $("area-set").value; applyFilters(); });
    $("category").replaceChildren(...categories.map((c) => el("option", { value: c }, CATEGORY_LABELS[c] || c)));
    if (!categories.includes(state.cat)) state.cat = "all";
    $("category").value = state.cat;
    $("from").value = state.from;
    $("to").value = state.to;
    $("metric").value = state.metric;
    const slider = $("month");
    const inPeriod = () => months.filter((m) => (!state.from || m >= state.from) && (!state.to || m <= state.to));
    const syncSlider = () => {
      const choices = inPeriod();
      slider.max = Math.max(choices.length - 1, 0);
      slider.value = state.month ? Math.max(choices.indexOf(state.month), 0) : slider.max;
      slider.setAttribute("aria-valuetext", state.month ? monthName(state.month) : gettext("whole period"));
    };
    syncSlider();
    $("category").addEventListener("change", () => { state.cat = $("category").value; applyFilters(); });
    $("metric").addEventListener("change", () => { state.metric = $("metric").value; applyFilters(); });
    for (const id of ["from", "to"]) {
      $(id).addEventListener("change", () => {
        state[id] = MONTH.test($(id).value) ? $(id).value : "";
        if (state.month && !inPeriod().includes(state.month)) state.month = "";
        syncSlider();
        applyFilters();
      });
    }
    slider.addEventListener("input", () => { state.month = inPeriod()[Number(slider.value)] || ""; syncSlider(); applyFilters(); });
    $("all-months").addEventListener("click", () => { state.month = ""; syncSlider(); applyFilters(); });
    let timer = null;
    $("play").addEventListener("click", () => {
      if (timer) { clearInterval(timer); timer = null; } else {
        const step = () => {
          const choices = inPeriod(), i = choices.indexOf(state.month);
          if (i === choices.length - 1 && timer) { clearInterval(timer); timer = null; }
          else state.month = choices[i + 1];
          syncSlider();
          applyFilters();
          $("play").setAttribute("aria-pressed", String(Boolean(timer)));
        };
        timer = setInterval(step, 1200);
        step();
      }
      $("play").setAttribute("aria-pressed", String(Boolean(timer)));
      $("play").textContent = timer ? gettext("Pause") : gettext("Play");
    });
    map.on("moveend", writeState);
  }
  $("panel-toggle").addEventListener("click", () => {
    const open = $("panel").hidden;
    $("panel").hidden = !open;
    $("panel-toggle").setAttribute("aria-expanded", String(open));
    $("panel-toggle").textContent = open ? gettext("Hide the panel") : gettext("Show the panel");
  });
  if (window.matchMedia("(max-width: 600px)").matches) $("panel-toggle").click();  // phones start with the map

  // Incidents are drawn from town scale on (at national scale they would hide the hot spots): one
  // circle per counted screen cell, or per public cell, offence and month from street zoom on,
  // sized and shaded by its count.
  const INCIDENT_CLASSES = [[1, "#6baed6"], [10, "#2171b5"], [100, "#08306b"]];
  function addIncidents() {
    vectorSource("incidents", incidentParams());
    const count = ["get", "count"];
    const shade = ["step", count, INCIDENT_CLASSES[0][1]];
    INCIDENT_CLASSES.slice(1).forEach(([lo, c]) => shade.push(lo, c));
    map.addLayer({
      id: "incidents", type: "circle", source: "incidents", "source-layer": "incidents", minzoom: 10,
      layout: { visibility: visible("incidents", true) ? "visible" : "none" },
      paint: {
        "circle-radius": ["interpolate", ["linear"], ["zoom"],
          10, ["min", 10, ["*", 1.2, ["sqrt", count]]], 15, ["min", 18, ["*", 3, ["sqrt", count]]]],
        "circle-color": shade, "circle-opacity": 0.75, "circle-stroke-color": "#ffffff", "circle-stroke-width": 0.5,
      },
    });
    const incidentBox = $("toggle-incidents");
    incidentBox.dataset.layerName = "incidents";
    incidentBox.checked = visible("incidents", true);
    toggle("incidents", ["incidents"], incidentBox);
    $("incident-classes").append(...legendItems(INCIDENT_CLASSES.map(([n, color]) => (
      { value: n, color, label: fmt(gettext("%(n)s or more incidents in a circle"), { n: number(n) }) }))));
  }

  map.on("load", async () => {
    const [manifest, placeData, tileIndex] = await Promise.all([fetchJson(E.manifest), fetchJson(E.places), fetchJson(E.tiles)]);
    tileDocs = Object.fromEntries(tileIndex.layers.map((doc) => [doc.name, doc]));
    const sets = await Promise.all(manifest.boundaries.map((s) => fetchJson(s.data).then((d) => [s, d])));
    sets.sort(([a], [b]) => (a.slug === "districts" ? -1 : b.slug === "districts" ? 1 : 0));
    sets.forEach(([s, d]) => addBoundarySet(s, d));
    manifest.layers.filter((l) => l.features > 0 && tileDocs[l.name]).forEach(addLayer);
    addIncidents();
    places = placeData.features;
    addLabels();
    // the months and offences to choose from: those of the counts per area, or of the incidents
    const counted = layers.find(periodic);
    const listed = await fetchJson(counted
      ? summaryUrl(counted.name, { period: "month" }, { values: "period_start,category" })
      : summaryUrl("incidents", {}, { values: "period_start,category" }));
    months = listed.values.period_start.map((d) => d.slice(0, 7));
    const categories = listed.values.category.filter((c) => c !== "all");
    setupControls(["all", ...categories], manifest.boundaries);
    await applyFilters();
    map.once("idle", () => { document.body.dataset.ready = "true"; });
    // The map may have gone idle while the filters were applied (every tile already there):
    // "idle" then fires only after another frame, so ask for one.
    map.triggerRepaint();
  });
})();
