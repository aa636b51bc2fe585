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
    for fmt in ("csv", "geojson", "gpkg"):
        urls[f"open-data-archive {fmt}"] = f"/data/2026-09/incidents.{fmt}"
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
