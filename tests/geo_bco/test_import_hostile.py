"""Hostile exports, one small file per class of input that once crashed an import or
stored an impossible point: each now ends as a tally that adds up or a refusal naming
the file, and no impossible point reaches the database."""

from __future__ import annotations

import logging

import pytest
import shapely
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction

from geo_bco.ingest import ReadError, import_file, loading
from geo_bco.ingest.profiles import load_profile
from geo_bco.models import ImportBatch, Incident, RejectedRow

pytestmark = [pytest.mark.postgis, pytest.mark.usefixtures("reference_data")]

HEADER = "source_id,offence,occurred_at,latitude,longitude\n"
GOOD = "G1,theft,2025-03-01 10:00,17.2510,-88.7590\n"  # Belmopan
UTM_HEADER = "source_id,offence,occurred_at,easting,northing\n"
UTM_GOOD = "U1,theft,2025-01-01 10:00,290500,1908700\n"  # near Belmopan


def codes(result) -> dict[int, set[tuple[str, str]]]:
    return {r.row_number: {(x["field"], x["code"]) for x in r.reasons}
            for r in RejectedRow.objects.filter(batch_id=result.batch_id)}


def adds_up(result) -> bool:
    return result.rows_total == result.inserted + result.updated + result.unchanged + result.rejected


# --- dates with different UTC offsets in one column -------------------------------------

def test_mixed_utc_offsets_are_each_read_as_an_aware_time(write_csv):
    content = HEADER + (
        "D1,theft,2025-03-01 10:00,17.25,-88.76\n"           # naive: Belize time, UTC-6
        "D2,theft,2025-03-01T10:00:00Z,17.25,-88.76\n"       # UTC
        "D3,theft,2025-03-01T10:00:00-06:00,17.25,-88.76\n"  # Belize offset written out
        "D4,theft,2025-03-01T10:00+0530,17.25,-88.76\n"      # compact offset
        "D5,theft,2025-03-01,17.25,-88.76\n")                # a date alone: midnight in Belize
    result = import_file(write_csv(content), source_system="rms")
    assert (result.inserted, result.rejected) == (5, 0)
    utc = {sid: t.isoformat() for sid, t in Incident.objects.values_list("source_id", "occurred_at")}
    assert utc == {"D1": "2025-03-01T16:00:00+00:00", "D2": "2025-03-01T10:00:00+00:00",
                   "D3": "2025-03-01T16:00:00+00:00", "D4": "2025-03-01T04:30:00+00:00",
                   "D5": "2025-03-01T06:00:00+00:00"}


# --- newline conventions --------------------------------------------------------------------

@pytest.mark.parametrize("newline", ["\r", "\r\n", "\n"], ids=["lone-cr", "crlf", "lf"])
def test_any_newline_convention_for_the_whole_file(write_csv, newline):
    rows = HEADER + GOOD + "G2,burglary,2025-03-02 11:00,17.4995,-88.1976\n"
    result = import_file(write_csv(rows.replace("\n", newline)), source_system="rms")
    assert (result.rows_total, result.inserted, result.rejected) == (2, 2, 0)


def test_lone_cr_file_with_a_quoted_newline_keeps_row_numbers(write_csv):
    content = (HEADER.rstrip("\n") + ",place\r" + GOOD.rstrip("\n") + ',"a\rb"\r'
               + "B1,nonsense,2025-03-01 10:00,17.25,-88.76,x\r")
    result = import_file(write_csv(content), source_system="rms")
    assert (result.inserted, result.rejected) == (1, 1)
    assert codes(result) == {2: {("offence", "unknown_offence")}}


# --- control characters anywhere in the file ----------------------------------------------

FILLER = "".join(f"F{i},theft,2025-03-01 10:00,17.25,-88.76\n" for i in range(200))  # > 4 KB: past the binary sniff


