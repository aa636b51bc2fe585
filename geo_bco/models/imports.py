"""Import batches and rejected rows: every input row is accounted for."""

from __future__ import annotations

from django.db import models


class ImportBatch(models.Model):
    """One run of ``bco import`` over one file. ``rows_total`` always equals
    inserted + updated + unchanged + rejected."""

    class Status(models.TextChoices):
        RUNNING = "running"
        COMPLETED = "completed"
        FAILED = "failed"

    source_system = models.CharField(max_length=64)
    file_name = models.CharField(max_length=500)
    file_sha256 = models.CharField(max_length=64, db_index=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True)
    rows_total = models.PositiveIntegerField(default=0)
    inserted = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name_plural = "import batches"
        permissions = [("view_quality_report", "Can view data quality reports")]

    def __str__(self) -> str:
        return f"batch {self.pk}: {self.file_name}"


class RejectedRow(models.Model):
    """A row that did not become an incident, kept verbatim with machine-readable reasons
    (a list of ``{"field", "code", "message"}``) so it can be corrected and re-imported."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="rejected_rows")
    row_number = models.PositiveIntegerField(help_text="1-based data row (the header is row 0).")
    raw = models.JSONField(help_text="The row as read: column name -> text, unchanged.")
    reasons = models.JSONField()

    class Meta:
        ordering = ["batch", "row_number"]
