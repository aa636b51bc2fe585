"""Read-only models over the public database views.

The views (created in ``services/migrations``) are the access policy for public
data: they decide what the public may see (no sensitive offences as points,
locations snapped to a 250 m grid, dates without time). The OGC API, the REST API
and the web map all read these views, so the rule lives in one place.
"""

from __future__ import annotations

from django.contrib.gis.db import models

#: Public points are snapped to the centre of a square grid of this size (metres, UTM 16N).
PUBLIC_GRID_M = 250


class PublicDistrict(models.Model):
    code = models.CharField(max_length=64)
    name = models.CharField(max_length=200)
    area_km2 = models.FloatField()
    population = models.IntegerField(null=True)
    population_year = models.IntegerField(null=True)
    population_kind = models.CharField(max_length=16, null=True)
    population_source = models.TextField(null=True)
    geom = models.MultiPolygonField(srid=4326)

    class Meta:
        managed = False
        db_table = "ogc_districts"


class PublicIncident(models.Model):
    offence = models.CharField(max_length=64)
    offence_label = models.CharField(max_length=200)
    category = models.CharField(max_length=64)
    occurred_on = models.DateField()
    geocode_precision = models.CharField(max_length=16)
    district = models.CharField(max_length=200, null=True)
    geom = models.PointField(srid=4326)

    class Meta:
        managed = False
        db_table = "ogc_incidents"


class PublicKdeContour(models.Model):
    run_id = models.BigIntegerField()
    band = models.IntegerField()
    top_share = models.FloatField()
    density_threshold_per_km2 = models.FloatField()
    area_km2 = models.FloatField()
    run_finished_at = models.DateTimeField()
    run_input_count = models.IntegerField()
    run_filter = models.TextField()
    incident_share = models.FloatField(null=True)
    geom = models.MultiPolygonField(srid=4326)

    class Meta:
        managed = False
        db_table = "ogc_kde_contours"
