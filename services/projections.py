"""What each audience may read: the public rule and the analyst projection, in one place.

Every anonymous endpoint (OGC API, tiles, REST, downloads, the web map) reads only
the ``public_*`` relations created here; signed-in analysts read ``analyst_*``. They
are generated from the layer registry and re-created on every ``migrate`` (dropped
before it, so migrations can change the tables beneath them), never hand-copied
into migrations.

The public rule:

* **Incidents** are published as counts: per offence category and calendar month, the
  number of incidents in each 250 m UTM 16N cell, at the cell's centre, where it is at
  least k (``BCO_PUBLIC_MIN_COUNT``, default 3); cells under k are merged into their
  1 km cell, and left out if that is still under k. No time of day, no single record,
  no district-centroid point, never a sensitive offence; ids are keyed hashes (they
  reveal neither internal ids nor the import order). Stored as a materialized view
  with its own spatial index, refreshed after every import (:func:`refresh_incidents`).
* **Sensitive offences** (sexual offences, domestic violence, kidnapping) appear only
  as counts per district and month, blank under k.
* **Derived layers** come only from runs whose input excluded sensitive offences
  (``input_filter.sensitive`` false), and only with the columns the kind declares
  public; kinds of exact per-incident results (near-repeat roles) have no public
  projection at all. Counts between 1 and ``BCO_PUBLIC_MIN_COUNT - 1`` are blanked,
  and so are shares that stand for such a count (a band's share of the run's incidents,
  a cluster's main offence's share); a forecast's score (a cell's count, when prior
  counts win) is not public, its rank is.
  A polygon drawn through incidents' locations (a cluster's hull: its vertices *are*
  incidents) is shown as the hull of the 250 m cells those vertices lie in, so that
  no vertex is an incident, and only where it outlines at least k incidents; the
  incidents' dates in such layers are shown to the month (``BCO_PUBLIC_PERIOD``).
* **Boundaries** are public, with their latest population figure, year and source, and the sets' names.
* **Places**: the gazetteer's names and points (towns, villages, districts), for the
  map's labels and place search.
* **Runs**: the record (method, parameters, filter, counts, decision log, Knox table)
  of every succeeded run whose input excluded sensitive offences.

Each kind has two relations per audience: ``<audience>_<kind>_runs`` (every
succeeded run, with the run's id, label, finish time, parameters and filter on each
row) and ``<audience>_<kind>`` (the latest run over all offences, no area filter).
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import connection

from .layers import REGISTRY, LayerKind

PUBLIC_GRID_M = 250  #: public incidents are counted in cells of this size (metres, UTM 16N) ...
PUBLIC_COARSE_GRID_M = 1000  #: ... or, where a cell holds fewer than k, in cells of this size

BOUNDARIES = """
SELECT b.id, s.slug AS boundary_set, b.code, b.name, b.area_km2,
       p.population, p.year AS population_year, p.kind AS population_kind, p.source AS population_source,
       b.geom
