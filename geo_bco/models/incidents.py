"""Offence taxonomy and incidents: the records everything else is derived from."""

from __future__ import annotations

from django.contrib.gis.db import models
from django.db.models import F, FloatField, Func, Q
from django.db.models.lookups import Range

from boundaries.service_area import SERVICE_ENVELOPE


class OffenceType(models.Model):
    """One offence in the observatory's taxonomy (seeded from geo_bco/taxonomy.py).

    ``sensitive`` offences (sexual offences, domestic violence) are shown to the
    public only in aggregate: never as points.
    """

    code = models.SlugField(max_length=64, unique=True)
    label = models.CharField(max_length=200)
    category = models.CharField(max_length=64, help_text="Broad class: 'violent', 'property', 'drugs', ...")
    sensitive = models.BooleanField(default=False)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.label


class GeocodePrecision(models.TextChoices):
    """How precisely an incident's point is known. Analyses choose what they accept:
    a district-centroid point must never make a fake hot spot."""

    EXACT = "exact", "exact point"
    ADDRESS = "address", "address or street"
    LOCALITY = "locality", "locality (village, town)"
    DISTRICT = "district", "district"
    NONE = "none", "none"


def _inside_envelope(west: float, south: float, east: float, north: float) -> Q:
    """The location is a point whose coordinates lie in the box. Float comparisons in
    PostgreSQL put NaN above every number, so NaN and +-Infinity fail as well; an
    empty point (no coordinates, so NULL ones) is refused explicitly."""
    x = Func(F("location"), function="ST_X", output_field=FloatField())
    y = Func(F("location"), function="ST_Y", output_field=FloatField())
    empty = Func(F("location"), function="ST_IsEmpty", output_field=models.BooleanField())
    return Q(Range(x, (west, east)), Range(y, (south, north)), ~Q(empty))


class Incident(models.Model):
    source_system = models.CharField(max_length=64, help_text="The agency/system the record came from.")
    source_id = models.CharField(max_length=128, help_text="The record's id in its source system.")
    offence = models.ForeignKey(OffenceType, on_delete=models.PROTECT, related_name="incidents")
    occurred_at = models.DateTimeField(help_text="When it happened (stored UTC, entered in America/Belize).")
    location = models.PointField(srid=4326)
    geocode_precision = models.CharField(max_length=16, choices=GeocodePrecision.choices)
    geocode_method = models.CharField(
        max_length=32, help_text="e.g. 'wgs84', 'wgs84-swapped', 'utm16n', 'geometry', 'gazetteer-exact'.")
    geocode_score = models.FloatField(null=True, help_text="Match confidence 0-100 (100 for given coordinates).")
    place_name = models.CharField(max_length=200, blank=True)
    district = models.ForeignKey(
        "boundaries.Boundary", null=True, blank=True, on_delete=models.SET_NULL, related_name="incidents"
    )
    batch = models.ForeignKey(
        "geo_bco.ImportBatch", null=True, on_delete=models.SET_NULL, related_name="incidents",
        help_text="The import batch that last inserted or changed this record.",
    )
    content_hash = models.CharField(max_length=32, help_text="Digest of the imported content: tells updates from no-ops.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source_system", "source_id"], name="incident_unique_source_record"),
            # boundaries/service_area.py: why this box, and where its numbers come from
            models.CheckConstraint(condition=_inside_envelope(*SERVICE_ENVELOPE), name="incident_location_in_envelope"),
        ]
        indexes = [models.Index(fields=["occurred_at"]), models.Index(fields=["offence", "occurred_at"])]
        permissions = [
            ("view_exact_incident", "Can view incidents at their exact place and time"),
            ("view_sensitive_incident", "Can view sensitive offences record by record"),
        ]

    def __str__(self) -> str:
        return f"{self.source_system}:{self.source_id}"