@pytest.mark.parametrize("reader", ["fast", "careful"])
def test_nul_far_into_the_file_rejects_only_its_row(write_csv, reader):
    blank = "\n" if reader == "careful" else ""  # a blank line sends the file to the careful reader
    content = HEADER + FILLER + blank + "N1,theft,2025-03-01 10:00,17.25,-88.76\x00\n"
    path = write_csv(content)
    assert content.index("\x00") > 4096
    result = import_file(path, source_system="rms")
    assert (result.rows_total, result.inserted, result.rejected) == (201, 200, 1)
    row = RejectedRow.objects.get(batch_id=result.batch_id)
    assert row.row_number == 201 and row.raw["longitude"] == "-88.76"  # NUL removed from the kept copy
    (reason,) = row.reasons
    assert (reason["field"], reason["code"]) == ("longitude", "control_character")
    assert "U+0000" in reason["message"]


def test_a_stray_nul_near_the_start_rejects_only_its_row(write_csv):
    """One NUL in a text file is a field's control character wherever it is, not a binary file."""
    content = HEADER + "N0,theft,2025-03-01 10:00,17.25,-88.76\x00\n" + FILLER
    assert content.index("\x00") < 100
    result = import_file(write_csv(content), source_system="rms")
    assert (result.rows_total, result.inserted, result.rejected) == (201, 200, 1)
    assert codes(result) == {1: {("longitude", "control_character")}}


def test_nul_in_a_row_rejected_for_another_reason_is_stored(write_csv):
    content = HEADER + FILLER + "N2,no\x00such,2025-03-01 10:00,17.25,-88.76\n"
    result = import_file(write_csv(content), source_system="rms")
    assert (result.inserted, result.rejected) == (200, 1)
    assert codes(result) == {201: {("offence", "control_character"), ("offence", "unknown_offence")}}
    assert RejectedRow.objects.get(batch_id=result.batch_id).raw["offence"] == "nosuch"


def test_other_control_characters_are_rejected_and_kept_verbatim(write_csv):
    content = HEADER + GOOD + "E1,theft\x1b[31m,2025-03-01 10:00,17.25,-88.76\n" + "E2,theft,2025-03-01 10:00\x7f,17.25,-88.76\n"
    result = import_file(write_csv(content), source_system="rms")
    assert (result.inserted, result.rejected) == (1, 2)
    assert {("offence", "control_character"), ("occurred_at", "control_character")} <= set().union(*codes(result).values())
    assert RejectedRow.objects.get(batch_id=result.batch_id, row_number=2).raw["offence"] == "theft\x1b[31m"


def test_control_character_in_the_header_refuses_the_file(write_csv):
    path = write_csv("source_id,off\x01ence,occurred_at,latitude,longitude\n" + GOOD)
    with pytest.raises(ReadError, match=rf"{path}: header column 2 .* control character U\+0001"):
        import_file(path, source_system="rms")
    assert not ImportBatch.objects.exists()


# --- coordinates that are not a place on Earth ------------------------------------------

@pytest.mark.parametrize(("easting", "northing"), [("290500", "-inf"), ("inf", "1908700"), ("-inf", "-inf"),
                                                   ("1e308", "1908700"), ("1e20", "1e20"), ("290500", "1e999")],
                         ids=["northing-minus-inf", "easting-inf", "both-minus-inf", "1e308", "1e20", "overflow"])
def test_non_finite_or_out_of_range_utm_is_rejected_before_any_point(write_csv, easting, northing):
    result = import_file(write_csv(UTM_HEADER + UTM_GOOD + f"X1,theft,2025-01-01 10:00,{easting},{northing}\n"),
                         source_system="rms")
    assert (result.inserted, result.rejected) == (1, 1) and adds_up(result)
    (found,) = codes(result).values()
    assert {code for _, code in found} == {"coordinate_out_of_range"}
    assert all(field in ("easting", "northing", "easting/northing") for field, _ in found)
    assert list(Incident.objects.values_list("source_id", flat=True)) == ["U1"]


