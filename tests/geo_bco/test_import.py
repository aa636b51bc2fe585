"""`bco import`: every row accounted for, bad input named by file/row/field, idempotent."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from geo_bco.ingest import ReadError, import_file
from geo_bco.models import ImportBatch, Incident, RejectedRow

pytestmark = [pytest.mark.postgis, pytest.mark.usefixtures("reference_data")]

HEADER = "source_id,offence,occurred_at,latitude,longitude,place\n"
GOOD = (
    "A1,burglary,2025-03-01 21:30,17.2510,-88.7590,Belmopan\n"       # Cayo
    "A2,Theft,2025-03-02T08:00:00,17.4995,-88.1976,Belize City\n"    # label, not code; Belize district
    "A3,robbery,2025-03-03 23:10,18.3930,-88.3880,Corozal Town\n"    # Corozal
)


def tally_adds_up(result) -> bool:
    return result.rows_total == result.inserted + result.updated + result.unchanged + result.rejected


def test_good_rows_are_inserted_with_district_by_spatial_join(write_csv):
    result = import_file(write_csv(HEADER + GOOD), source_system="rms")
    assert (result.inserted, result.rejected) == (3, 0)
    districts = dict(Incident.objects.values_list("source_id", "district__name"))
    assert districts == {"A1": "Cayo", "A2": "Belize", "A3": "Corozal"}


def test_times_are_read_as_belize_local_time(write_csv):
    import_file(write_csv(HEADER + GOOD), source_system="rms")
    occurred = Incident.objects.get(source_id="A1").occurred_at
    assert occurred.isoformat() == "2025-03-02T03:30:00+00:00"  # 21:30 at UTC-6


def test_point_just_off_the_generalised_coast_gets_nearest_district(write_csv):
    # Caye Caulker is 4.6 km outside the 1:10M outline; it belongs to Belize District.
    import_file(write_csv(HEADER + "C1,theft,2025-01-01 10:00,17.7425,-88.0250,Caye Caulker\n"), source_system="rms")
    assert Incident.objects.get(source_id="C1").district.name == "Belize"


def test_utm_16n_coordinates_are_accepted(write_csv):
    content = "source_id,offence,occurred_at,easting,northing\nU1,theft,2025-01-01 10:00,290500,1908700\n"
    result = import_file(write_csv(content), source_system="rms")
    assert result.inserted == 1
    incident = Incident.objects.get(source_id="U1")
    assert incident.geocode_method == "utm16n"
    assert incident.location.x == pytest.approx(-88.98, abs=0.05)
    assert incident.location.y == pytest.approx(17.25, abs=0.05)


BAD_ROWS = [
    ("B1,not-a-crime,2025-03-01 10:00,17.25,-88.76", "offence", "unknown_offence"),
    ("B2,theft,2025-02-30 10:00,17.25,-88.76", "occurred_at", "invalid_date"),
    ("B3,theft,2999-01-01 10:00,17.25,-88.76", "occurred_at", "future_date"),
    ("B4,theft,1850-01-01 10:00,17.25,-88.76", "occurred_at", "date_too_old"),
    ("B5,theft,2025-03-01 10:00,14.60,-90.50", "location", "outside_belize"),  # Guatemala City
    ("B6,theft,2025-03-01 10:00,17.00,-87.00", "location", "outside_belize"),  # open sea
    ("B7,theft,2025-03-01 10:00,abc,-88.76", "latitude", "invalid_number"),
    ("B8,theft,2025-03-01 10:00,95,-88.76", "latitude/longitude", "coordinate_out_of_range"),
    (",theft,2025-03-01 10:00,17.25,-88.76", "source_id", "required"),
]


@pytest.mark.parametrize(("line", "field", "code"), BAD_ROWS, ids=[code + "-" + line[:2] for line, _, code in BAD_ROWS])
def test_bad_row_is_rejected_with_field_and_code_while_good_rows_load(write_csv, line, field, code):
    result = import_file(write_csv(HEADER.replace(",place", "") + line + "\n" + GOOD.replace(",Belmopan", "")
                                   .replace(",Belize City", "").replace(",Corozal Town", "")), source_system="rms")
    assert (result.inserted, result.rejected) == (3, 1)
    assert tally_adds_up(result)
    rejected = RejectedRow.objects.get(batch_id=result.batch_id)
    assert rejected.row_number == 1
    assert {"field": field, "code": code} in [{k: r[k] for k in ("field", "code")} for r in rejected.reasons]
    assert rejected.raw["source_id"] == line.split(",")[0]  # the raw row is kept verbatim


def test_rejected_row_keeps_every_reason(write_csv):
    result = import_file(write_csv(HEADER + "X1,nonsense,never,999,-88,\n"), source_system="rms")
    codes = {r["code"] for r in RejectedRow.objects.get(batch_id=result.batch_id).reasons}
    assert codes == {"unknown_offence", "invalid_date", "coordinate_out_of_range"}


def test_missing_required_column_rejects_every_row_naming_file_and_column(write_csv):
    path = write_csv("source_id,occurred_at,latitude,longitude\nA1,2025-03-01 10:00,17.25,-88.76\n")
    result = import_file(path, source_system="rms")
    assert (result.rows_total, result.rejected) == (1, 1)
    assert str(path) in result.messages[0] and "'offence'" in result.messages[0]
    assert RejectedRow.objects.get(batch_id=result.batch_id).reasons[0]["code"] == "missing_column"


def test_duplicate_ids_inside_one_file_keep_the_first(write_csv):
    result = import_file(write_csv(HEADER + GOOD + "A1,theft,2025-03-05 10:00,17.25,-88.76,\n"), source_system="rms")
    assert (result.inserted, result.rejected) == (3, 1)
    reason = RejectedRow.objects.get(batch_id=result.batch_id).reasons[0]
    assert reason["code"] == "duplicate_id" and "row 1" in reason["message"]


def test_reimporting_the_same_file_changes_nothing(write_csv):
    path = write_csv(HEADER + GOOD + "B1,not-a-crime,2025-03-01 10:00,17.25,-88.76,\n")
    first = import_file(path, source_system="rms")
    snapshot = list(Incident.objects.order_by("id").values())
    again = import_file(path, source_system="rms")
    assert again.already_imported and again.batch_id == first.batch_id
    forced = import_file(path, source_system="rms", force=True)
    assert (forced.inserted, forced.updated, forced.unchanged, forced.rejected) == (0, 0, 3, 1)
    assert list(Incident.objects.order_by("id").values()) == snapshot  # updated_at included: nothing rewritten


def test_changed_record_is_updated_not_duplicated(write_csv):
    import_file(write_csv(HEADER + GOOD, name="first.csv"), source_system="rms")
    corrected = GOOD.replace("A1,burglary", "A1,robbery")
    result = import_file(write_csv(HEADER + corrected, name="second.csv"), source_system="rms")
    assert (result.inserted, result.updated, result.unchanged) == (0, 1, 2)
    assert Incident.objects.count() == 3
    assert Incident.objects.get(source_id="A1").offence.code == "robbery"


def test_same_id_from_another_source_is_another_incident(write_csv):
    path = write_csv(HEADER + GOOD)
    import_file(path, source_system="rms")
    import_file(path, source_system="traffic")
    assert Incident.objects.count() == 6


def test_windows_1252_file_is_read_and_accents_kept(write_csv):
    content = HEADER + "W1,theft,2025-03-01 10:00,16.97,-88.23,Dangriga \u2013 Caf\u00e9\n"
    result = import_file(write_csv(content, encoding="cp1252"), source_system="rms")
    assert result.inserted == 1
    assert Incident.objects.get(source_id="W1").place_name == "Dangriga \u2013 Caf\u00e9"


def test_semicolon_delimited_file_with_bom(write_csv):
    content = "\ufeff" + (HEADER + GOOD).replace(",", ";")
    assert import_file(write_csv(content), source_system="rms").inserted == 3


def test_undecodable_file_names_file_and_line(write_csv):
    path = write_csv(HEADER.encode() + GOOD.encode() + b"Z1,theft,2025-03-01 10:00,17.25,-88.76,\x81\x8d\n")
    with pytest.raises(ReadError, match=rf"{path}: line 5: byte 0x81"):
        import_file(path, source_system="rms")
    assert not ImportBatch.objects.exists()


def test_binary_file_is_refused(write_csv):
    with pytest.raises(ReadError, match="binary content"):
        import_file(write_csv(b"PK\x03\x04\x00\x00binary"), source_system="rms")


def test_header_only_file_imports_zero_rows(write_csv):
    result = import_file(write_csv(HEADER), source_system="rms")
    assert (result.rows_total, result.inserted, result.rejected) == (0, 0, 0)


def test_ragged_row_is_rejected(write_csv):
    result = import_file(write_csv(HEADER + GOOD + "R1,theft\n"), source_system="rms")
    assert (result.inserted, result.rejected) == (3, 1)
    assert RejectedRow.objects.get(batch_id=result.batch_id).reasons[0]["code"] == "ragged_row"


def test_cli_prints_tally_and_rejected_rows(write_csv, capsys):
    path = write_csv(HEADER + GOOD + "B1,not-a-crime,2025-03-01 10:00,17.25,-88.76,\n")
    call_command("import_incidents", str(path), "--source", "rms")
    out = capsys.readouterr().out
    assert "4 rows: 3 inserted, 0 updated, 0 unchanged, 1 rejected" in out
    assert "row 4: offence: unknown offence 'not-a-crime'" in out


def test_cli_reports_unreadable_file_as_command_error(tmp_path):
    with pytest.raises(CommandError, match="cannot read"):
        call_command("import_incidents", str(tmp_path / "missing.csv"))


def test_file_without_any_location_columns_rejects_every_row(write_csv):
    result = import_file(write_csv("source_id,offence,occurred_at\nA1,theft,2025-03-01 10:00\n"), source_system="rms")
    assert (result.rows_total, result.rejected) == (1, 1)
    assert "no column a location" in result.messages[0]


def test_chunked_merge_gives_the_same_tally(write_csv, monkeypatch):
    from geo_bco.ingest import loading

    monkeypatch.setattr(loading, "CHUNK_ROWS", 2)  # 3 rows -> 2 chunks inside one transaction
    first = import_file(write_csv(HEADER + GOOD, name="a.csv"), source_system="rms")
    assert (first.inserted, first.updated) == (3, 0)
    second = import_file(write_csv(HEADER + GOOD.replace("A3,robbery", "A3,theft"), name="b.csv"), source_system="rms")
    assert (second.inserted, second.updated, second.unchanged) == (0, 1, 2)
    assert Incident.objects.count() == 3
