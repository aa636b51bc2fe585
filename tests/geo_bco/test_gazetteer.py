"""Loading the gazetteer: the shipped GeoNames places, the districts, stewards' CSVs.
Idempotent, districts as the source gives them, every bad line named."""

from __future__ import annotations

from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F

from boundaries.models import Boundary
from geo_bco.cli import ALIASES
from geo_bco.gazetteer import alternate_variants, is_latin, load_belize_gazetteer, load_gazetteer_csv
from geo_bco.geocoding import normalise
from geo_bco.models import Place

pytestmark = pytest.mark.postgis

USER_HEADER = "name,latitude,longitude,kind,district,population,alternatenames\n"
USER_ROWS = (
    "Gales Point,17.1833,-88.3333,village,Belize,,Gales Point Manatee\n"
    "Fort George,17.4967,-88.1835,neighbourhood,BZ-BZ,,Fort George Area|Ft. George\n"
)


def snapshot() -> list[dict]:
    return list(Place.objects.order_by("id").values())


def test_belize_load_creates_138_places_and_6_districts(reference_data):
    places, districts = load_belize_gazetteer()
    assert (places.created, places.updated, places.unchanged) == (138, 0, 0)
    assert (districts.created, districts.updated, districts.unchanged) == (6, 0, 0)
    counts = Counter(Place.objects.exclude(kind="district").values_list("district__name", flat=True))
    # The data README's figures: GeoNames' own admin1 district of every place is kept.
    assert counts == {"Belize": 15, "Cayo": 35, "Corozal": 27, "Orange Walk": 19, "Stann Creek": 19, "Toledo": 23}


@pytest.mark.parametrize(
    ("name", "district"),
    [("Valley Community", "Cayo"), ("Caye Caulker", "Belize"), ("Seine Bight Village", "Stann Creek")],
    ids=["on-the-cayo-stann-creek-line", "4.6-km-off-the-outline", "1-km-off-the-outline"],
)
def test_places_keep_the_district_geonames_gives(reference_data, name, district):
    load_belize_gazetteer()
    assert Place.objects.get(name=name).district.name == district


def test_district_places_lie_inside_their_polygons_at_district_precision(reference_data):
    load_belize_gazetteer()
    districts = Place.objects.filter(kind="district")
    assert districts.count() == 6
    assert districts.filter(district__geom__contains=F("point")).count() == 6
    assert set(districts.values_list("precision", flat=True)) == {"district"}
    assert set(Place.objects.exclude(kind="district").values_list("precision", flat=True)) == {"locality"}
    assert "bz cy" in Place.objects.get(kind="district", name="Cayo").alternate_names


def test_municipal_towns_are_towns_and_the_rest_villages(reference_data):
    load_belize_gazetteer()
    towns = set(Place.objects.filter(kind="town").values_list("name", "district__code"))
    assert ("San Pedro", "BZ-BZ") in towns and ("San Pedro", "BZ-TOL") not in towns
    assert len(towns) == 10
    assert Place.objects.filter(kind="village").count() == 128


def test_alternate_names_keep_only_normalised_latin_spellings(reference_data):
    load_belize_gazetteer()
    belize_city = Place.objects.get(name="Belize City")
    assert {"bze", "belice", "thanh pho belize"} <= set(belize_city.alternate_names)
    assert "belize city" not in belize_city.alternate_names  # the main name is not repeated
    every = [a for alts in Place.objects.values_list("alternate_names", flat=True) for a in alts]
    assert every and all(is_latin(a) and normalise(a) == a for a in every)


def test_alternate_variants_split_on_slash_and_drop_other_scripts():
    assert alternate_variants("Western Paradise/West Lake/8 Miles|Сан-Педро|聖佩德羅") == [
        "8 miles", "west lake", "western paradise"
    ]
    assert alternate_variants(None) == []


def test_loading_twice_changes_nothing(reference_data):
    load_belize_gazetteer()
    before = snapshot()
    places, districts = load_belize_gazetteer()
    assert (places.created, places.updated, places.unchanged) == (0, 0, 138)
    assert (districts.created, districts.updated, districts.unchanged) == (0, 0, 6)
    assert snapshot() == before


def test_user_csv_adds_places_and_reloading_it_changes_nothing(reference_data, write_csv):
    load_belize_gazetteer()
    path = write_csv(USER_HEADER + USER_ROWS, name="villages.csv")
    first = load_gazetteer_csv(path, source="BCO field survey 2025")
    assert (first.created, first.updated, first.unchanged) == (2, 0, 0)
    fort = Place.objects.get(name="Fort George")
    assert (fort.kind, fort.district.code, fort.precision, fort.source) == (
        "neighbourhood", "BZ-BZ", "locality", "BCO field survey 2025"
    )
    assert fort.alternate_names == ["fort george area"]  # "Ft. George" is its own name, normalised
    before = snapshot()
    again = load_gazetteer_csv(path, source="BCO field survey 2025")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert snapshot() == before
    assert Place.objects.count() == 138 + 6 + 2


