// The observatory's web map: districts, public incidents (vector tiles: counts per
// cell until street zoom, then the points) and the latest kernel density bands,
// all from geo-bco's own endpoints. No external base map: the
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

  map.on("load", async () => {
    const [districts, kde] = await Promise.all([fetchJson(E.districts), fetchJson(E.kde)]);
    map.addSource("districts", { type: "geojson", data: districts });
    map.addSource("kde", { type: "geojson", data: kde });
    map.addSource("incidents", { type: "vector", url: E.incidents });
    map.addLayer({ id: "districts-fill", type: "fill", source: "districts", paint: { "fill-color": "#f4f1e8" } });
    map.addLayer({
      id: "kde-fill", type: "fill", source: "kde",
      paint: {
        "fill-color": ["match", ["get", "band"], 1, "#b30000", 2, "#e34a33", "#fdbb84"],
        "fill-opacity": 0.75,
      },
    });
    map.addLayer({ id: "districts-line", type: "line", source: "districts", paint: { "line-color": "#444", "line-width": 1.2 } });
    // Incidents appear from town scale on: at national scale they would hide the hot spots.
    // Below street zoom a feature is a cell with a count (sized by it), then a place and offence with a count.
    map.addLayer({
      id: "incidents", type: "circle", source: "incidents", "source-layer": "incidents", minzoom: 10,
      paint: {
        "circle-radius": ["interpolate", ["linear"], ["zoom"],
          10, ["case", ["has", "offence"], 2, ["min", 14, ["+", 2, ["sqrt", ["get", "count"]]]]],
          17, ["case", ["has", "offence"], 6, ["min", 14, ["+", 2, ["sqrt", ["get", "count"]]]]]],
        "circle-color": "#1f4e79", "circle-opacity": 0.7,
        "circle-stroke-color": "#ffffff", "circle-stroke-width": 0.5,
      },
    });
    // "Top 1% of area": add what share of the incidents each band holds
    for (const f of kde.features) {
      const item = document.querySelector(`#kde-legend li[data-band="${f.properties.band}"] .share`);
      if (item && f.properties.incident_share != null) {
        item.textContent = ` (${Math.round(f.properties.incident_share * 100)}% of incidents)`;
      }
    }
    const runs = new Set(kde.features.map((f) => f.properties.run_id));
    document.getElementById("kde-run").textContent = runs.size
      ? `Run ${[...runs].join(", ")}, finished ${new Date(kde.features[0].properties.run_finished_at).toLocaleString("en-GB", { timeZone: "America/Belize" })} (Belize time)`
      : "No kernel density run yet.";

    const popup = new maplibregl.Popup({ closeButton: false });
    // Text nodes only: property values are data, never markup.
    const card = (title, line) => {
      const div = document.createElement("div");
      const strong = document.createElement("strong");
      strong.textContent = title;
      div.append(strong, document.createElement("br"), document.createTextNode(line));
      return div;
    };
    map.on("click", "districts-fill", (e) => {
      const p = e.features[0].properties;
      const pop = p.population ? `${Number(p.population).toLocaleString()} (${p.population_kind} ${p.population_year})` : "unknown";
      popup.setLngLat(e.lngLat).setDOMContent(card(p.name, `Population: ${pop}`)).addTo(map);
    });
    map.on("click", "incidents", (e) => {
      const p = e.features[0].properties;
      const content = p.offence_label ? card(p.offence_label, `${p.count} at this place (250 m grid)`)
        : card(`${p.count} incidents`, "in this cell; zoom in for the offences");
      popup.setLngLat(e.lngLat).setDOMContent(content).addTo(map);
    });
    map.once("idle", () => { document.body.dataset.ready = "true"; });
  });
})();
