"""Derived layers: one table per layer kind, every row tied to the run that wrote it.

What each kind means, how it is computed and who may see it is declared once in the
layer registry (``services/layers.py``); these models only store the rows.
"""

from __future__ import annotations

from django.contrib.gis.db import models

from .analysis import AnalysisRun
from .incidents import Incident


class LayerRow(models.Model):
    """Base of every derived layer table: the run foreign key (rows are deleted with their run)."""

    run = models.ForeignKey(AnalysisRun, on_delete=models.CASCADE, related_name="%(class)s_rows")

    class Meta:
        abstract = True


class KdeContour(LayerRow):
    """One density band of a kernel density run (band 1 = the hottest)."""

    band = models.PositiveSmallIntegerField()
    top_share = models.FloatField(help_text="Share of the non-zero-density area this band covers (cumulative).")
    threshold = models.FloatField(help_text="Lowest density inside the band, incidents per km^2.")
    area_km2 = models.FloatField()
    incident_share = models.FloatField(
        null=True, help_text="Share of the density surface (about the share of incidents) inside the band.")
    geom = models.MultiPolygonField(srid=4326)

    class Meta:
        ordering = ["run", "band"]
        constraints = [models.UniqueConstraint(fields=["run", "band"], name="kde_contour_unique_band")]


class ClusterPolygon(LayerRow):
    """One cluster of incidents (DBSCAN / HDBSCAN hull, or an NNH ellipse or hull of one order)."""

    method = models.CharField(max_length=16, help_text="dbscan, hdbscan or nnh.")
    order = models.PositiveSmallIntegerField(default=1, help_text="NNH order (1 = first-order clusters).")
    cluster = models.PositiveIntegerField()
    incident_count = models.PositiveIntegerField()
    incident_share = models.FloatField(help_text="Share of the run's incidents in this cluster.")
    first_date = models.DateField()
    last_date = models.DateField()
    main_offence = models.CharField(max_length=64)
    main_offence_share = models.FloatField()
    area_km2 = models.FloatField()
    geom = models.PolygonField(srid=4326)

    class Meta:
        ordering = ["run", "order", "cluster"]
        constraints = [models.UniqueConstraint(fields=["run", "order", "cluster"], name="cluster_unique_per_run")]


class HotSpotCell(LayerRow):
    """One cell (grid cell or boundary polygon) of a Getis-Ord Gi* run."""

    cell = models.PositiveIntegerField(help_text="Cell number within the run.")
    name = models.CharField(max_length=200, blank=True, help_text="The boundary's name, for boundary cells.")
    incident_count = models.PositiveIntegerField()
    z_score = models.FloatField(null=True)
    p_value = models.FloatField(null=True)
    p_value_fdr = models.FloatField(null=True)
    confidence_bin = models.SmallIntegerField(help_text="Esri Gi_Bin: +-3/2/1 = hot/cold at 99/95/90%, 0 = none.")
    n_neighbours = models.PositiveIntegerField()
    geom = models.MultiPolygonField(srid=4326)

    class Meta:
        ordering = ["run", "cell"]
        constraints = [models.UniqueConstraint(fields=["run", "cell"], name="hotspot_unique_cell")]


class EmergingCell(LayerRow):
    """One cell of an emerging hot spot run: its category and the trend of its Gi* z-scores."""

    cell = models.PositiveIntegerField()
    category = models.CharField(max_length=40)
    category_code = models.SmallIntegerField(help_text="Esri's code, -8..8 (0 = no pattern).")
    trend_z = models.FloatField(null=True)
    trend_p = models.FloatField(null=True)
    incident_count = models.PositiveIntegerField()
    geom = models.MultiPolygonField(srid=4326)

    class Meta:
        ordering = ["run", "cell"]
        constraints = [models.UniqueConstraint(fields=["run", "cell"], name="emerging_unique_cell")]


class NearRepeatLabel(LayerRow):
    """One incident's near-repeat role (exact point and time: analysts only, never public)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="+")
    label = models.CharField(max_length=16, help_text="originator, repeat, near repeat or isolated.")
    occurred_at = models.DateTimeField()
    offence = models.CharField(max_length=64)
    geom = models.PointField(srid=4326)

    class Meta:
        ordering = ["run", "incident"]
        constraints = [models.UniqueConstraint(fields=["run", "incident"], name="near_repeat_unique_incident")]


class AreaCount(LayerRow):
    """Incidents in one boundary, offence category and period, with the previous period and the rate."""

    boundary = models.ForeignKey("boundaries.Boundary", on_delete=models.CASCADE, related_name="+")
    boundary_set = models.CharField(max_length=50)
    code = models.CharField(max_length=64)
    name = models.CharField(max_length=200)
    category = models.CharField(max_length=64, help_text="Offence category, or 'all'.")
    period = models.CharField(max_length=8, help_text="month, 28d (last 28 days) or ytd (year to date).")
    period_start = models.DateField()
    period_end = models.DateField(help_text="Last day, inclusive.")
    incident_count = models.PositiveIntegerField()
    previous_start = models.DateField()
    previous_end = models.DateField()
    previous_count = models.PositiveIntegerField()
    change = models.IntegerField()
    pct_change = models.FloatField(null=True, help_text="Null when the previous count is 0 (as Esri's Summarize).")
    population = models.PositiveIntegerField(null=True)
    population_year = models.PositiveSmallIntegerField(null=True)
    population_source = models.TextField(blank=True)
    rate_per_100k = models.FloatField(null=True)
    small_count = models.BooleanField(
        help_text="This or the previous count is under the public minimum (BCO_PUBLIC_MIN_COUNT), but not 0.")
    geom = models.MultiPolygonField(srid=4326)

    class Meta:
        ordering = ["run", "boundary_set", "code", "category", "period", "period_start"]
        indexes = [models.Index(fields=["run", "period", "period_start"])]


class ForecastCell(LayerRow):
    """One cell in the top 5% of a forecast run: where the chosen method expects next period's crime."""

    cell = models.PositiveIntegerField()
    name = models.CharField(max_length=200, blank=True, help_text="The boundary's name, for boundary cells.")
    score = models.FloatField(help_text="The winning method's score for the next period (higher = more expected).")
    rank = models.PositiveIntegerField(help_text="1 = the cell expected to hold the most crime.")
    top_share = models.FloatField(help_text="The smallest top share (0.01, 0.03, 0.05) of the area the cell is in.")
    geom = models.MultiPolygonField(srid=4326)

    class Meta:
        ordering = ["run", "rank"]
        constraints = [models.UniqueConstraint(fields=["run", "cell"], name="forecast_unique_cell")]
