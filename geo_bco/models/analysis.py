"""Analysis runs: the record of every analysis (method, parameters, input, outcome)."""

from __future__ import annotations

from django.contrib.gis.db import models


class AnalysisRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        FAILED = "failed"

    method = models.CharField(max_length=32, help_text="e.g. 'kde'.")
    label = models.CharField(max_length=300, blank=True, help_text="The run in words: method and selection.")
    parameters = models.JSONField(default=dict, help_text="Method parameters as the user gave them.")
    resolved_parameters = models.JSONField(
        default=dict, help_text="Every parameter the method used, defaults and automatic choices resolved.")
    input_filter = models.JSONField(default=dict, help_text="Which incidents went in (offences, dates, precisions).")
    input_count = models.PositiveIntegerField(null=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    log = models.JSONField(default=list, help_text="Human-readable decisions the method took.")
    summary = models.JSONField(
        default=dict, blank=True, help_text="Non-spatial results (e.g. the Knox table of a near-repeat run).")
    error = models.TextField(blank=True)
    software_version = models.CharField(max_length=32)
    job_id = models.BigIntegerField(null=True, blank=True, help_text="procrastinate job id when queued.")
    attempts = models.PositiveSmallIntegerField(default=0, help_text="How many times execution started.")
    worker = models.CharField(
        max_length=200, blank=True, help_text="host:pid of the process executing the run (to recover a killed one).")
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
