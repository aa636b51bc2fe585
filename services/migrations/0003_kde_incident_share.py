"""KDE layers show what share of the incidents each band holds ("top 1% of the area
holds 12% of the incidents"): the figure a commander acts on."""

from django.db import migrations

LATEST = """
CREATE VIEW ogc_kde_contours AS
SELECT * FROM ogc_kde_contours_all
WHERE run_id = (
    SELECT id FROM geo_bco_analysisrun WHERE method = 'kde' AND status = 'succeeded'
    ORDER BY finished_at DESC, id DESC LIMIT 1
);
"""

FORWARD = """
DROP VIEW IF EXISTS ogc_kde_contours;
CREATE OR REPLACE VIEW ogc_kde_contours_all AS
SELECT c.id, c.run_id, c.band, c.top_share, c.threshold AS density_threshold_per_km2, c.area_km2,
       r.finished_at AS run_finished_at, r.input_count AS run_input_count, r.input_filter::text AS run_filter,
       c.geom, c.incident_share
FROM geo_bco_kdecontour c
JOIN geo_bco_analysisrun r ON r.id = c.run_id
WHERE r.status = 'succeeded';
""" + LATEST

BACKWARD = """
DROP VIEW IF EXISTS ogc_kde_contours, ogc_kde_contours_all;
CREATE VIEW ogc_kde_contours_all AS
SELECT c.id, c.run_id, c.band, c.top_share, c.threshold AS density_threshold_per_km2, c.area_km2,
       r.finished_at AS run_finished_at, r.input_count AS run_input_count, r.input_filter::text AS run_filter,
       c.geom
FROM geo_bco_kdecontour c
JOIN geo_bco_analysisrun r ON r.id = c.run_id
WHERE r.status = 'succeeded';
""" + LATEST


class Migration(migrations.Migration):
    dependencies = [("services", "0002_public_view_models"), ("geo_bco", "0005_kde_incident_share")]
    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
