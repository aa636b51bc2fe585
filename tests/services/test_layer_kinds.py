"""One contract over every registered layer kind, then each kind against the pure
library on the same selection and parameters (the layer must be the library's result,
stored, not a re-implementation)."""

from __future__ import annotations

import numpy as np
import pytest
from django.db import connection

from geo_bco.models import AnalysisRun, Incident
from services.jobs import create_run, execute_run
from services.jobs.cells import CellParams, cell_of, study_cells
from services.jobs.selection import IncidentFilter, belize_dates, load_incidents
from services.layers import REGISTRY
from services.params import ParameterError, parse
from services.projections import relation

from layer_runs import FAST_PARAMETERS
from spatial_analysis.clustering import density_clusters, nnh_clusters
from spatial_analysis.emerging import emerging_hot_spots
from spatial_analysis.hotspots import gi_star
from spatial_analysis.near_repeat import knox_test, near_repeat_labels

pytestmark = pytest.mark.postgis

@pytest.fixture
def incidents(reference_data, demo_incidents):
    demo_incidents(rows=600)


def run_of(kind: str, **filter_) -> AnalysisRun:
    return execute_run(create_run(kind, parameters=FAST_PARAMETERS[kind], input_filter=filter_).pk)


def rows(sql: str, params=()) -> list[tuple]:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def test_every_kind_is_in_the_fast_table():
    assert set(FAST_PARAMETERS) == set(REGISTRY)


@pytest.mark.parametrize("name", REGISTRY, ids=REGISTRY.keys())
def test_layer_kind_contract(incidents, name):
    kind = REGISTRY[name]
    run = run_of(name)
    assert run.status == AnalysisRun.Status.SUCCEEDED and run.input_count > 0, run.error
    assert run.log and run.label and run.resolved_parameters
    stored = kind.model.objects.filter(run=run)
    n = stored.count()
    assert n > 0
    assert all(g.valid and g.srid == 4326 for g in stored.values_list("geom", flat=True))
    # the analyst projection shows every row of the run, with the run on each row
    assert rows(f"SELECT count(*), min(run_id), max(run_id) FROM {relation('analyst', kind, runs=True)} "
                "WHERE run_id = %s", [run.pk]) == [(n, run.pk, run.pk)]
    assert rows(f"SELECT count(*) FROM {relation('analyst', kind, runs=False)}") == [(n,)]
    if kind.public:
        public = relation("public", kind, runs=False)
        assert rows(f"SELECT count(*) FROM {public}") == [(n,)]
        with connection.cursor() as cur:
            cur.execute(f"SELECT * FROM {public} LIMIT 0")
            columns = {c.name for c in cur.description}
        assert columns == {*kind.public_columns, "run_id", "run_label", "run_finished_at", "run_input_count",
                           "run_parameters", "run_filter", "geom"}
    # re-executing a succeeded run writes nothing twice
    execute_run(run.pk)
    assert kind.model.objects.filter(run=run).count() == n
    # the legend is computed from the data
    legend = kind.legend(list(stored.values()))
    assert legend.classes and all(c.color.startswith("#") for c in legend.classes)


@pytest.mark.parametrize("name", REGISTRY, ids=REGISTRY.keys())
def test_bad_parameters_are_refused_before_anything_is_written(incidents, name):
    kind = REGISTRY[name]
    with pytest.raises(ParameterError, match="unknown parameter; allowed"):
        create_run(name, parameters={"nope": 1})
    with pytest.raises(ParameterError, match="filter"):
        create_run(name, input_filter={"since": "2099-01-01"})  # an empty selection
    assert not AnalysisRun.objects.exists() and not kind.model.objects.exists()


@pytest.mark.parametrize("name, parameters, words", [
    ("kde", {"bandwidth": -1}, "bandwidth: must be greater than 0"),
    ("clusters", {"eps": 0}, "eps: must be greater than 0"),
    ("near-repeat", {"permutations": 0}, "permutations: must be at least 9"),
    ("hotspots", {"cells": "circles"}, "cells: 'circles' is not allowed; choose one of hexagon, square, boundary"),
    ("area-counts", {"boundary_set": "wards"}, "boundary_set: no boundary set 'wards' is loaded"),
], ids=["negative-bandwidth", "eps-0", "no-permutations", "unknown-cells", "unknown-boundary-set"])
def test_out_of_range_values_name_the_parameter(incidents, name, parameters, words):
    with pytest.raises(ParameterError, match=words):
        create_run(name, parameters=parameters)


def test_unknown_method_and_filter_values_are_refused(incidents):
    with pytest.raises(ParameterError, match="unknown analysis method 'magic'; known: kde"):
        create_run("magic")
    with pytest.raises(ParameterError, match="unknown offence 'arson'"):
        create_run("kde", input_filter={"offences": ["arson"]})
    with pytest.raises(ParameterError, match="no boundary 'districts:XX'"):
        create_run("kde", input_filter={"boundary": "districts:XX"})


