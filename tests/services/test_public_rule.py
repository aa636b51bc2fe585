"""The public rule holds at every anonymous endpoint: each reads only ``public_*``
projections, and a run over sensitive offences never reaches them."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.db import connection
from django.urls import get_resolver

from geo_bco.models import AnalysisRun
from services.jobs import create_run, execute_run
from services.layers import REGISTRY
from services.opendata import months
from services.projections import refresh_incidents

from layer_runs import FAST_PARAMETERS

pytestmark = pytest.mark.postgis

#: every table of the domain apps: an anonymous request must never name one
DOMAIN_TABLE = re.compile(r"\b(geo_bco|boundaries)_[a-z_]+\b")
#: routes that are not anonymous data (sign-in screens, stewards' uploads) or that are pygeoapi's
NOT_PUBLIC = {"api:imports", "api:import-detail", "api:quality", "api:analyst-incidents"}  # 401 when anonymous: test_access.py


#: the site's pages for people (besides the map), each crawled below
PAGES = {"dashboard", "bulletins", "bulletin-file", "open-data", "open-data-archive", "javascript-catalog"}
#: anonymous routes that read no data at all: code (the methods' schemas, the JS catalogue) or files on disk
READ_NOTHING = {"api:methods", "javascript-catalog", "bulletin-file"}


@pytest.fixture
def layers(reference_data, demo_incidents, settings, tmp_path):
    demo_incidents(rows=500)
    demo_incidents(rows=400, seed=5, days=31, source="demo-dense")  # cells that hold the public minimum: an archive
    refresh_incidents()
    runs = {name: execute_run(create_run(name, parameters=FAST_PARAMETERS[name]).pk) for name in REGISTRY}
    settings.BCO_BULLETIN_DIR = tmp_path
    (tmp_path / "bulletin-2026-09-en.html").write_text("<p>bulletin</p>")
    return runs


def anonymous_urls(layers) -> dict[str, str]:
    knox = layers["near-repeat"].pk
    urls = {"web-map": "/", "api:districts": "/api/districts/", "api:boundaries": "/api/boundaries/districts/",
            "api:incidents": "/api/incidents/?in_bbox=-89,16,-88,18", "api:manifest": "/api/layers/",
            "api:runs": "/api/runs/", "api:run": f"/api/runs/{knox}/", "api:knox-csv": f"/api/runs/{knox}/knox.csv",
            "api:methods": "/api/methods/", "api:sensitive-offences": "/api/sensitive-offences/",
            "api:places": "/api/places/", "dashboard": "/dashboard/", "dashboard json": "/dashboard/?format=json",
            "bulletins": "/bulletins/", "bulletin-file": "/bulletins/bulletin-2026-09-en.html", "open-data": "/data/",
            "javascript-catalog": "/jsi18n/"}
    newest = months()[0][0]  # the archive answers 404 for a month it does not hold
    for fmt in ("csv", "geojson", "gpkg"):
        urls[f"open-data-archive {fmt}"] = f"/data/{newest:%Y-%m}/incidents.{fmt}"
    for name, run in layers.items():
        if REGISTRY[name].public:
            urls[f"api:layer {name}"] = f"/api/layers/{name}/"
            urls[f"api:layer {name} run"] = f"/api/layers/{name}/?run_id={run.pk}"
    return urls


def named_routes() -> set[str]:
    """Names of the site's own routes (``api:...`` and top-level ones)."""
    names = set()
    for pattern in get_resolver().url_patterns:
        if getattr(pattern, "name", None):
            names.add(pattern.name)
        if getattr(pattern, "namespace", None) == "api":
            names |= {f"api:{sub.name}" for sub in pattern.url_patterns if getattr(sub, "name", None)}
    return names


def test_every_anonymous_route_reads_only_public_projections(client, layers):
    urls = anonymous_urls(layers)
    covered = {name.split()[0] for name in urls}
    assert {n for n in named_routes() if n.startswith("api:") or n in {"web-map", *PAGES}} - NOT_PUBLIC <= covered
    for name, url in urls.items():
        queries: list[str] = []

        def record(execute, sql, params, many, context):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(record):
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        data = [q for q in queries if not re.search(r"\b(django_session|auth_user)\b", q)]
        assert data or name in READ_NOTHING, f"{url} read nothing"
        leaks = {m for q in data for m in DOMAIN_TABLE.findall(q)}
        assert not leaks, f"{url} read {leaks}"


def test_every_ogc_collection_and_tile_layer_is_a_public_projection():
    from services.tiles.layers import tile_layers

    tables = {cid: r["providers"][0]["table"] for cid, r in settings.PYGEOAPI_CONFIG["resources"].items()}
    tables |= {f"tiles:{layer.id}": layer.table for layer in tile_layers()}
    assert tables and all(t.startswith("public_") for t in tables.values()), tables