FROM boundaries_boundary b
JOIN boundaries_boundaryset s ON s.id = b.boundary_set_id
LEFT JOIN LATERAL (
    SELECT population, year, kind, source FROM boundaries_population
    WHERE boundary_id = b.id ORDER BY year DESC, (kind = 'census') DESC LIMIT 1
) p ON true"""

#: Public incidents: per offence category and calendar month (BCO_PUBLIC_PERIOD), the incidents in each
#: 250 m UTM cell; a cell holding fewer than k is merged into its 1 km cell, and left
#: out if that still holds fewer (those incidents still count in the district figures).
PUBLIC_INCIDENTS = """
WITH fine AS (
    SELECT o.category, date_trunc('{period}', i.occurred_at AT TIME ZONE 'America/Belize')::date AS period_start,
           floor(ST_X(p) / {grid})::int AS x, floor(ST_Y(p) / {grid})::int AS y, i.district_id
    FROM geo_bco_incident i
    JOIN geo_bco_offencetype o ON o.id = i.offence_id
    CROSS JOIN LATERAL ST_Transform(i.location, 32616) AS p
    WHERE NOT o.sensitive AND i.geocode_precision IN ('exact', 'address', 'locality')
), cells AS (
    SELECT category, period_start, x, y, count(*) AS n, mode() WITHIN GROUP (ORDER BY district_id) AS district_id
    FROM fine GROUP BY category, period_start, x, y
), shown AS (
    SELECT category, period_start, {grid} AS size, x, y, n, district_id FROM cells WHERE n >= {k}
    UNION ALL
    SELECT category, period_start, {coarse}, floor(x * {grid}::float / {coarse})::int, floor(y * {grid}::float / {coarse})::int,
           sum(n), mode() WITHIN GROUP (ORDER BY district_id)
    FROM cells WHERE n < {k}
    GROUP BY category, period_start, floor(x * {grid}::float / {coarse})::int, floor(y * {grid}::float / {coarse})::int
    HAVING sum(n) >= {k}
)
SELECT ('x' || substr(md5('{salt}' || concat_ws(':', category, period_start, size, x, y)), 1, 13))::bit(52)::bigint AS id,
       category, period_start, '{period}'::text AS period, size AS cell_size_m, n::int AS incident_count, d.name AS district,
       ST_Transform(ST_SetSRID(ST_MakePoint((x + 0.5) * size, (y + 0.5) * size), 32616), 4326)::geometry(Point, 4326)
           AS geom
FROM shown LEFT JOIN boundaries_boundary d ON d.id = shown.district_id"""

#: Sensitive offences reach the public only as counts per district and month (blank under k).
PUBLIC_SENSITIVE = """
SELECT row_number() OVER (ORDER BY d.code, m.period_start)::int AS id, d.code, d.name, m.period_start,
       '{period}'::text AS period, CASE WHEN m.n >= {k} THEN m.n END AS incident_count, d.geom
FROM (SELECT i.district_id, date_trunc('{period}', i.occurred_at AT TIME ZONE 'America/Belize')::date AS period_start,
             count(*)::int AS n
      FROM geo_bco_incident i JOIN geo_bco_offencetype o ON o.id = i.offence_id
      WHERE o.sensitive AND i.district_id IS NOT NULL GROUP BY 1, 2) m
JOIN boundaries_boundary d ON d.id = m.district_id"""

ANALYST_INCIDENTS = """
SELECT i.id, i.source_system, i.source_id, o.code AS offence, o.label AS offence_label, o.category,
       o.sensitive, i.occurred_at, i.geocode_precision, i.geocode_method, i.geocode_score, i.place_name,
       d.name AS district, i.batch_id, i.location AS geom
FROM geo_bco_incident i
JOIN geo_bco_offencetype o ON o.id = i.offence_id
LEFT JOIN boundaries_boundary d ON d.id = i.district_id"""

PUBLIC_PLACES = """
SELECT p.id, p.name, p.kind, d.name AS district, p.population, p.point AS geom
FROM geo_bco_place p JOIN boundaries_boundary d ON d.id = p.district_id"""

PUBLIC_RUNS = """
SELECT r.id, r.method, r.label, r.resolved_parameters AS parameters, r.input_filter AS filter, r.input_count,
       r.log, r.summary, r.created_at, r.finished_at
