"""The offline Belize gazetteer: named places with a point, a district and the precision
a match to them is worth.

Imports whose rows carry a place name instead of coordinates are geocoded against this
table (``geo_bco.geocoding.Gazetteer``). It starts from GeoNames (towns and villages of
500+ people) plus the six districts, and data stewards extend it with their own CSVs
(small villages, Belize City neighbourhoods): see ``geo_bco.gazetteer``.
"""

from __future__ import annotations

from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.db.models import Q

from .incidents import GeocodePrecision


class Place(models.Model):
    """One named place. A name is unique within its district (the district column of an
    import can always settle which one is meant); a district is itself a place of kind
    ``district`` whose point lies inside its polygon, so a row naming only the district
    still gets a point, at district precision."""

    class Kind(models.TextChoices):
        DISTRICT = "district"
        TOWN = "town"
        VILLAGE = "village"
        NEIGHBOURHOOD = "neighbourhood"
        OTHER = "other"

    name = models.CharField(max_length=200, help_text="The usual spelling, as shown to people.")
    normalised_name = models.CharField(
        max_length=200, db_index=True, help_text="geo_bco.geocoding.normalise(name): what matching compares."
    )
    alternate_names = ArrayField(
        models.CharField(max_length=200), default=list, blank=True,
        help_text="Other spellings, already normalised (GeoNames' Latin-script variants, district codes, ...).",
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    district = models.ForeignKey(
        "boundaries.Boundary", on_delete=models.PROTECT, related_name="places",
        limit_choices_to={"boundary_set__slug": "districts"},
        help_text="The district (boundary set 'districts') the place belongs to; for a district, itself.",
    )
    point = models.PointField(srid=4326)
    population = models.PositiveIntegerField(null=True, blank=True, help_text="As given by the source; often old.")
    source = models.TextField(help_text="Where the place came from (publisher, product, licence).")
    precision = models.CharField(
        max_length=16, choices=GeocodePrecision.choices,
        help_text="What a match to this place is worth: 'district' for districts, 'locality' otherwise.",
    )

    class Meta:
        ordering = ["district", "normalised_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "normalised_name"], condition=~Q(kind="district"), name="place_unique_name_in_district"
            ),
            models.UniqueConstraint(fields=["district"], condition=Q(kind="district"), name="place_one_per_district"),
            models.CheckConstraint(
                condition=Q(kind="district", precision=GeocodePrecision.DISTRICT)
                | (~Q(kind="district") & Q(precision=GeocodePrecision.LOCALITY)),
                name="place_precision_follows_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"
