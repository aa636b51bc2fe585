"""Every export format, mapping profiles, the territorial-waters rule and hostile files."""

from __future__ import annotations

import geopandas as gpd
import openpyxl
import pytest
from shapely.geometry import LineString, Point

from geo_bco.ingest import ReadError, import_file
from geo_bco.ingest.profiles import ProfileError, load_profile
from geo_bco.models import Incident, RejectedRow

pytestmark = [pytest.mark.postgis, pytest.mark.usefixtures("reference_data")]

HEADER = "source_id,offence,occurred_at,latitude,longitude\n"


def reasons(result) -> dict[int, set[str]]:
    return {r.row_number: {x["code"] for x in r.reasons} for r in RejectedRow.objects.filter(batch_id=result.batch_id)}


# --- formats ---------------------------------------------------------------------------

def test_xlsx_with_real_dates_numbers_and_a_formula_cell(tmp_path):
    from datetime import datetime

    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["source_id", "offence", "occurred_at", "latitude", "longitude"])
    ws.append([1001, "burglary", datetime(2025, 3, 1, 21, 30), 17.251, -88.759])
    ws.append(["X2", "theft", "2025-03-02 08:00", 17.4995, -88.1976])
    ws.append(["X3", '=HYPERLINK("http://evil.example","click")', "2025-03-03 10:00", 17.25, -88.76])
    ws.append(["X4", "theft", "2025-03-03 10:00", "=1+1", -88.76])
    path = tmp_path / "export.xlsx"
    book.save(path)
    result = import_file(path, source_system="rms")
    assert (result.rows_total, result.inserted, result.rejected) == (4, 2, 2)
    assert reasons(result) == {3: {"formula_cell", "unknown_offence"}, 4: {"formula_cell", "invalid_number"}}
    assert Incident.objects.get(source_id="1001").occurred_at.isoformat() == "2025-03-02T03:30:00+00:00"
    kept = RejectedRow.objects.get(batch_id=result.batch_id, row_number=3).raw
    assert kept["offence"].startswith("=HYPERLINK")  # kept verbatim as text, never evaluated


def test_not_really_an_xlsx_is_refused_with_the_file_named(write_csv):
    path = write_csv("source_id,offence\n", name="fake.xlsx")
    with pytest.raises(ReadError, match=r"fake.xlsx: not a readable .xlsx workbook"):
        import_file(path, source_system="rms")


@pytest.mark.parametrize(("suffix", "driver"), [(".geojson", "GeoJSON"), (".gpkg", "GPKG"), (".shp", "ESRI Shapefile")],
                         ids=["geojson", "gpkg", "shapefile"])
def test_vector_formats_take_their_point_geometry_in_any_crs(tmp_path, suffix, driver):
    frame = gpd.GeoDataFrame(
        {"source_id": ["V1", "V2", "V3"], "offence": ["robbery", "theft", "theft"],
         "when": ["2025-01-05 20:00", "2025-01-06 20:00", "2025-01-07 20:00"]},
        geometry=[Point(290500, 1908700), Point(370000, 1936000), LineString([(290500, 1908700), (290600, 1908800)])],
        crs=32616,
    )
    path = tmp_path / f"incidents{suffix}"
    if driver == "ESRI Shapefile":  # a shapefile holds one geometry type
        frame = frame.iloc[:2]
    frame.to_file(path, driver=driver)
    profile = tmp_path / "gis.toml"  # shapefile fields hold 10 characters: name the date column briefly
    profile.write_text('source_system = "gis"\n[columns]\noccurred_at = "when"\n')
    result = import_file(path, profile=load_profile(profile))
    assert result.inserted == 2
    v1 = Incident.objects.get(source_id="V1")
    assert v1.geocode_method == "geometry" and v1.district.name == "Cayo"
    assert v1.location.x == pytest.approx(-88.98, abs=0.05)
    if len(frame) == 3:
        assert reasons(result) == {3: {"not_a_point"}}


# --- profiles ----------------------------------------------------------------------------

BPD = ("Report No,Crime Type,Date Committed,Time Committed,Latitude,Longitude,Easting,Northing,Location,Formation\n"
       "BPD-1,BURG,01/03/2025,2130,17.2510,-88.7590,,,,\n"
       "BPD-2,Theft of M/V,02/03/2025,0815,,,290500,1908700,,\n"
       "BPD-3,MURDER,03-Mar-25,,,,,,,\n"
       "BPD-4,UNHEARD OF,04/03/2025,1000,17.25,-88.76,,,,\n")


