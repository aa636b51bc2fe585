// The observatory's web map, built from the layer manifest (/api/layers/): one
// switchable layer per analysis kind, each with the legend classes computed from
// its own data and a line saying which run drew it. No external base map: the
// background is plain, so the map works offline.
(function () {
  "use strict";
  const E = window.BCO_ENDPOINTS;
  const map = new maplibregl.Map({
    container: "map",
    style: {
      version: 8,
      sources: {},
      layers: [{ id: "background", type: "background", paint: { "background-color": "#cfe3ef" } }],
    },
    bounds: [[-89.3, 15.8], [-87.4, 18.6]],
    fitBoundsOptions: { padding: 20 },
    attributionControl: { compact: true },
  });
  window.bcoMap = map;
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
  const NO_DATA = "#cccccc";

  // A MapLibre colour expression from the legend the server computed from the data.
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
    if (!run) return "No run yet.";
    const params = Object.entries(run.parameters).filter(([, v]) => v !== null && typeof v !== "object")
      .map(([k, v]) => `${k} ${typeof v === "number" ? Math.round(v * 100) / 100 : v}`).join(", ");
    const when = new Date(run.finished_at).toLocaleString("en-GB", { timeZone: "America/Belize" });
    return `Run ${run.id}: ${params}; ${run.input_count} incidents; finished ${when} (Belize time)`;
  }

  function addLayer(layer, index) {
    const id = `${layer.name}-${layer.map_type}`;
    const visible = index === 0;  // the first kind (kernel density) is shown; the rest are one click away
    const paint = layer.map_type === "circle"
      ? { "circle-color": colour(layer.legend), "circle-radius": 4 }
      : { "fill-color": colour(layer.legend), "fill-opacity": 0.75, "fill-outline-color": "rgba(0,0,0,0.15)" };
    const spec = { id, type: layer.map_type, source: layer.name, paint, layout: { visibility: visible ? "visible" : "none" } };
    if (layer.filter) spec.filter = ["all", ...Object.entries(layer.filter).map(([k, v]) => ["==", ["get", k], v])];
    map.addLayer(spec, "districts-line");

    const box = el("input", { type: "checkbox", id: `toggle-${layer.name}`, "aria-controls": id });
    box.checked = visible;
    box.addEventListener("change", () => map.setLayoutProperty(id, "visibility", box.checked ? "visible" : "none"));
    const items = layer.legend.classes.map((c) => el("li", { "data-value": String(c.value) },
      el("span", { class: "swatch", style: { background: c.color } }), c.label));
    const section = el("section", { class: "layer", "data-layer": layer.name },
      el("h2", {}, el("label", { for: box.id }, box, ` ${layer.title}`)),
      el("ul", { class: "legend-classes" }, ...items),
      el("p", { class: "note run" }, runLine(layer.run)));
    if (layer.legend.note) section.append(el("p", { class: "note" }, layer.legend.note));
    document.getElementById("layers").append(section);
  }

  map.on("load", async () => {
    const [manifest, districts, incidents] = await Promise.all([
      fetchJson(E.manifest), fetchJson(E.districts), fetchJson(E.incidents)]);
    map.addSource("districts", { type: "geojson", data: districts });
    map.addLayer({ id: "districts-fill", type: "fill", source: "districts", paint: { "fill-color": "#f4f1e8" } });
    map.addLayer({ id: "districts-line", type: "line", source: "districts", paint: { "line-color": "#444", "line-width": 1.2 } });
    const layers = manifest.layers.filter((l) => l.features > 0);
    await Promise.all(layers.map((l) => fetchJson(l.data).then((data) => map.addSource(l.name, { type: "geojson", data }))));
    layers.forEach(addLayer);
    // Incidents appear from town scale on: at national scale they would hide the hot spots.
    map.addSource("incidents", { type: "geojson", data: incidents });
    map.addLayer({
      id: "incidents", type: "circle", source: "incidents", minzoom: 10,
      paint: {
        "circle-radius": ["interpolate", ["linear"], ["zoom"],
          10, ["*", 1.2, ["sqrt", ["get", "incident_count"]]], 15, ["*", 3, ["sqrt", ["get", "incident_count"]]]],
        "circle-color": "#1f4e79", "circle-opacity": 0.7,
        "circle-stroke-color": "#ffffff", "circle-stroke-width": 0.5,
      },
    });

    const popup = new maplibregl.Popup({ closeButton: false });
    const card = (title, line) => el("div", {}, el("strong", {}, title), el("br"), line);
    map.on("click", "districts-fill", (e) => {
      const p = e.features[0].properties;
      const pop = p.population ? `${Number(p.population).toLocaleString()} (${p.population_kind} ${p.population_year})` : "unknown";
      popup.setLngLat(e.lngLat).setDOMContent(card(p.name, `Population: ${pop}`)).addTo(map);
    });
    map.on("click", "incidents", (e) => {
      const p = e.features[0].properties;
      const when = new Date(p.period_start + "T12:00:00").toLocaleDateString("en-GB", { month: "long", year: "numeric" });
      popup.setLngLat(e.lngLat).setDOMContent(card(`${p.incident_count} ${p.category} incidents`,
        `${when}, within ${p.cell_size_m} m`)).addTo(map);
    });
    map.once("idle", () => { document.body.dataset.ready = "true"; });
  });
})();
