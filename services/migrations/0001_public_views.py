"""The public views: the access policy for everything served without sign-in."""

from django.db import migrations

VIEWS = """
CREATE OR REPLACE VIEW ogc_districts AS
SELECT b.id, b.code, b.name, b.area_km2,
       p.population, p.year AS population_year, p.kind AS population_kind, p.source AS population_source,
       b.geom
FROM boundaries_boundary b
JOIN boundaries_boundaryset s ON s.id = b.boundary_set_id
LEFT JOIN LATERAL (
    SELECT population, year, kind, source FROM boundaries_population
    WHERE boundary_id = b.id ORDER BY year DESC, (kind = 'census') DESC LIMIT 1
) p ON true
WHERE s.slug = 'districts';

-- Public incidents: sensitive offences never appear as points; the location is
-- snapped to the centre of a 250 m UTM 16N grid cell; the date loses its time.
CREATE OR REPLACE VIEW ogc_incidents AS
SELECT i.id, o.code AS offence, o.label AS offence_label, o.category,
       (i.occurred_at AT TIME ZONE 'America/Belize')::date AS occurred_on,
       i.geocode_precision, d.name AS district,
       ST_Transform(ST_SnapToGrid(ST_Transform(i.location, 32616), 125, 125, 250, 250), 4326)::geometry(Point, 4326) AS geom
FROM geo_bco_incident i
JOIN geo_bco_offencetype o ON o.id = i.offence_id
LEFT JOIN boundaries_boundary d ON d.id = i.district_id
WHERE NOT o.sensitive;

CREATE OR REPLACE VIEW ogc_kde_contours_all AS
SELECT c.id, c.run_id, c.band, c.top_share, c.threshold AS density_threshold_per_km2, c.area_km2,
       r.finished_at AS run_finished_at, r.input_count AS run_input_count, r.input_filter::text AS run_filter,
       c.geom
FROM geo_bco_kdecontour c
JOIN geo_bco_analysisrun r ON r.id = c.run_id
WHERE r.status = 'succeeded';

CREATE OR REPLACE VIEW ogc_kde_contours AS
SELECT * FROM ogc_kde_contours_all
WHERE run_id = (
    SELECT id FROM geo_bco_analysisrun WHERE method = 'kde' AND status = 'succeeded'
    ORDER BY finished_at DESC, id DESC LIMIT 1
);
"""

DROP = "DROP VIEW IF EXISTS ogc_kde_contours, ogc_kde_contours_all, ogc_incidents, ogc_districts;"


class Migration(migrations.Migration):
    dependencies = [("geo_bco", "0002_seed_offences"), ("boundaries", "0001_initial")]
    operations = [migrations.RunSQL(VIEWS, DROP)]