FROM geo_bco_analysisrun r"""

#: a run whose input excluded sensitive offences (older runs without the flag count as sensitive)
PUBLIC_INPUT = "coalesce((r.input_filter->>'sensitive')::boolean, true) = false"
#: a run over all offences and the whole country: what ``<kind>`` shows
BROAD_INPUT = ("r.input_filter->'offences' = '[]'::jsonb AND r.input_filter->'categories' = '[]'::jsonb "
               "AND r.input_filter->>'boundary' IS NULL")
RUN_COLUMNS = ("r.id AS run_id, r.label AS run_label, r.finished_at AS run_finished_at, "
               "r.input_count AS run_input_count, r.resolved_parameters::text AS run_parameters, "
               "r.input_filter::text AS run_filter")


#: A polygon drawn through incidents' locations, as the public sees it: the convex hull of the
#: public grid's cells its vertices lie in. It covers the original polygon, and its vertices
#: are cell corners: where in its cell each incident lies is not shown, as for public points.
GRID_OUTLINE = """(SELECT ST_Transform(ST_ConvexHull(ST_Collect(ST_MakeEnvelope(
        floor(ST_X(v.geom) / {grid}) * {grid}, floor(ST_Y(v.geom) / {grid}) * {grid},
        floor(ST_X(v.geom) / {grid}) * {grid} + {grid}, floor(ST_Y(v.geom) / {grid}) * {grid} + {grid}, 32616))), 4326)
    FROM ST_DumpPoints(ST_Transform(l.geom, 32616)) v)"""


def relation(audience: str, kind: LayerKind, *, runs: bool) -> str:
    return f"{audience}_{kind.name.replace('-', '_')}{'_runs' if runs else ''}"


def _column(name: str) -> str:
    return f'l."{name}"'


def _blanked(column: str, small: str) -> str:
    """The column, NULL where ``small`` (a count under the public minimum) holds."""
    return f'CASE WHEN {small} THEN NULL ELSE {_column(column)} END AS "{column}"'


def _public_column(kind: LayerKind, column: str) -> str:
    k = int(settings.BCO_PUBLIC_MIN_COUNT)
    if column in kind.small_count_columns:
        return _blanked(column, _column("small_count") if "small_count" in kind.columns
                        else f"{_column(column)} BETWEEN 1 AND {k - 1}")
    if column in kind.small_share_columns:  # a share times its total is a count
        of = kind.small_share_columns[column]
        total = "r.input_count" if of == "run_input_count" else _column(of)
        return _blanked(column, f"round({_column(column)} * {total}) BETWEEN 1 AND {k - 1}")
    if column in kind.incident_date_columns:
        return f"date_trunc('{settings.BCO_PUBLIC_PERIOD}', {_column(column)})::date AS \"{column}\""
    return _column(column)


def _public_geometry(kind: LayerKind) -> str:
    """The geometry column of a public layer: as stored, or widened to the grid when drawn through incidents."""
    if not kind.outline_through_incidents:
        return "l.geom"
    outline = GRID_OUTLINE.format(grid=PUBLIC_GRID_M)
    if kind.geometry_type.startswith("Multi"):
        outline = f"ST_Multi({outline})"
    return f"{outline}::geometry({kind.geometry_type}, 4326) AS geom"


def _public_rows(kind: LayerKind) -> str:
    """The rows of a public layer's run the public may see: all, or those outlining at least k."""
    if kind.outlined_count_column:
        return f" AND {_column(kind.outlined_count_column)} >= {int(settings.BCO_PUBLIC_MIN_COUNT)}"
    return ""


def _layer_views(audience: str, kind: LayerKind) -> list[str]:
    if audience == "public":
        columns, geometry = [_public_column(kind, c) for c in kind.public_columns], _public_geometry(kind)
        where, rows = f"AND {PUBLIC_INPUT}", _public_rows(kind)
    else:
        columns, geometry, where, rows = [_column(c) for c in kind.columns], "l.geom", "", ""
    runs, latest = relation(audience, kind, runs=True), relation(audience, kind, runs=False)
    return [
        f"CREATE VIEW {runs} AS SELECT {', '.join(columns)}, {RUN_COLUMNS}, {geometry} FROM {kind.table} l "
        f"JOIN geo_bco_analysisrun r ON r.id = l.run_id WHERE r.status = 'succeeded' AND r.method = '{kind.name}' "
        f"{where}{rows}",
        f"CREATE VIEW {latest} AS SELECT * FROM {runs} WHERE run_id = (SELECT r.id FROM geo_bco_analysisrun r "
        f"WHERE r.method = '{kind.name}' AND r.status = 'succeeded' {where} AND {BROAD_INPUT} "
        f"ORDER BY r.finished_at DESC, r.id DESC LIMIT 1)",
    ]