def test_the_api_form_refuses_bad_input_before_anything_is_queued(incidents, client):
    from django.contrib.auth.models import User
    from procrastinate.contrib.django.models import ProcrastinateJob

    from geo_bco.roles import grant

    body = {"method": "kde", "parameters": {"bandwidth": -1}}
    assert client.post("/api/runs/", body, content_type="application/json").status_code in (401, 403)
    commander, analyst = User.objects.create_user("commander"), User.objects.create_user("analyst")
    grant(commander, "commander")
    grant(analyst, "analyst")  # the analyst role may queue runs; a commander may not
    client.force_login(commander)
    assert client.post("/api/runs/", body, content_type="application/json").status_code == 403
    client.force_login(analyst)
    for sent, name, words in [
        (body, "bandwidth", "bandwidth: must be greater than 0; got -1"),
        ({"method": "clusters", "parameters": {"eps": 0}}, "eps", "eps: must be greater than 0"),
        ({"method": "magic"}, "method", "unknown analysis method 'magic'; known: kde"),
        ({"method": "kde", "parameters": {"nope": 1}}, "nope", "nope: unknown parameter; allowed: bandwidth"),
        ({"method": "kde", "filter": {"since": "2099-01-01"}}, "filter", "the filter selects no incidents"),
    ]:
        response = client.post("/api/runs/", sent, content_type="application/json")
        assert response.status_code == 400 and list(response.json()) == [name], response.content
        assert words in response.json()[name][0]
    assert not AnalysisRun.objects.exists() and not ProcrastinateJob.objects.exists()
    queued = client.post("/api/runs/", {"method": "kde", "parameters": {"bandwidth": 1500}},
                         content_type="application/json")
    assert queued.status_code == 202
    run = AnalysisRun.objects.get()
    assert (run.status, run.parameters, run.job_id) == ("queued", {"bandwidth": 1500}, queued.json()["job_id"])


def test_a_method_minimum_fails_the_run_with_a_plain_reason(incidents):
    run = create_run("hotspots", parameters={"cells": "boundary"})  # 6 districts: OHSA needs 30 cells
    with pytest.raises(ValueError):
        execute_run(run.pk)
    run.refresh_from_db()
    assert run.status == AnalysisRun.Status.FAILED
    assert run.error == "only 6 cell(s) can be analysed; Optimized Hot Spot Analysis needs at least 30 (min_features)"


def test_hotspots_on_the_six_districts_with_a_given_distance_equal_gi_star(incidents):
    """OHSA's 30-cell minimum is its scale rule's: with a distance given, Gi* runs on any polygons."""
    parameters = {"cells": "boundary", "distance": 60000}
    run = execute_run(create_run("hotspots", parameters=parameters).pk)
    cells = study_cells(parse(CellParams, {"cells": "boundary"}), parse(IncidentFilter, run.input_filter))
    pos = cell_of(cells, selection(run).xy)
    counts = np.bincount(pos[pos >= 0], minlength=len(cells))
    expected = gi_star(np.column_stack([cells.centroid.x, cells.centroid.y]), counts, distance=60000,
                       min_features=None)
    stored = dict(rows("SELECT cell, z_score FROM geo_bco_hotspotcell WHERE run_id = %s", [run.pk]))
    assert len(cells) == 6 and stored and run.resolved_parameters["scale_rule"] == "given"
    for cell, z in stored.items():
        assert z == pytest.approx(expected.z_scores[cell], rel=1e-12)


def selection(run: AnalysisRun):
    return load_incidents(parse(IncidentFilter, run.input_filter))


def test_hotspots_equal_gi_star_on_the_same_cells(incidents):
    run = run_of("hotspots")
    points = selection(run)
    cells = study_cells(parse(CellParams, {"cell_size": 2000}), parse(IncidentFilter, run.input_filter))
    pos = cell_of(cells, points.xy)
    counts = np.bincount(pos[pos >= 0], minlength=len(cells))
    expected = gi_star(np.column_stack([cells.centroid.x, cells.centroid.y]), counts)
    stored = dict(rows("SELECT cell, z_score FROM geo_bco_hotspotcell WHERE run_id = %s", [run.pk]))
    assert stored and len(stored) < len(cells)  # empty, non-significant cells are not stored
    cell_ids = np.fromiter(stored, dtype=int)
    np.testing.assert_allclose([stored[c] for c in cell_ids], expected.z_scores[cell_ids], rtol=1e-12)
    assert run.resolved_parameters["distance"] == pytest.approx(expected.distance)
    assert any("Scale of analysis" in line for line in run.log)  # OHSA's decision log is on the run