@pytest.mark.parametrize(("lat", "lon"), [("inf", "-88.76"), ("17.25", "-inf"), ("1e308", "1e308")],
                         ids=["lat-inf", "lon-minus-inf", "1e308"])
def test_non_finite_latitude_longitude_is_rejected(write_csv, lat, lon):
    result = import_file(write_csv(HEADER + GOOD + f"X2,theft,2025-01-01 10:00,{lat},{lon}\n"), source_system="rms")
    assert (result.inserted, result.rejected) == (1, 1)
    (found,) = codes(result).values()
    assert {code for _, code in found} == {"coordinate_out_of_range"}
    assert Incident.objects.count() == 1


def test_latitude_longitude_out_of_range_names_both_values(write_csv):
    result = import_file(write_csv(HEADER + "X3,theft,2025-01-01 10:00,95,-88.76\n"), source_system="rms")
    (reason,) = RejectedRow.objects.get(batch_id=result.batch_id).reasons
    assert (reason["field"], reason["code"]) == ("latitude/longitude", "coordinate_out_of_range")
    assert "'95'" in reason["message"] and "'-88.76'" in reason["message"]


def test_utm_pair_given_the_wrong_way_round_is_out_of_range(write_csv):
    result = import_file(write_csv(UTM_HEADER + "W1,theft,2025-01-01 10:00,1908700,290500\n"), source_system="rms")
    (reason,) = RejectedRow.objects.get(batch_id=result.batch_id).reasons
    assert (reason["field"], reason["code"]) == ("easting/northing", "coordinate_out_of_range")
    assert "'1908700'" in reason["message"]


# --- a first line past the size limits --------------------------------------------------

def test_two_megabyte_first_line_without_newline_is_refused_naming_the_file(write_csv):
    path = write_csv("x" * (2 * 1024 * 1024))
    with pytest.raises(ReadError, match=rf"{path}: line 1 holds 2,097,152 characters"):
        import_file(path, source_system="rms")
    assert not ImportBatch.objects.exists()


def test_header_within_the_limit_followed_by_rows_still_loads(write_csv):
    wide = HEADER.rstrip("\n") + ",notes\n" + GOOD.rstrip("\n") + "," + "n" * 9_000 + "\n"
    assert import_file(write_csv(wide), source_system="rms").inserted == 1


# --- header case and spacing -------------------------------------------------------------

def test_headers_match_whatever_their_case_and_spacing(write_csv):
    content = "Source_ID, OFFENCE ,Occurred_At,LATITUDE,Longitude\n" + GOOD
    result = import_file(write_csv(content), source_system="rms")
    assert (result.inserted, result.rejected) == (1, 0)


def test_profile_columns_match_whatever_their_case_and_spacing(write_csv):
    content = "REPORT NO,crime type,Date  Committed,latitude,LONGITUDE\nBPD-9,BURG,01/03/2025,17.2510,-88.7590\n"
    result = import_file(write_csv(content), profile=load_profile("bpd-rms"))
    assert (result.inserted, result.rejected) == (1, 0)
    assert Incident.objects.get(source_id="BPD-9").offence.code == "burglary"


def test_headers_that_differ_only_in_case_are_warned_about(write_csv):
    path = write_csv("source_id,offence,Offence,occurred_at,latitude,longitude\nC1,theft,nonsense,2025-03-01 10:00,17.25,-88.76\n")
    result = import_file(path, source_system="rms")
    assert result.inserted == 1  # the exact spelling wins
    assert Incident.objects.get(source_id="C1").offence.code == "theft"
    assert any(str(path) in m and "'offence', 'Offence'" in m and "differ only in case" in m for m in result.messages)


# --- over-long place names ----------------------------------------------------------------

