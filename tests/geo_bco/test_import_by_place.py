"""Rows located by place name only: the gazetteer path of the importer, end to end."""

from __future__ import annotations

import pytest

from geo_bco.gazetteer import load_belize_gazetteer
from geo_bco.ingest import import_file
from geo_bco.models import Incident, RejectedRow

pytestmark = pytest.mark.postgis

HEADER = "source_id,offence,occurred_at,place,district\n"


@pytest.fixture
def gazetteer(reference_data):
    load_belize_gazetteer()


def imported(write_csv, rows: str):
    result = import_file(write_csv(HEADER + rows), source_system="rms")
    assert result.rows_total == result.inserted + result.updated + result.unchanged + result.rejected
    return result


def test_exact_and_variant_names_geocode_to_locality(write_csv, gazetteer):
    result = imported(write_csv, "P1,theft,2025-01-01 10:00,Orange Walk,\n"
                                 "P2,theft,2025-01-01 10:00,SAN IGNÁCIO,Cayo\n"
                                 "P3,theft,2025-01-01 10:00,Dangrega,\n")
    assert (result.inserted, result.rejected) == (3, 0)
    rows = {i.source_id: i for i in Incident.objects.all()}
    assert rows["P1"].district.name == "Orange Walk" and rows["P1"].geocode_precision == "locality"
    assert rows["P2"].district.name == "Cayo" and rows["P2"].geocode_method == "gazetteer-exact"
    assert rows["P3"].geocode_method == "gazetteer-fuzzy" and 87 <= rows["P3"].geocode_score < 100
    assert rows["P3"].district.name == "Stann Creek"


def test_a_name_in_several_districts_needs_the_district_column(write_csv, gazetteer):
    result = imported(write_csv, "D1,theft,2025-01-01 10:00,San Pedro,Corozal\n"
                                 "D2,theft,2025-01-01 10:00,San Pedro,Toledo\n"
                                 "D3,theft,2025-01-01 10:00,San Pedro,\n")
    assert (result.inserted, result.rejected) == (2, 1)
    assert Incident.objects.get(source_id="D1").district.name == "Corozal"
    assert Incident.objects.get(source_id="D2").district.name == "Toledo"
    reason = RejectedRow.objects.get(batch_id=result.batch_id).reasons[0]
    assert reason["code"] == "ambiguous_place" and "Toledo" in reason["message"]


def test_district_name_alone_is_district_precision(write_csv, gazetteer):
    imported(write_csv, "Z1,theft,2025-01-01 10:00,Cayo District,\n")
    incident = Incident.objects.get(source_id="Z1")
    assert incident.geocode_precision == "district" and incident.district.name == "Cayo"


def test_unknown_place_is_rejected_with_suggestions(write_csv, gazetteer):
    result = imported(write_csv, "U1,theft,2025-01-01 10:00,Atlantis,\n")
    reason = RejectedRow.objects.get(batch_id=result.batch_id).reasons[0]
    assert reason["field"] == "place" and reason["code"] == "unknown_place"


def test_coordinates_win_over_the_place_name(write_csv, gazetteer):
    content = "source_id,offence,occurred_at,latitude,longitude,place\nC1,theft,2025-01-01 10:00,17.25,-88.76,Corozal\n"
    import_file(write_csv(content), source_system="rms")
    incident = Incident.objects.get(source_id="C1")
    assert (incident.geocode_precision, incident.district.name) == ("exact", "Cayo")


def test_district_precision_points_stay_out_of_point_analyses(write_csv, gazetteer):
    from services.jobs.selection import IncidentFilter, count_incidents

    imported(write_csv, "Z1,theft,2025-01-01 10:00,Cayo,\nZ2,theft,2025-01-01 10:00,Belmopan,\n")
    assert count_incidents(IncidentFilter(sensitive=True)) == 0  # neither is exact or address precision
