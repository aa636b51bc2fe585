"""The place-name matcher: exact before fuzzy, the district column settles duplicates,
failures say why and what to do, and the vectorised path equals row-by-row matching.

Most tests run the pure matcher on the shipped GeoNames file (no database); the
``from_db`` tests check that the Place table gives the same answers and that district
points lie inside their polygons."""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pytest
from django.contrib.gis.geos import Point
from django.core.exceptions import ImproperlyConfigured

import geo_bco.gazetteer
import geo_bco.geocoding
from boundaries.models import Boundary
from geo_bco.gazetteer import BELIZE_PLACES, alternate_variants, load_belize_gazetteer, load_gazetteer_csv
from geo_bco.geocoding import (
    FUZZY_CUTOFF,
    Gazetteer,
    Match,
    get_online_geocoder,
    nominatim_precision,
    normalise,
)
from geo_bco.models import Place

pytestmark = pytest.mark.postgis

DISTRICTS = {"BZ-BZ": "Belize", "BZ-CY": "Cayo", "BZ-CZL": "Corozal", "BZ-OW": "Orange Walk",
             "BZ-SC": "Stann Creek", "BZ-TOL": "Toledo"}


def shipped_places() -> pd.DataFrame:
    """The shipped file as a Gazetteer frame (place_id = file row; districts 1001-1006)."""
    rows = pd.read_csv(BELIZE_PLACES, dtype=str, keep_default_na=False)
    places = pd.DataFrame({
        "place_id": range(1, len(rows) + 1), "name": rows["name"], "kind": "village",
        "district": rows["district_iso"], "lon": rows["longitude"].astype(float),
        "lat": rows["latitude"].astype(float), "alternate_names": rows["alternatenames"].map(alternate_variants),
    })
    districts = pd.DataFrame({
        "place_id": range(1001, 1007), "name": list(DISTRICTS.values()), "kind": "district",
        "district": list(DISTRICTS), "lon": -88.7, "lat": 17.0, "alternate_names": [[]] * 6,
    })
    return pd.concat([places, districts], ignore_index=True)


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return shipped_places()


@pytest.fixture(scope="module")
def gazetteer(frame) -> Gazetteer:
    return Gazetteer(frame)


def one(gazetteer: Gazetteer, place, district=None) -> pd.Series:
    districts = None if district is None else pd.Series([district])
    return gazetteer.match(pd.Series([place]), districts).iloc[0]


def name_of(frame: pd.DataFrame, place_id) -> tuple[str, str]:
    row = frame.loc[frame["place_id"] == place_id].iloc[0]
    return row["name"], row["district"]


# --------------------------------------------------------------------------- normalise


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("  San  Ignácio ", "san ignacio"), ("SAN IGNACIO", "san ignacio"), ("Lord’s Bank", "lords bank"),
     ("St. Matthew's", "saint matthews"), ("Albert St.", "albert street"), ("Sta. Elena", "santa elena"),
     ("P. G.", "pg"), ("Independence & Mango Creek", "independence and mango creek"),
     ("Bze City", "belize city"), ("BZE", "bze"), ("Orange Walk Dist.", "orange walk district"),
     ("Benque-Viejo", "benque viejo"), (None, ""), (float("nan"), "")],
    ids=lambda v: repr(v),
)
def test_normalise(raw, expected):
    assert normalise(raw) == expected
    assert normalise(expected) == expected  # idempotent


def test_docstring_examples_run():
    for module in (geo_bco.geocoding, geo_bco.gazetteer):
        assert doctest.testmod(module).failed == 0


# --------------------------------------------------------------------------- exact and fuzzy