def test_place_name_over_200_characters_is_rejected_and_kept_whole(write_csv):
    place = "Belmopan " + "x" * 300
    result = import_file(write_csv(HEADER.rstrip("\n") + ",place\n" + GOOD.rstrip("\n") + f",{place}\n"),
                         source_system="rms")
    assert (result.inserted, result.rejected) == (0, 1)
    (reason,) = RejectedRow.objects.get(batch_id=result.batch_id).reasons
    assert (reason["field"], reason["code"]) == ("place", "field_too_long") and "309" in reason["message"]
    assert RejectedRow.objects.get(batch_id=result.batch_id).raw["place"] == place


# --- the database refuses an impossible point whatever the code path ---------------------

def _insert_incident(point_sql: str) -> None:
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"""
            INSERT INTO geo_bco_incident (source_system, source_id, offence_id, occurred_at, location,
                geocode_precision, geocode_method, place_name, content_hash, created_at, updated_at)
            SELECT 'hand', 'h1', min(id), now(), {point_sql}, 'exact', 'hand', '', '', now(), now()
            FROM geo_bco_offencetype""")


@pytest.mark.parametrize("point", [
    "ST_SetSRID(ST_MakePoint('Infinity', 'Infinity'), 4326)", "ST_SetSRID(ST_MakePoint('NaN', 17), 4326)",
    "ST_SetSRID(ST_MakePoint(-88.76, '-Infinity'), 4326)", "'SRID=4326;POINT EMPTY'::geometry",
    "ST_SetSRID(ST_MakePoint(10, 45), 4326)",  # Europe: finite, but nowhere near the service area
], ids=["infinity", "nan", "minus-infinity", "empty", "europe"])
def test_check_constraint_refuses_an_impossible_point_inserted_by_hand(point):
    with pytest.raises(IntegrityError, match="incident_location_in_envelope"):
        _insert_incident(point)
    assert not Incident.objects.exists()


def test_check_constraint_admits_a_point_in_belize():
    _insert_incident("ST_SetSRID(ST_MakePoint(-88.76, 17.25), 4326)")
    assert Incident.objects.count() == 1


# --- the guard: an exception nobody foresaw ends as a failed batch -----------------------

def test_unforeseen_failure_becomes_a_failed_batch_naming_the_file(write_csv, monkeypatch, caplog):
    # a validator that lets a far-away point through (the area test gone wrong): the CHECK refuses it
    world = shapely.box(-1e9, -1e9, 1e9, 1e9)
    monkeypatch.setattr(loading, "belize_area_utm", lambda: world)
    path = write_csv(HEADER + GOOD + "EU,theft,2025-03-01 10:00,45.0,10.0\n")
    with caplog.at_level(logging.ERROR, logger="geo_bco.ingest.loading"):
        result = import_file(path, source_system="rms")
    assert str(path) in result.error and "IntegrityError" in result.error
    batch = ImportBatch.objects.get(pk=result.batch_id)
    assert (batch.status, batch.error) == (ImportBatch.Status.FAILED, result.error)
    assert not Incident.objects.exists()  # the good row rolled back with the rest: nothing half-stored
    assert any(record.exc_info and str(path) in record.getMessage() for record in caplog.records)
    with pytest.raises(CommandError, match="import failed"):
        call_command("import_incidents", str(path), "--source", "rms", "--force")


def test_unforeseen_failure_in_copy_names_the_row(write_csv, monkeypatch):
    real_validate = loading.validate

    def leaky_validate(*args, **kwargs):  # a future validator forgetting the reader's NUL check
        checked = real_validate(*args, **kwargs)
        checked.accepted.loc[2, "place_name"] = "Bel\x00mopan"
        return checked

    monkeypatch.setattr(loading, "validate", leaky_validate)
    path = write_csv(HEADER + GOOD + "G2,theft,2025-03-02 10:00,17.25,-88.76\n")
    result = import_file(path, source_system="rms")
    assert result.error.startswith(f"{path}: row 2: import failed")
    assert not Incident.objects.exists()