def test_shipped_bpd_profile_maps_columns_codes_dates_and_times(write_csv):
    result = import_file(write_csv(BPD), profile=load_profile("bpd-rms"))
    assert (result.inserted, result.rejected) == (2, 2)
    b1 = Incident.objects.get(source_id="BPD-1")
    assert (b1.source_system, b1.offence.code) == ("bpd-rms", "burglary")
    assert b1.occurred_at.isoformat() == "2025-03-02T03:30:00+00:00"  # 21:30 Belize time on 1 March
    assert Incident.objects.get(source_id="BPD-2").offence.code == "theft-of-vehicle"
    found = reasons(result)
    assert found[3] == {"no_location"} and found[4] == {"unknown_offence"}


def test_profile_names_the_missing_source_column(write_csv):
    result = import_file(write_csv("Report No,Date Committed\nX,01/03/2025\n"), profile=load_profile("bpd-rms"))
    assert any("'Crime Type'" in m for m in result.messages)


def test_malformed_profile_names_file_and_key(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('source_system = "x"\n[columns]\nwhen = "Date"\n')
    with pytest.raises(ProfileError, match=r"bad.toml: \[columns\] has unknown field\(s\) \['when'\]"):
        load_profile(path)


def test_unknown_profile_lists_the_shipped_ones():
    with pytest.raises(ProfileError, match="bpd-rms"):
        load_profile("nope")


# --- where Belize ends ----------------------------------------------------------------------

PLACES = [
    ("caye-caulker", 17.7425, -88.0250, True),      # off the 1:10M outline, in territorial waters
    ("sea-off-dangriga", 16.97, -88.05, True),       # 15 km offshore
    ("open-caribbean", 17.00, -87.00, False),        # ~90 km out
    ("chetumal-mexico", 18.5036, -88.2961, False),
    ("melchor-guatemala", 17.0570, -89.1600, False),
    ("puerto-barrios-gt", 15.7278, -88.5944, False),
]


@pytest.mark.parametrize(("name", "lat", "lon", "inside"), PLACES, ids=[p[0] for p in PLACES])
def test_land_and_territorial_waters(write_csv, name, lat, lon, inside):
    result = import_file(write_csv(HEADER + f"P1,theft,2025-01-01 10:00,{lat},{lon}\n"), source_system="rms")
    assert result.inserted == int(inside)
    assert (reasons(result).get(1) == {"outside_belize"}) is not inside


def test_swapped_latitude_and_longitude_are_fixed_only_when_unambiguous(write_csv):
    result = import_file(write_csv(HEADER + "S1,theft,2025-01-01 10:00,-88.7590,17.2510\n"), source_system="rms")
    assert result.inserted == 1
    s1 = Incident.objects.get(source_id="S1")
    assert s1.geocode_method == "wgs84-swapped" and s1.location.y == pytest.approx(17.251)


# --- hostile files ----------------------------------------------------------------------------

def test_truncated_file_keeps_complete_rows_and_rejects_the_cut_one(write_csv):
    content = HEADER + "T1,theft,2025-01-01 10:00,17.25,-88.76\nT2,theft,2025-01-01 1"
    result = import_file(write_csv(content), source_system="rms")
    assert (result.inserted, result.rejected) == (1, 1)
    assert "truncated_row" in reasons(result)[2]


def test_fifty_megabytes_in_one_column_is_rejected_and_kept_cut_short(write_csv):
    huge = "A" * (50 * 1024 * 1024)
    result = import_file(write_csv(HEADER + f"H1,theft,2025-01-01 10:00,17.25,-88.76\nH2,{huge},x,1,1\n"),
                         source_system="rms")
    assert (result.inserted, result.rejected) == (1, 1)
    row = RejectedRow.objects.get(batch_id=result.batch_id)
    assert "field_too_long" in {r["code"] for r in row.reasons}
    assert len(row.raw["offence"]) == 10_000


def test_utf16_file_from_excel_unicode_text(write_csv):
    path = write_csv((HEADER + "U1,theft,2025-01-01 10:00,17.25,-88.76\n").replace(",", "\t"), encoding="utf-16")
    assert import_file(path, source_system="rms").inserted == 1
