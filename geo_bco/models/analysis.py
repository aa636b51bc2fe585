"""Analysis runs and the derived layers they write. Every layer row points at its run."""

from __future__ import annotations

from django.contrib.gis.db import models


class AnalysisRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        FAILED = "failed"

    method = models.CharField(max_length=32, help_text="e.g. 'kde'.")
    parameters = models.JSONField(default=dict, help_text="Method parameters as given and as resolved.")
    input_filter = models.JSONField(default=dict, help_text="Which incidents went in (offences, dates, precisions).")
    input_count = models.PositiveIntegerField(null=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    log = models.JSONField(default=list, help_text="Human-readable decisions the method took.")
    error = models.TextField(blank=True)
    software_version = models.CharField(max_length=32)
    job_id = models.BigIntegerField(null=True, blank=True, help_text="procrastinate job id when queued.")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True)
    finished_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["-created_at"]
        permissions = [
            ("view_analyst_layer", "Can view every layer and run in full (analyst projections)"),
            ("view_aggregate_layer", "Can view aggregated layers computed from every offence"),
            ("view_dashboard", "Can view dashboards"),
        ]

    def __str__(self) -> str:
        return f"{self.method} run {self.pk} ({self.status})"


class KdeContour(models.Model):
    """One density band of a kernel density run (band 1 = the hottest)."""

    run = models.ForeignKey(AnalysisRun, on_delete=models.CASCADE, related_name="kde_contours")
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