def test_hotspots_on_a_boundary_sets_polygons_equal_gi_star(incidents):
    """A loaded set of at least 30 polygons (OHSA's minimum; the six districts are too
    few): here a 6 x 6 fishnet over the incidents, loaded as a boundary set."""
    import geopandas as gpd
    import shapely
    from django.contrib.gis.geos import GEOSGeometry

    from boundaries.models import Boundary, BoundarySet

    xy = load_incidents(parse(IncidentFilter, {})).xy
    (x0, y0), size = xy.min(axis=0) - 1, (xy.max(axis=0) - xy.min(axis=0) + 2).max() / 6
    squares = gpd.GeoSeries([shapely.box(x0 + i * size, y0 + j * size, x0 + (i + 1) * size, y0 + (j + 1) * size)
                             for i in range(6) for j in range(6)], crs=32616)
    grid = BoundarySet.objects.create(slug="fishnet", name="Fishnet", source="test")
    for n, (utm, wgs84) in enumerate(zip(squares, squares.to_crs(4326))):
        Boundary.objects.create(boundary_set=grid, code=f"F{n:02}", name=f"square {n}", area_km2=utm.area / 1e6,
                                geom=GEOSGeometry(shapely.MultiPolygon([wgs84]).wkt, srid=4326))
    parameters = {"cells": "boundary", "boundary_set": "fishnet"}
    run = execute_run(create_run("hotspots", parameters=parameters).pk)
    cells = study_cells(parse(CellParams, parameters), parse(IncidentFilter, run.input_filter))
    pos = cell_of(cells, selection(run).xy)
    counts = np.bincount(pos[pos >= 0], minlength=len(cells))
    expected = gi_star(np.column_stack([cells.centroid.x, cells.centroid.y]), counts)
    stored = rows("SELECT cell, name, incident_count, z_score, confidence_bin FROM geo_bco_hotspotcell "
                  "WHERE run_id = %s ORDER BY cell", [run.pk])
    assert len(cells) == 36 and stored
    for cell, name, count, z, confidence in stored:
        assert (name, count, confidence) == (cells["name"][cell], counts[cell], expected.confidence_bins[cell])
        assert z == pytest.approx(expected.z_scores[cell], rel=1e-12)
    assert run.resolved_parameters["boundary_set"] == "fishnet" and run.resolved_parameters["n_cells"] == 36


def test_emerging_equals_the_library_on_the_same_cube(incidents):
    run = run_of("emerging")
    points = selection(run)
    cells = study_cells(parse(CellParams, {"cell_size": 3000}), parse(IncidentFilter, run.input_filter))
    months = belize_dates(points.times).astype("datetime64[M]").astype(int)
    first = months.max() - 23
    pos = cell_of(cells, points.xy)
    keep = (pos >= 0) & (months >= first)
    cube = np.zeros((len(cells), months.max() - first + 1))
    np.add.at(cube, (pos[keep], months[keep] - first), 1)
    busy = np.flatnonzero(cube.sum(axis=1) > 0)
    expected = emerging_hot_spots(np.column_stack([cells.centroid.x, cells.centroid.y])[busy], cube[busy])
    stored = dict(rows("SELECT cell, category FROM geo_bco_emergingcell WHERE run_id = %s", [run.pk]))
    assert [stored[c] for c in busy] == list(expected.category)


def test_clusters_equal_dbscan_and_carry_dates_and_main_offence(incidents):
    run = run_of("clusters")
    points = selection(run)
    expected = density_clusters(points.xy, method="dbscan", eps=400, min_samples=5)
    stored = rows("SELECT cluster, incident_count, first_date, last_date, main_offence, incident_share "
                  "FROM geo_bco_clusterpolygon WHERE run_id = %s ORDER BY cluster", [run.pk])
    assert [r[1] for r in stored] == expected.clusters["n_points"].tolist()
    for cluster, count, first, last, offence, share in stored:
        members = expected.labels == cluster
        days = belize_dates(points.times[members])
        assert (first, last) == (days.min().item(), days.max().item())
        codes, n = np.unique(points.offences[members], return_counts=True)
        assert offence in codes[n == n.max()] and share == pytest.approx(count / len(points))


def test_clusters_equal_hdbscan_by_default(incidents):
    run = execute_run(create_run("clusters", parameters={"min_cluster_size": 15}).pk)
    # min_samples shapes HDBSCAN's clusters too: it is on the run with the rest
    assert run.resolved_parameters == {"method": "hdbscan", "min_cluster_size": 15, "min_samples": 10, "hull": "convex"}
    expected = density_clusters(selection(run).xy, method="hdbscan", min_cluster_size=15, min_samples=10)
    stored = rows("SELECT cluster, incident_count FROM geo_bco_clusterpolygon WHERE run_id = %s ORDER BY cluster",
                  [run.pk])
    assert stored and stored == list(zip(expected.clusters["cluster"].tolist(), expected.clusters["n_points"].tolist()))