def test_user_csv_corrects_a_place_it_names_again(reference_data, write_csv):
    load_belize_gazetteer()
    moved = "Hopkins,16.8600,-88.2800,village,Stann Creek,1900,Hopkins Village\n"
    result = load_gazetteer_csv(write_csv(USER_HEADER + moved), source="BCO correction 2025")
    assert (result.created, result.updated) == (0, 1)
    hopkins = Place.objects.get(name="Hopkins")
    assert (hopkins.population, hopkins.point.y, hopkins.alternate_names) == (1900, 16.86, ["hopkins village"])


def test_reloading_the_shipped_file_keeps_a_stewards_correction(reference_data, write_csv):
    load_belize_gazetteer()
    load_gazetteer_csv(write_csv(USER_HEADER + "Hopkins,16.8600,-88.2800,village,Stann Creek,1900,\n"), source="BCO")
    places, _ = load_belize_gazetteer()
    assert (places.created, places.updated, places.unchanged) == (0, 0, 138)
    assert (Place.objects.get(name="Hopkins").population, Place.objects.get(name="Hopkins").source) == (1900, "BCO")


def test_blank_district_is_taken_from_the_polygon_containing_the_point(reference_data, write_csv):
    path = write_csv("name,latitude,longitude,kind,district_iso\nTeakettle Bank,17.2333,-88.8500,village,\n")
    load_gazetteer_csv(path, source="test")
    assert Place.objects.get(name="Teakettle Bank").district.code == "BZ-CY"


def test_every_bad_line_is_named_and_nothing_is_stored(reference_data, write_csv):
    content = USER_HEADER + (
        "Good Village,17.20,-88.60,village,Belize,,\n"      # line 2
        ",17.20,-88.60,village,Belize,,\n"                   # line 3: no name
        "Bad Lat,abc,-88.60,village,Belize,,\n"              # line 4
        "Bad Kind,17.20,-88.60,hamlet,Belize,,\n"            # line 5
        "Bad District,17.20,-88.60,village,Petén,,\n"        # line 6
        "Bad Population,17.20,-88.60,village,Cayo,many,\n"   # line 7
    )
    path = write_csv(content)
    with pytest.raises(ValueError) as caught:
        load_gazetteer_csv(path, source="test")
    message = str(caught.value)
    assert message.startswith(f"{path}: 5 problem(s), nothing loaded")
    for expected in ("line 3: name: empty", "line 4: latitude: 'abc' is not a number",
                     "line 5: kind: 'hamlet' is not one of town, village, neighbourhood, other",
                     "line 6: district: 'Petén' is not a district", "line 7: population: 'many' is not a whole number"):
        assert expected in message
    assert not Place.objects.exists()


def test_swapped_coordinates_are_refused_with_advice(reference_data, write_csv):
    path = write_csv(USER_HEADER + "Swapped,-88.60,17.20,village,Belize,,\n")
    with pytest.raises(ValueError, match=r"line 2: latitude/longitude: .* more than 5 km from every district"):
        load_gazetteer_csv(path, source="test")


def test_a_name_twice_in_one_district_is_refused(reference_data, write_csv):
    path = write_csv(USER_HEADER + "Santa Ana,17.2,-88.6,village,Belize,,\nSANTA ANA,17.3,-88.6,village,BZ-BZ,,\n")
    with pytest.raises(ValueError, match=r"lines 2, 3: name: 'Santa Ana' appears more than once in one district"):
        load_gazetteer_csv(path, source="test")


def test_missing_columns_and_missing_source_are_refused(reference_data, write_csv):
    with pytest.raises(ValueError, match=r"missing column\(s\) \['kind'\]"):
        load_gazetteer_csv(write_csv("name,latitude,longitude\nX,17.2,-88.6\n"), source="test")
    with pytest.raises(ValueError, match="say where the places come from"):
        load_gazetteer_csv(write_csv(USER_HEADER + USER_ROWS), source=" ")


def test_loading_needs_the_district_polygons(db, write_csv):
    Boundary.objects.filter(boundary_set__slug="districts").delete()
    with pytest.raises(RuntimeError, match="bco load-boundaries --belize"):
        load_gazetteer_csv(write_csv(USER_HEADER + USER_ROWS), source="test")


def test_command_loads_belize_then_a_csv(reference_data, write_csv, capsys):
    assert ALIASES["load-gazetteer"] == ["load_gazetteer"]
    call_command("load_gazetteer", "--belize")
    call_command("load_gazetteer", str(write_csv(USER_HEADER + USER_ROWS)), "--source", "survey")
    out = capsys.readouterr().out
    assert "GeoNames places: 138 created, 0 updated, 0 unchanged" in out
    assert "districts: 6 created" in out and "CC BY 4.0" in out
    assert "places from incidents.csv: 2 created" in out


def test_command_errors_are_command_errors(reference_data, write_csv):
    with pytest.raises(CommandError, match="either --belize or a CSV path"):
        call_command("load_gazetteer")
    with pytest.raises(CommandError, match="line 2: kind"):
        call_command("load_gazetteer", str(write_csv(USER_HEADER + "X,17.2,-88.6,city,Belize,,\n")), "--source", "s")