def test_runs_over_sensitive_offences_never_reach_the_public(client, layers):
    sensitive = execute_run(create_run("kde", input_filter={"sensitive": True}).pk)
    assert sensitive.status == AnalysisRun.Status.SUCCEEDED
    public_runs = {r["id"] for r in client.get("/api/runs/").json()["runs"]}
    assert layers["kde"].pk in public_runs and sensitive.pk not in public_runs
    assert client.get(f"/api/runs/{sensitive.pk}/").status_code == 404
    latest = client.get("/api/layers/kde/").json()["features"]
    assert {f["properties"]["run_id"] for f in latest} == {layers["kde"].pk}  # not the newer sensitive run
    assert client.get("/api/layers/kde/", {"run_id": sensitive.pk}).json()["features"] == []
    with connection.cursor() as cur:  # analysts see it
        cur.execute("SELECT count(*) FROM analyst_kde_runs WHERE run_id = %s", [sensitive.pk])
        assert cur.fetchone()[0] > 0


def test_public_incident_ids_reveal_nothing_of_internal_ids(client, layers):
    from geo_bco.models import Incident

    public = client.get("/api/incidents/", {"page_size": 10000}).json()["features"]
    internal = set(Incident.objects.values_list("id", flat=True))
    ids = [f["id"] for f in public]
    assert len(set(ids)) == len(ids) and not set(ids) & internal
    assert ids == sorted(ids)  # served in id order, so their order says nothing of the import order either


def test_no_public_layer_or_endpoint_for_exact_near_repeat_points(client, layers):
    assert client.get("/api/layers/near-repeat/").status_code == 404
    assert all(layer["name"] != "near-repeat" for layer in client.get("/api/layers/").json()["layers"])


def test_small_counts_are_blanked_in_public_area_counts(client, layers):
    k = settings.BCO_PUBLIC_MIN_COUNT
    features = client.get("/api/layers/area-counts/", {"page_size": 10000}).json()["features"]
    shown = [f["properties"]["incident_count"] for f in features if f["properties"]["incident_count"] is not None]
    assert shown and all(n == 0 or n >= k for n in shown)
    assert any(f["properties"]["small_count"] and f["properties"]["incident_count"] is None for f in features)


def _utm_rows(rows: list[tuple[str, str, float, float]]) -> str:
    """CSV rows from (offence, day, easting, northing) in UTM 16N."""
    from pyproj import Transformer

    to_wgs84 = Transformer.from_crs(32616, 4326, always_xy=True)
    lines = ["source_id,offence,occurred_at,latitude,longitude"]
    for n, (offence, day, x, y) in enumerate(rows):
        lon, lat = to_wgs84.transform(x, y)
        lines.append(f"K{n},{offence},{day} 21:30,{lat:.7f},{lon:.7f}")
    return "\n".join(lines) + "\n"


def test_public_incidents_are_cells_of_at_least_k_by_category_and_month(reference_data, write_csv, client):
    """Hand case (k = 3, 250 m cells in UTM 16N near Belmopan):
    - 4 thefts in one 250 m cell in March: one point, count 4, at the cell centre;
    - 2 thefts in each of two other 250 m cells of one 1 km cell in March: merged, one 1 km point, count 4;
    - 2 thefts alone in a far 1 km cell in March: left out;
    - the same 4-theft cell's robberies (2) and April thefts (2): left out (other category, other month);
    - 5 rapes (sensitive) in that cell: never a point; in the district-month counts only."""
    from geo_bco.ingest import import_file
    from pyproj import Transformer

    x0, y0 = 294_000.0, 1_907_000.0  # a 1 km cell's south-west corner (a multiple of 1000 m)
    rows = [("theft", "2025-03-0" + str(d), x0 + 10 + d, y0 + 10 + d) for d in range(1, 5)]
    rows += [("theft", "2025-03-11", x0 + 510, y0 + 510), ("theft", "2025-03-12", x0 + 520, y0 + 520),
             ("theft", "2025-03-13", x0 + 760, y0 + 260), ("theft", "2025-03-14", x0 + 770, y0 + 270)]
    rows += [("theft", "2025-03-20", x0 + 5010, y0 + 10), ("theft", "2025-03-21", x0 + 5020, y0 + 20)]
    rows += [("robbery", "2025-03-05", x0 + 30, y0 + 30), ("robbery", "2025-03-06", x0 + 40, y0 + 40)]
    rows += [("theft", "2025-04-02", x0 + 30, y0 + 30), ("theft", "2025-04-03", x0 + 40, y0 + 40)]
    rows += [("rape", f"2025-03-1{d}", x0 + 50, y0 + 50) for d in range(5)]
    assert import_file(write_csv(_utm_rows(rows)), source_system="k-test").inserted == len(rows)
    refresh_incidents()
    features = client.get("/api/incidents/").json()["features"]
    to_utm = Transformer.from_crs(4326, 32616, always_xy=True)
    got = sorted((f["properties"]["category"], f["properties"]["period_start"], f["properties"]["cell_size_m"],
                  f["properties"]["incident_count"], *(round(v) for v in to_utm.transform(*f["geometry"]["coordinates"])))
                 for f in features)
    assert got == [("property", "2025-03-01", 250, 4, round(x0 + 125), round(y0 + 125)),
                   ("property", "2025-03-01", 1000, 4, round(x0 + 500), round(y0 + 500))]
    sensitive = client.get("/api/sensitive-offences/").json()["features"]
    cayo_march = [f for f in sensitive if f["properties"]["period_start"] == "2025-03-01"]
    assert [f["properties"]["incident_count"] for f in cayo_march] == [5]
    assert cayo_march[0]["geometry"]["type"] == "MultiPolygon"  # a district, never a point


