"""The hand-written public views and their unmanaged models give way to the
projections generated from the layer registry (services/projections.py), which are
re-created after every migrate."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("services", "0003_kde_incident_share")]
    operations = [
        migrations.RunSQL("DROP VIEW IF EXISTS ogc_kde_contours, ogc_kde_contours_all, ogc_incidents, ogc_districts",
                          migrations.RunSQL.noop),
        migrations.DeleteModel("PublicDistrict"),
        migrations.DeleteModel("PublicIncident"),
        migrations.DeleteModel("PublicKdeContour"),
    ]