def test_clusters_nnh_store_each_order_as_the_library_finds_it(incidents):
    run = execute_run(create_run("clusters", parameters={"method": "nnh", "min_points": 3}).pk)
    area = rows("SELECT sum(ST_Area(ST_Transform(b.geom, 32616))) FROM boundaries_boundary b "
                "JOIN boundaries_boundaryset s ON s.id = b.boundary_set_id WHERE s.slug = 'country'")[0][0]
    expected = nnh_clusters(selection(run).xy, probability=0.1, min_points=3, area=area, output="ellipse")
    stored = rows('SELECT "order", cluster, incident_count, area_km2 FROM geo_bco_clusterpolygon '
                  'WHERE run_id = %s ORDER BY "order", cluster', [run.pk])
    assert {r[0] for r in stored} >= {1, 2}  # first- and second-order clusters
    assert [list(r[:2]) for r in stored] == sorted(expected.clusters[["order", "cluster"]].values.tolist())
    # each cluster's incidents at its order (a second-order cluster counts the incidents of its first-order ones)
    assert [r[2] for r in stored] == [int((expected.order_labels[:, order - 1] == cluster).sum())
                                      for order, cluster, *_ in stored]
    ellipses = expected.clusters.sort_values(["order", "cluster"])
    np.testing.assert_allclose([r[3] for r in stored], ellipses.geometry.area / 1e6, rtol=1e-9)  # the library's ellipses
    assert any("NNH thresholds per order" in line for line in run.log)


def test_near_repeat_knox_table_and_labels_stay_with_analysts(incidents, client):
    run = run_of("near-repeat")
    points = selection(run)
    expected = knox_test(points.xy, belize_dates(points.times), permutations=19, random_state=2026)
    assert run.summary["knox"]["observed"] == expected.observed.tolist()
    labels = near_repeat_labels(points.xy, belize_dates(points.times), label_distance=100, label_days=7)
    assert rows("SELECT incident_id, label FROM geo_bco_nearrepeatlabel WHERE run_id = %s ORDER BY incident_id",
                [run.pk]) == list(zip(points.ids.tolist(), labels.tolist()))
    assert not REGISTRY["near-repeat"].public  # exact points: no public projection exists
    csv = client.get(f"/api/runs/{run.pk}/knox.csv").content.decode()
    assert csv.splitlines()[0] == "distance_band,time_band,observed,expected,knox_ratio,p_value"
    assert len(csv.splitlines()) == 1 + expected.observed.size


def test_area_counts_equal_a_sql_count_with_rates_and_previous_period(incidents):
    run = run_of("area-counts")
    cayo = rows("SELECT period_start, period_end, incident_count, previous_count, pct_change, rate_per_100k, "
                "population, population_year FROM geo_bco_areacount WHERE run_id = %s AND code = 'BZ-CY' "
                "AND category = 'all' AND period = 'ytd'", [run.pk])
    (start, end, count, previous, pct, rate, population, year), = cayo
    assert count == Incident.objects.filter(
        district__code="BZ-CY", offence__sensitive=False, occurred_at__date__gte=start,
        occurred_at__date__lte=end).count()
    assert rate == pytest.approx(1e5 * count / population) and year == 2010
    assert pct == (pytest.approx(100 * (count - previous) / previous) if previous else None)
    periods = {r[0] for r in rows("SELECT DISTINCT period FROM geo_bco_areacount WHERE run_id = %s", [run.pk])}
    assert periods == {"month", "28d", "ytd"}


def test_forecast_writes_the_winners_top_cells_and_keeps_the_leaderboard(reference_data, demo_incidents):
    demo_incidents(rows=1500, days=730)
    run = run_of("forecast")
    selection = run.summary["selection"]
    assert run.resolved_parameters["winner"] == selection["method"]
    assert {row["candidate"] for row in run.summary["leaderboard"]} >= {"prior counts"}
    shares = dict(rows("SELECT top_share, count(*) FROM geo_bco_forecastcell WHERE run_id = %s GROUP BY 1", [run.pk]))
    assert set(shares) <= {0.01, 0.03, 0.05} and sum(shares.values()) > 0
    ranks = [r[0] for r in rows("SELECT rank FROM geo_bco_forecastcell WHERE run_id = %s ORDER BY score DESC",
                                [run.pk])]
    assert ranks == sorted(ranks) == list(range(1, len(ranks) + 1))
    legend = REGISTRY["forecast"].legend(rows_of_view("public_forecast"))
    assert "Chosen by backtest" in legend.note and selection["method"] in legend.note


def rows_of_view(view: str) -> list[dict]:
    with connection.cursor() as cur:
        cur.execute(f"SELECT * FROM {view}")
        names = [c.name for c in cur.description]
        return [dict(zip(names, r)) for r in cur.fetchall()]