def test_public_clusters_are_outlined_on_the_grid_by_month_and_never_under_k(reference_data, write_csv, client):
    """Hand case (k = 3; DBSCAN, eps 60 m, 2 incidents make a core point) near Belmopan:
    - 6 thefts within 40 m of each other, 3 March to 2 April: a cluster whose analyst hull's
      vertices are incidents; the public sees the hull of the 250 m cells they lie in, covering
      it, dated March to April (the first of each month);
    - 2 thefts 30 m apart, 5 km away: a cluster of 2, which the public never sees;
    - 4 thefts far from everything: noise (the job needs 10 incidents)."""
    from geo_bco.ingest import import_file
    from pyproj import Transformer
    from shapely.geometry import shape

    x0, y0 = 294_000.0, 1_907_000.0
    big = [(x0 + 110, y0 + 120), (x0 + 130, y0 + 150), (x0 + 150, y0 + 125), (x0 + 135, y0 + 100),
           (x0 + 120, y0 + 140), (x0 + 145, y0 + 145)]
    rows = [("theft", f"2025-03-0{3 + n}", x, y) for n, (x, y) in enumerate(big[:5])] + [("theft", "2025-04-02", *big[5])]
    rows += [("theft", "2025-03-10", x0 + 5000, y0), ("theft", "2025-03-11", x0 + 5030, y0)]
    rows += [("theft", "2025-03-15", x0 + dx, y0 + dy) for dx, dy in ((2000, 2000), (-2000, 2000), (2000, -2000),
                                                                       (-2000, -2000))]
    assert import_file(write_csv(_utm_rows(rows)), source_system="cluster-test").inserted == len(rows)
    run = execute_run(create_run("clusters", parameters={"method": "dbscan", "eps": 60, "min_samples": 2}).pk)
    with connection.cursor() as cur:
        cur.execute("SELECT incident_count, ST_AsText(geom) FROM analyst_clusters WHERE run_id = %s ORDER BY 1", [run.pk])
        analyst = cur.fetchall()
    assert [n for n, _ in analyst] == [2, 6]
    public = client.get("/api/layers/clusters/").json()["features"]
    assert [(f["properties"]["incident_count"], f["properties"]["first_date"], f["properties"]["last_date"])
            for f in public] == [(6, "2025-03-01", "2025-04-01")]
    to_utm = Transformer.from_crs(4326, 32616, always_xy=True)
    corners = [to_utm.transform(*xy) for xy in public[0]["geometry"]["coordinates"][0]]
    assert all(abs(v - 250 * round(v / 250)) < 0.5 for corner in corners for v in corner)  # cell corners (REST: 6 decimals)
    incidents = [(x, y) for _, _, x, y in rows]
    assert min(((cx - x) ** 2 + (cy - y) ** 2) ** 0.5 for cx, cy in corners for x, y in incidents) > 50
    from shapely import wkt
    from shapely.ops import transform

    outline = transform(lambda x, y: to_utm.transform(x, y), shape(public[0]["geometry"]))
    exact = transform(lambda x, y: to_utm.transform(x, y), wkt.loads(analyst[1][1]))
    assert outline.buffer(0.5).contains(exact) and outline.area == pytest.approx(250 * 250, rel=1e-3)


def test_the_public_period_is_configurable(reference_data, write_csv, client, settings):
    """BCO_PUBLIC_PERIOD=quarter (k = 3): one theft in a 250 m cell in each of January, February
    and March is under k in every month (no public point) but makes one point, dated 1 January,
    for the quarter; 3 rapes there count in the district's quarter, never as a point."""
    from geo_bco.ingest import import_file
    from services.projections import apply_projections

    x0, y0 = 294_000.0, 1_907_000.0
    rows = [("theft", day, x0 + 100, y0 + 100) for day in ("2025-01-05", "2025-02-20", "2025-03-30")]
    rows += [("rape", day, x0 + 120, y0 + 120) for day in ("2025-01-06", "2025-02-21", "2025-03-29")]
    import_file(write_csv(_utm_rows(rows)), source_system="period-test")
    refresh_incidents()
    assert client.get("/api/incidents/").json()["features"] == []  # monthly: under k every month
    assert [f["properties"]["incident_count"] for f in client.get("/api/sensitive-offences/").json()["features"]] \
        == [None, None, None]
    settings.BCO_PUBLIC_PERIOD = "quarter"
    apply_projections()  # what the next migrate does
    [point] = client.get("/api/incidents/").json()["features"]
    assert (point["properties"]["period_start"], point["properties"]["period"],
            point["properties"]["incident_count"]) == ("2025-01-01", "quarter", 3)
    [district] = client.get("/api/sensitive-offences/").json()["features"]
    assert (district["properties"]["period_start"], district["properties"]["incident_count"]) == ("2025-01-01", 3)
