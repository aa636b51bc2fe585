"""Open data: each monthly archive holds exactly the month's public incidents, in CSV,
GeoJSON and GeoPackage alike, with the dictionary's columns and the licence on the page."""

from __future__ import annotations

import csv
import io

import geopandas as gpd
import pytest
from django.conf import settings
from django.db import connection

from services.opendata import DICTIONARY, FORMATS
from services.projections import refresh_incidents

pytestmark = pytest.mark.postgis
COLUMNS = [c for c, _, _ in DICTIONARY]


@pytest.fixture
def month(reference_data, demo_incidents):
    demo_incidents(rows=1500, days=90)  # dense enough for cells of at least k
    refresh_incidents()
    return "2026-08"


def public_month(month: str) -> list[tuple]:
    with connection.cursor() as cur:
        cur.execute("SELECT id, round(ST_X(geom)::numeric, 6)::float, round(ST_Y(geom)::numeric, 6)::float "
                    "FROM public_incidents WHERE to_char(period_start, 'YYYY-MM') = %s ORDER BY id", [month])
        return cur.fetchall()


def test_the_three_formats_hold_the_months_public_incidents(client, month, tmp_path):
    expected = public_month(month)
    assert expected
    rows = list(csv.DictReader(io.StringIO(client.get(f"/data/{month}/incidents.csv").content.decode())))
    assert list(rows[0]) == COLUMNS
    assert sorted((int(r["id"]), float(r["longitude"]), float(r["latitude"])) for r in rows) == expected
    assert all(r["period_start"].startswith(month) and int(r["incident_count"]) >= settings.BCO_PUBLIC_MIN_COUNT
               for r in rows)
    for fmt in ("geojson", "gpkg"):
        path = tmp_path / f"incidents.{fmt}"
        path.write_bytes(client.get(f"/data/{month}/incidents.{fmt}").content)
        frame = gpd.read_file(path)
        assert frame.crs.to_epsg() == 4326 and list(frame.columns) == [*COLUMNS, "geometry"]
        assert sorted(zip(frame["id"], frame.geometry.x.round(6), frame.geometry.y.round(6))) == expected


def test_index_lists_months_dictionary_and_licence(client, month):
    page = client.get("/data/").content.decode()
    assert f"/data/{month}/incidents.gpkg" in page and "CC BY 4.0" in page
    assert all(f"<code>{c}</code>" in page for c in COLUMNS)


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_a_month_the_archive_does_not_hold_is_404_not_an_empty_file(client, month, fmt):
    assert client.get(f"/data/2031-01/incidents.{fmt}").status_code == 404
    assert client.get(f"/data/{month}/incidents.{fmt}").status_code == 200


@pytest.mark.parametrize("url", ["/data/2026-13/incidents.csv", "/data/2026-08/incidents.shp", "/data/x/incidents.csv"],
                         ids=["month 13", "unknown format", "not a month"])
def test_bad_archive_names_are_404(client, db, url):
    assert client.get(url).status_code == 404