def statements() -> list[str]:
    """Every projection, public first, as SQL statements to run in order."""
    salt = hashlib.sha256(f"public-ids:{settings.SECRET_KEY}".encode()).hexdigest()[:32]
    k = int(settings.BCO_PUBLIC_MIN_COUNT)
    period = settings.BCO_PUBLIC_PERIOD
    incidents = PUBLIC_INCIDENTS.format(salt=salt, grid=PUBLIC_GRID_M, coarse=PUBLIC_COARSE_GRID_M, k=k, period=period)
    sql = [
        f"CREATE VIEW public_boundaries AS {BOUNDARIES}",
        "CREATE VIEW public_districts AS SELECT * FROM public_boundaries WHERE boundary_set = 'districts'",
        "CREATE VIEW public_boundary_sets AS SELECT slug, name, source FROM boundaries_boundaryset",
        f"CREATE MATERIALIZED VIEW public_incidents AS {incidents}",
        "CREATE UNIQUE INDEX public_incidents_id ON public_incidents (id)",
        "CREATE INDEX public_incidents_geom ON public_incidents USING gist (geom)",
        "CREATE INDEX public_incidents_period_start ON public_incidents (period_start)",
        f"CREATE MATERIALIZED VIEW public_sensitive_counts AS {PUBLIC_SENSITIVE.format(k=k, period=period)}",
        "CREATE UNIQUE INDEX public_sensitive_counts_id ON public_sensitive_counts (id)",
        f"CREATE VIEW analyst_incidents AS {ANALYST_INCIDENTS}",
        f"CREATE VIEW public_runs AS {PUBLIC_RUNS} WHERE r.status = 'succeeded' AND {PUBLIC_INPUT}",
        f"CREATE VIEW public_places AS {PUBLIC_PLACES}",
        "CREATE VIEW public_sources AS SELECT DISTINCT source_system FROM geo_bco_importbatch WHERE status = 'completed'",
    ]
    for kind in REGISTRY.values():
        if kind.public:
            sql += _layer_views("public", kind)
        sql += _layer_views("analyst", kind)
    return sql


def drop_statements() -> list[str]:
    """Drop every projection (and the wave-1 ``ogc_*`` views they replace)."""
    views = ["public_boundaries", "public_boundary_sets", "analyst_incidents", "public_runs", "public_sources", "public_places", "ogc_kde_contours", "ogc_kde_contours_all",
             "ogc_incidents", "ogc_districts"]
    return ["DROP MATERIALIZED VIEW IF EXISTS public_incidents, public_sensitive_counts CASCADE",
            *(f"DROP VIEW IF EXISTS {v} CASCADE" for v in views),
            *(f"DROP VIEW IF EXISTS {relation(a, k, runs=True)} CASCADE"
              for k in REGISTRY.values() for a in ("public", "analyst"))]


def drop_projections(using: str = "default", **_) -> None:
    from django.db import connections

    with connections[using].cursor() as cur:
        for statement in drop_statements():
            cur.execute(statement)


def apply_projections(using: str = "default", **_) -> None:
    """Drop and re-create every projection (run after each migrate)."""
    from django.db import connections

    drop_projections(using)
    with connections[using].cursor() as cur:
        for statement in statements():
            cur.execute(statement)


def refresh_incidents() -> None:
    """Bring the stored public incidents up to date (after an import)."""
    with connection.cursor() as cur:
        cur.execute("REFRESH MATERIALIZED VIEW CONCURRENTLY public_incidents")
        cur.execute("REFRESH MATERIALIZED VIEW CONCURRENTLY public_sensitive_counts")