@pytest.mark.parametrize(
    ("query", "name", "district"),
    [("Belize City", "Belize City", "BZ-BZ"), ("orange walk", "Orange Walk", "BZ-OW"),
     ("Orange Walk Town", "Orange Walk", "BZ-OW"), ("SAN IGNACIO", "San Ignacio", "BZ-CY"),
     ("San Ignácio", "San Ignacio", "BZ-CY"), ("Belmopan City", "Belmopan", "BZ-CY"),
     ("Dangriga Town", "Dangriga", "BZ-SC"), ("Stann Creek Town", "Dangriga", "BZ-SC"),
     ("P.G.", "Punta Gorda", "BZ-TOL"), ("BZE", "Belize City", "BZ-BZ"), ("Cayo Town", "San Ignacio", "BZ-CY"),
     ("San Pedro Town", "San Pedro", "BZ-BZ"), ("Lord's Bank", "Lord’s Bank", "BZ-BZ"),
     ("St Margarets", "St. Margaret", "BZ-CY"), ("Independence", "Independence and Mango Creek", "BZ-SC"),
     ("Copper Bank", "San Fernando", "BZ-CZL"), ("Duck Run II", "Duck Run 2", "BZ-CY")],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_exact_match_by_name_spelling_or_geonames_alternate(gazetteer, frame, query, name, district):
    result = one(gazetteer, query)
    assert (result["method"], result["precision"], result["score"], result["reason_code"]) == (
        "gazetteer-exact", "locality", 100.0, None
    )
    assert name_of(frame, result["place_id"]) == (name, district)


@pytest.mark.parametrize(
    ("query", "name"),
    [("Belmopen", "Belmopan"), ("Dangrega", "Dangriga"), ("Ladyvile", "Ladyville"), ("Burrel Boom", "Burrell Boom"),
     ("Spanish Look Out", "Spanish Lookout"), ("Punta Gordo", "Punta Gorda"), ("Orange Wlk", "Orange Walk")],
)
def test_typo_matches_fuzzily_with_its_score(gazetteer, frame, query, name):
    result = one(gazetteer, query)
    assert result["method"] == "gazetteer-fuzzy" and result["precision"] == "locality"
    assert FUZZY_CUTOFF <= result["score"] < 100
    assert name_of(frame, result["place_id"])[0] == name


@pytest.mark.parametrize(
    ("district", "code"),
    [("Corozal", "BZ-CZL"), ("BZ-CZL", "BZ-CZL"), ("Corozal District", "BZ-CZL"), ("czl", "BZ-CZL"),
     ("Toledo", "BZ-TOL"), ("toledo dist.", "BZ-TOL"), ("Belize", "BZ-BZ"), ("Belize Distrct", "BZ-BZ")],
)
def test_district_column_settles_a_name_found_in_three_districts(gazetteer, frame, district, code):
    result = one(gazetteer, "San Pedro", district)
    assert result["method"] == "gazetteer-exact"
    assert name_of(frame, result["place_id"]) == ("San Pedro", code)


def test_same_name_without_district_is_ambiguous_and_lists_the_candidates(gazetteer):
    result = one(gazetteer, "San Pedro")
    assert result["reason_code"] == "ambiguous_place"
    assert np.isnan(result["lon"]) and pd.isna(result["place_id"]) and result["method"] is None
    assert result["reason_message"] == (
        "place 'San Pedro' matches 3 places: San Pedro (Belize District), San Pedro (Corozal District), "
        "San Pedro (Toledo District); fill the district column to choose one"
    )


def test_unrecognised_district_is_said_in_the_ambiguity(gazetteer):
    result = one(gazetteer, "Cristo Rey", "Western")
    assert result["reason_code"] == "ambiguous_place"
    assert "Cristo Rey (Cayo District), Cristo Rey (Corozal District)" in result["reason_message"]
    assert "the district 'Western' was not recognised" in result["reason_message"]


def test_fuzzy_near_tie_is_ambiguous_not_a_guess(gazetteer):
    result = one(gazetteer, "Duck Run 4")
    assert result["reason_code"] == "ambiguous_place"
    assert "Duck Run 2 (Cayo District) 90, Duck Run 3 (Cayo District) 90" in result["reason_message"]


def test_unknown_place_suggests_the_nearest_names(gazetteer):
    result = one(gazetteer, "Bellmopen")
    assert result["reason_code"] == "unknown_place" and np.isnan(result["lat"])
    assert result["reason_message"].startswith("place 'Bellmopen' is not in the gazetteer; nearest names: "
                                               "Belmopan (Cayo District) 82")
    assert "bco load-gazetteer FILE.csv" in result["reason_message"]


def test_name_in_another_district_is_not_moved_there(gazetteer):
    result = one(gazetteer, "San Pedro", "Cayo")
    assert result["reason_code"] == "unknown_place"
    assert result["reason_message"].startswith(
        "place 'San Pedro' is not in the gazetteer in Cayo District; it has San Pedro (Belize District), "
        "San Pedro (Corozal District), San Pedro (Toledo District)"
    )


def test_district_keeps_a_missing_village_from_taking_a_look_alike_elsewhere(gazetteer):
    # Conejo (Toledo, under 500 people) is not in GeoNames' list; Consejo (Corozal) is.
    assert one(gazetteer, "Conejo")["method"] == "gazetteer-fuzzy"  # documented limit without a district
    result = one(gazetteer, "Conejo", "Toledo")
    assert result["reason_code"] == "unknown_place"
    assert result["reason_message"].startswith("place 'Conejo' is not in the gazetteer in Toledo District")


def test_district_filters_alternate_names_too(gazetteer, frame):
    # "Indian Creek" is a village in Orange Walk and GeoNames' other name of one in Toledo.
    assert name_of(frame, one(gazetteer, "Indian Creek")["place_id"]) == ("Indian Creek", "BZ-OW")
    assert name_of(frame, one(gazetteer, "Indian Creek", "Toledo")["place_id"]) == ("Indian Creek Village", "BZ-TOL")


def test_short_codes_are_never_matched_fuzzily(gazetteer):
    assert one(gazetteer, "BZX")["reason_code"] == "unknown_place"  # not BZE


@pytest.mark.parametrize(
    ("place", "district"),
    [("Cayo", None), ("Cayo District", None), ("BZ-CY", None), ("cayo dist", None), ("", "Cayo"), (None, "BZ-CY"),
     ("Cayo", "Cayo")],
)
def test_district_only_value_geocodes_to_the_district(gazetteer, place, district):
    result = one(gazetteer, place, district)
    assert (result["precision"], result["method"], result["place_id"]) == ("district", "gazetteer-exact", 1002)


def test_a_district_name_wins_over_the_towns_geonames_also_calls_so(gazetteer):
    # GeoNames lists "Cayo" for San Ignacio and Benque Viejo, "Stann Creek" for Dangriga:
    # a district point can never make a fake hot spot, a wrong town can.
    assert one(gazetteer, "Stann Creek")["precision"] == "district"
    assert one(gazetteer, "Stan Creek")["precision"] == "district"


def test_nothing_given_is_unknown(gazetteer):
    result = one(gazetteer, "  ", None)
    assert (result["reason_code"], result["reason_message"]) == (
        "unknown_place", "no place name given: fill the place or district column"
    )


# --------------------------------------------------------------------------- the vectorised path

QUERIES = [
    ("Belize City", None), ("SAN PEDRO", "Corozal"), ("San Pedro", None), ("san pedro", "BZ-TOL"),
    ("Belmopen", None), ("Cayo", None), ("", "Toledo"), ("Bellmopen", None), ("Duck Run 4", None),
    ("Orange Walk Town", "Orange Walk"), ("P.G.", "Toledo"), ("Cristo Rey", "Western"), ("Xyz", None),
    ("Indian Creek", "Toledo"), (None, None), ("Dangrega", "Stann Creek"), ("San Pedro", "Cayo"),
]


def query_frame(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(QUERIES), n)
    index = pd.Index([f"row-{i}" for i in rng.permutation(n)])
    return pd.DataFrame({"place": [QUERIES[k][0] for k in picks], "district": [QUERIES[k][1] for k in picks]},
                        index=index)


def test_vectorised_result_equals_matching_rows_one_by_one(gazetteer):
    rows = query_frame(120, seed=1)
    together = gazetteer.match(rows["place"], rows["district"])
    alone = pd.concat([gazetteer.match(rows["place"].iloc[[i]], rows["district"].iloc[[i]]) for i in range(len(rows))])
    pd.testing.assert_frame_equal(together, alone)


def test_result_does_not_depend_on_row_order(gazetteer):
    rows = query_frame(300, seed=2)
    shuffled = rows.sample(frac=1, random_state=3)
    first = gazetteer.match(rows["place"], rows["district"])
    second = gazetteer.match(shuffled["place"], shuffled["district"])
    pd.testing.assert_frame_equal(second.loc[rows.index], first)


def test_result_is_indexed_like_the_places_and_typed(gazetteer):
    places = pd.Series(["Belize City", "San Pedro", "Belize City"], index=[7, 3, 7])
    result = gazetteer.match(places)
    assert result.index.equals(places.index)
    assert list(result.columns) == ["lon", "lat", "precision", "method", "score", "place_id", "reason_code",
                                    "reason_message"]
    assert (result["lon"].dtype, result["score"].dtype, str(result["place_id"].dtype)) == (float, float, "Int64")


def test_each_row_message_quotes_its_own_spelling(gazetteer):
    result = gazetteer.match(pd.Series(["San Pedro", "SAN PEDRO"]))
    assert result["reason_message"].str.startswith(("place 'San Pedro' ", "place 'SAN PEDRO' ")).all()
    assert result["reason_message"].iloc[1].startswith("place 'SAN PEDRO' matches 3 places")


def test_many_rows_with_few_distinct_names_are_matched_once_each(gazetteer):
    names = [q for q, _ in QUERIES if q] + [f"Village {i}" for i in range(500)]
    rows = pd.Series(np.random.default_rng(4).choice(names, 50_000))
    result = gazetteer.match(rows)
    assert len(result) == 50_000
    assert result.loc[rows == "Belize City", "place_id"].eq(1).all()


def test_bad_arguments_are_refused(gazetteer):
    with pytest.raises(TypeError, match="places must be a pandas Series, not list"):
        gazetteer.match(["Belize City"])
    with pytest.raises(ValueError, match="same index as places"):
        gazetteer.match(pd.Series(["Belize City"]), pd.Series(["Belize"], index=[5]))
    with pytest.raises(ValueError, match=r"lacks column\(s\) \['lon', 'lat'\]"):
        Gazetteer(pd.DataFrame({"place_id": [1], "name": ["X"], "kind": ["village"], "district": ["BZ-BZ"]}))


# --------------------------------------------------------------------------- online fallback


class CountingGeocoder:
    """Knows one place; counts the questions it is asked (no network)."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, str | None]] = []

    def geocode(self, query: str, district: str | None) -> Match | None:
        self.asked.append((query, district))
        if normalise(query) == "gales point":
            return Match(lon=-88.33, lat=17.18, precision="locality", method="test-online", score=None)
        return None


def test_fallback_is_asked_once_per_unknown_name_never_for_ambiguous_ones(frame):
    online = CountingGeocoder()
    places = pd.Series(["Gales Point", "GALES POINT", "Gales Point", "San Pedro", "Belize City", "Nowhere"])
    result = Gazetteer(frame, fallback=online).match(places)
    assert sorted(online.asked) == [("GALES POINT", None), ("Nowhere", None)]
    assert result["method"].tolist()[:3] == ["test-online"] * 3
    assert result["reason_code"].tolist()[3:] == ["ambiguous_place", None, "unknown_place"]


def test_online_geocoder_is_off_by_default(monkeypatch):
    monkeypatch.delenv("BCO_ONLINE_GEOCODER", raising=False)
    assert get_online_geocoder() is None
    monkeypatch.setenv("BCO_ONLINE_GEOCODER", "off")
    assert get_online_geocoder() is None


@pytest.mark.parametrize(
    ("setting", "agent", "message"),
    [("google", "", "'google' is not a known geocoder"), ("nominatim", "", "needs BCO_ONLINE_GEOCODER_USER_AGENT")],
)
def test_half_made_online_configuration_says_what_to_set(monkeypatch, setting, agent, message):
    monkeypatch.setenv("BCO_ONLINE_GEOCODER", setting)
    monkeypatch.setenv("BCO_ONLINE_GEOCODER_USER_AGENT", agent)
    with pytest.raises(ImproperlyConfigured, match=message):
        get_online_geocoder()


@pytest.mark.parametrize(
    ("raw", "precision"),
    [({"addresstype": "village"}, "locality"), ({"addresstype": "state"}, "district"),
     ({"addresstype": "road"}, "address"), ({"type": "suburb"}, "locality"), ({}, "locality")],
)
def test_nominatim_result_type_sets_precision(raw, precision):
    assert nominatim_precision(raw) == precision


# --------------------------------------------------------------------------- from the database


@pytest.fixture
def stored(reference_data) -> Gazetteer:
    load_belize_gazetteer()
    return Gazetteer.from_db()


def test_stored_gazetteer_answers_like_the_shipped_file(stored, gazetteer):
    rows = query_frame(60, seed=5)
    from_db = stored.match(rows["place"], rows["district"])
    from_file = gazetteer.match(rows["place"], rows["district"])
    columns = ["precision", "method", "score", "reason_code", "reason_message"]
    pd.testing.assert_frame_equal(from_db[columns], from_file[columns])
    localities = from_file["precision"] == "locality"
    names = dict(Place.objects.values_list("id", "name"))
    frame = shipped_places().set_index("place_id")["name"]
    assert [names[i] for i in from_db.loc[localities, "place_id"]] == list(frame[from_file.loc[localities, "place_id"]])


def test_district_only_value_lands_inside_the_district_polygon(stored):
    polygons = dict(Boundary.objects.filter(boundary_set__slug="districts").values_list("name", "geom"))
    # "Corozal" and "Orange Walk" alone are the towns; "... District" is the district.
    result = stored.match(pd.Series([f"{name} District" for name in polygons]))
    assert (result["precision"] == "district").all()
    for name, lon, lat in zip(polygons, result["lon"], result["lat"]):
        assert polygons[name].contains(Point(lon, lat, srid=4326)), name


def test_user_csv_extends_the_gazetteer(stored, write_csv):
    # Before: "Conejo" (a Toledo village under 500 people) is taken for Consejo, Corozal.
    assert stored.match(pd.Series(["Conejo"]))["method"].iloc[0] == "gazetteer-fuzzy"
    load_gazetteer_csv(write_csv(
        "name,latitude,longitude,kind,district_iso,alternatenames\n"
        "Conejo,16.1010,-88.9200,village,BZ-TOL,Conejo Creek\n"
        "Fort George,17.4967,-88.1835,neighbourhood,BZ-BZ,\n"
    ), source="test survey")
    extended = Gazetteer.from_db()
    result = extended.match(pd.Series(["Conejo", "Conejo Creek", "fort george"]))
    assert result["method"].tolist() == ["gazetteer-exact"] * 3
    names = dict(Place.objects.values_list("id", "name"))
    assert [names[i] for i in result["place_id"]] == ["Conejo", "Conejo", "Fort George"]


def test_empty_gazetteer_says_how_to_fill_it(db):
    with pytest.raises(RuntimeError, match="bco load-gazetteer --belize"):
        Gazetteer.from_db()
