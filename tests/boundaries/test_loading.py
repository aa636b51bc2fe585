"""Boundary loading from OGR files, population as data, idempotent re-loads."""

from __future__ import annotations

import json

import pytest

from boundaries.loading import DATA_DIR, load_boundaries, load_belize_reference
from boundaries.models import Boundary, Population

pytestmark = pytest.mark.postgis


def test_belize_reference_loads_six_districts_with_population(db):
    load_belize_reference()
    districts = Boundary.objects.filter(boundary_set__slug="districts")
    assert sorted(districts.values_list("code", flat=True)) == ["BZ-BZ", "BZ-CY", "BZ-CZL", "BZ-OW", "BZ-SC", "BZ-TOL"]
    # areas computed in UTM 16N; the data README gives Cayo 5,251 km2
    assert districts.get(code="BZ-CY").area_km2 == pytest.approx(5251, rel=0.002)
    stann_creek = Population.objects.filter(boundary__code="BZ-SC").order_by("-year").first()
    assert (stann_creek.year, stann_creek.population) == (2022, 48162)
    assert Population.objects.get(boundary__code="BZ-TOL", year=2010).population == 30785


def test_loading_twice_changes_nothing(db):
    load_belize_reference()
    before = list(Boundary.objects.order_by("id").values_list("id", "code", "area_km2"))
    results = load_belize_reference()
    assert [r.created for r in results] == [0, 0]
    assert list(Boundary.objects.order_by("id").values_list("id", "code", "area_km2")) == before
    assert Population.objects.count() == 7  # 6 districts x 2010 + Stann Creek 2022; the national total is skipped


def test_any_ogr_file_loads_as_a_new_set(db, tmp_path):
    source = json.loads((DATA_DIR / "belize_districts.geojson").read_text())
    source["features"] = source["features"][:2]
    path = tmp_path / "two.geojson"
    path.write_text(json.dumps(source))
    result = load_boundaries(path, slug="custom", name="Two", code_field="hasc", name_field="name", source="test")
    assert (result.created, result.updated) == (2, 0)
    assert Boundary.objects.filter(boundary_set__slug="custom").count() == 2


def test_missing_field_names_file_and_field(db):
    with pytest.raises(ValueError, match=r"belize_districts.geojson: no field 'district_code'"):
        load_boundaries(DATA_DIR / "belize_districts.geojson", slug="x", name="x",
                        code_field="district_code", name_field="name", source="test")
