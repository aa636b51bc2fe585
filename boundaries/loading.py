"""Load boundary sets from any OGR-readable file, and population tables.

Thin on purpose: pyogrio reads the file, geopandas reprojects, and each polygon is
upserted by (set, code) so loading the same file twice changes nothing.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon
from django.db import transaction
from shapely.geometry import MultiPolygon as ShapelyMultiPolygon

from .models import Boundary, BoundarySet, Population

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class LoadResult:
    boundary_set: str
    created: int
    updated: int


def _as_multipolygon(geom) -> MultiPolygon:
    if geom.geom_type == "Polygon":
        geom = ShapelyMultiPolygon([geom])
    if geom.geom_type != "MultiPolygon":
        raise ValueError(f"expected polygons, got {geom.geom_type}")
    return GEOSGeometry(geom.wkb_hex, srid=4326)


def load_boundaries(
    path: str | Path,
    *,
    slug: str,
    name: str,
    code_field: str,
    name_field: str,
    source: str,
    licence: str = "",
    layer: str | None = None,
) -> LoadResult:
    """Upsert every polygon of an OGR file into boundary set ``slug``.

    Raises ValueError naming the file and field when a required attribute is
    missing, a geometry is not a polygon, or a code repeats.
    """
    path = Path(path)
    frame = gpd.read_file(path, layer=layer, engine="pyogrio")
    for field in (code_field, name_field):
        if field not in frame.columns:
            raise ValueError(f"{path}: no field {field!r}; fields are {sorted(c for c in frame.columns if c != 'geometry')}")
    if frame.crs is None:
        raise ValueError(f"{path}: the layer has no CRS; cannot place it on the map")
    duplicated = frame[code_field][frame[code_field].duplicated()].tolist()
    if duplicated:
        raise ValueError(f"{path}: field {code_field!r} repeats codes {duplicated}")
    areas_km2 = frame.to_crs(32616).area / 1e6
    frame = frame.to_crs(4326)
    created = updated = 0
    with transaction.atomic():
        bset, _ = BoundarySet.objects.update_or_create(
            slug=slug, defaults={"name": name, "source": source, "licence": licence}
        )
        for row_number, (row, area) in enumerate(zip(frame.itertuples(index=False), areas_km2, strict=True), start=1):
            geom = getattr(row, "geometry")
            try:
                mp = _as_multipolygon(geom.buffer(0) if not geom.is_valid else geom)
            except ValueError as exc:
                raise ValueError(f"{path}: feature {row_number}: {exc}") from None
            _, was_created = Boundary.objects.update_or_create(
                boundary_set=bset,
                code=str(getattr(row, code_field)),
                defaults={"name": str(getattr(row, name_field)), "geom": mp, "area_km2": float(area)},
            )
            created += was_created
            updated += not was_created
    return LoadResult(slug, created, updated)


def load_population(path: str | Path, *, boundary_set: str = "districts") -> int:
    """Upsert population rows from a CSV with columns
    ``district_iso, population, year, kind, source``. Rows whose code is not a
    boundary of ``boundary_set`` (e.g. the national total) are skipped; returns
    the number of rows stored."""
    path = Path(path)
    boundaries = {b.code: b for b in Boundary.objects.filter(boundary_set__slug=boundary_set)}
    stored = 0
    with open(path, newline="", encoding="utf-8") as fh, transaction.atomic():
        reader = csv.DictReader(fh)
        missing = {"district_iso", "population", "year", "kind", "source"} - set(reader.fieldnames or [])
        if missing:
            raise ValueError(f"{path}: missing column(s) {sorted(missing)}")
        for line, row in enumerate(reader, start=2):
            boundary = boundaries.get(row["district_iso"])
            if boundary is None:
                continue
            try:
                population, year = int(row["population"]), int(row["year"])
            except ValueError:
                raise ValueError(f"{path}, line {line}: population and year must be whole numbers") from None
            Population.objects.update_or_create(
                boundary=boundary, year=year, kind=row["kind"],
                defaults={"population": population, "source": row["source"]},
            )
            stored += 1
    return stored


def load_belize_reference() -> list[LoadResult]:
    """Load the shipped Belize reference data: country outline, districts, population."""
    ne = "Natural Earth 10m (public domain)"
    results = [
        load_boundaries(
            DATA_DIR / "belize_country.geojson", slug="country", name="Belize (national outline)",
            code_field="iso_a3", name_field="name", source=f"{ne} admin-0 v5.1.1", licence="public domain",
        ),
        load_boundaries(
            DATA_DIR / "belize_districts.geojson", slug="districts", name="Districts of Belize",
            code_field="iso_3166_2", name_field="name", source=f"{ne} admin-1 v5.1", licence="public domain",
        ),
    ]
    load_population(DATA_DIR / "belize_population.csv")
    return results
