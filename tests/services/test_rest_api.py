"""The public REST API (django-rest-framework-gis) the web map reads."""

from __future__ import annotations

import pytest

from services.jobs import create_run, execute_run
from services.projections import refresh_incidents

pytestmark = pytest.mark.postgis


def test_districts_are_a_feature_collection_with_population(client, reference_data):
    body = client.get("/api/districts/").json()
    assert body["type"] == "FeatureCollection" and len(body["features"]) == 6
    cayo = next(f for f in body["features"] if f["properties"]["code"] == "BZ-CY")
    assert cayo["geometry"]["type"] == "MultiPolygon"
    assert cayo["properties"]["population"] == 75046 and cayo["properties"]["population_year"] == 2010


def test_incidents_page_and_bbox(client, reference_data, demo_incidents):
    demo_incidents(rows=1500, days=31)  # dense enough that many cells hold the public minimum
    refresh_incidents()
    first = client.get("/api/incidents/", {"page_size": 10}).json()
    assert first["type"] == "FeatureCollection" and len(first["features"]) == 10
    assert first["count"] > 30 and first["next"]
    bbox = (-88.35, 17.40, -88.10, 17.60)
    inside = client.get("/api/incidents/", {"in_bbox": ",".join(map(str, bbox)), "page_size": 10000}).json()
    assert 0 < inside["count"] < first["count"]
    for feature in inside["features"]:
        lon, lat = feature["geometry"]["coordinates"]
        assert bbox[0] <= lon <= bbox[2] and bbox[1] <= lat <= bbox[3]


def test_hostile_bbox_is_a_client_error(client, reference_data):
    response = client.get("/api/incidents/", {"in_bbox": "1,2,3;DROP TABLE geo_bco_incident"})
    assert response.status_code == 400


def test_kde_layer_lists_latest_run_bands_hottest_last(client, reference_data, demo_incidents):
    assert client.get("/api/layers/kde/").json()["features"] == []
    demo_incidents(rows=200)
    run = execute_run(create_run("kde", parameters={"bandwidth": 2000}).pk)
    features = client.get("/api/layers/kde/").json()["features"]
    assert [f["properties"]["band"] for f in features] == [3, 2, 1]
    assert {f["properties"]["run_id"] for f in features} == {run.pk}
