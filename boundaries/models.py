"""Boundary sets and their polygons, with population as data (year and source always kept)."""

from __future__ import annotations

from django.contrib.gis.db import models


class BoundarySet(models.Model):
    """A family of polygons that tile (part of) the country: districts, constituencies, ..."""

    slug = models.SlugField(unique=True, help_text="Stable identifier, e.g. 'districts'.")
    name = models.CharField(max_length=200)
    source = models.TextField(help_text="Where the polygons come from (publisher, product, version).")
    licence = models.CharField(max_length=200, blank=True)
    loaded_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.name


class Boundary(models.Model):
    boundary_set = models.ForeignKey(BoundarySet, on_delete=models.CASCADE, related_name="boundaries")
    code = models.CharField(max_length=64, help_text="Official code, e.g. ISO 3166-2 'BZ-CY'.")
    name = models.CharField(max_length=200)
    geom = models.MultiPolygonField(srid=4326)
    area_km2 = models.FloatField(help_text="Area computed in EPSG:32616 (UTM 16N).")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["boundary_set", "code"], name="boundary_unique_code")]
        ordering = ["boundary_set", "name"]
        verbose_name_plural = "boundaries"

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Population(models.Model):
    """A population figure for one boundary and year; rates always cite year and source."""

    class Kind(models.TextChoices):
        CENSUS = "census", "census"
        ESTIMATE = "estimate", "mid-year estimate"

    boundary = models.ForeignKey(Boundary, on_delete=models.CASCADE, related_name="populations")
    year = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=16, choices=Kind.choices)
    population = models.PositiveIntegerField()
    source = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["boundary", "year", "kind"], name="population_unique_year_kind")
        ]
        ordering = ["boundary", "-year"]
