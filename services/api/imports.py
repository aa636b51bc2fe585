"""Imports over HTTP, for data stewards: upload a file, read a batch report.

Only signed-in users with the ``geo_bco.add_importbatch`` permission (the data
steward role) may upload or read batches: rejected rows hold raw police data.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.conf import settings
from rest_framework import permissions, serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from geo_bco.ingest import ReadError, import_file
from geo_bco.ingest.profiles import DEFAULT, ProfileError, load_profile
from geo_bco.ingest.reading import EXCEL_SUFFIXES, TEXT_SUFFIXES
from geo_bco.models import ImportBatch
from geo_bco.quality import quality_report

ALLOWED_SUFFIXES = TEXT_SUFFIXES | EXCEL_SUFFIXES | {".geojson", ".json", ".gpkg", ".zip"}
MAX_REJECTED_SHOWN = 1000


class IsDataSteward(permissions.BasePermission):
    message = "importing needs the data steward role (permission geo_bco.add_importbatch)"

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.has_perm("geo_bco.add_importbatch"))


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    source = serializers.CharField(required=False, max_length=64)
    profile = serializers.RegexField(r"^[a-z0-9][a-z0-9_-]*$", required=False, max_length=64,
                                     help_text="name of a shipped profile, e.g. bpd-rms")
    force = serializers.BooleanField(required=False, default=False)

    def validate_file(self, value):
        suffix = Path(value.name).suffix.lower()
        if suffix not in ALLOWED_SUFFIXES:
            raise serializers.ValidationError(f"{value.name}: unsupported type {suffix!r}; use {sorted(ALLOWED_SUFFIXES)}")
        return value


def upload_too_large(request) -> Response | None:
    """413 naming the limit when the body is over ``MAX_IMPORT_UPLOAD_MB``, read from Content-Length
    before any of it is parsed (Django reads no further than Content-Length)."""
    limit_mb = settings.MAX_IMPORT_UPLOAD_MB
    try:
        size = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return Response({"file": ["unreadable Content-Length header"]}, status=status.HTTP_400_BAD_REQUEST)
    if size <= limit_mb * 1_000_000:
        return None
    return Response({"file": [f"upload of {size / 1e6:.1f} MB is over the {limit_mb:g} MB limit (BCO_MAX_IMPORT_UPLOAD_MB); "
                              "split the export, or import it on the server with `bco import FILE`"]},
                    status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)


def batch_summary(batch: ImportBatch) -> dict:
    return {
        "id": batch.pk, "source_system": batch.source_system, "file_name": Path(batch.file_name).name,
        "status": batch.status, "started_at": batch.started_at, "finished_at": batch.finished_at,
        "tally": {"rows": batch.rows_total, "inserted": batch.inserted, "updated": batch.updated,
                  "unchanged": batch.unchanged, "rejected": batch.rejected},
    }


def batch_report(batch: ImportBatch) -> dict:
    """The summary plus the first rejected rows, verbatim with their reasons."""
    rejected = list(batch.rejected_rows.all()[:MAX_REJECTED_SHOWN])
    return batch_summary(batch) | {
        "rejected_rows": [{"row": r.row_number, "reasons": r.reasons, "raw": r.raw} for r in rejected],
        "rejected_rows_shown": len(rejected),
    }


class ImportList(APIView):
    permission_classes = [IsDataSteward]
    parser_classes = [MultiPartParser]

    def get(self, request):
        return Response([batch_summary(b) for b in ImportBatch.objects.all()[:100]])

    def post(self, request):
        if (refusal := upload_too_large(request)) is not None:
            return refusal
        form = UploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        upload = form.validated_data["file"]
        try:
            profile = load_profile(form.validated_data["profile"]) if form.validated_data.get("profile") else DEFAULT
        except ProfileError as exc:
            return Response({"profile": [str(exc).split(": ", 1)[-1]]}, status=status.HTTP_400_BAD_REQUEST)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / Path(upload.name).name
            with open(path, "wb") as fh:
                for chunk in upload.chunks():
                    fh.write(chunk)
            try:
                result = import_file(path, source_system=form.validated_data.get("source"), profile=profile,
                                     force=form.validated_data["force"], file_name=upload.name)
            except ReadError as exc:
                return Response({"file": [str(exc).replace(str(path), upload.name)]}, status=status.HTTP_400_BAD_REQUEST)
        if result.error:
            return Response({"file": [result.error], "batch": result.batch_id}, status=status.HTTP_422_UNPROCESSABLE_ENTITY)
        batch = ImportBatch.objects.get(pk=result.batch_id)
        report = batch_report(batch) | {"already_imported": result.already_imported, "messages": list(result.messages)}
        return Response(report, status=status.HTTP_200_OK if result.already_imported else status.HTTP_201_CREATED)


class ImportDetail(APIView):
    permission_classes = [IsDataSteward]

    def get(self, request, pk: int):
        batch = ImportBatch.objects.filter(pk=pk).first()
        if batch is None:
            return Response({"detail": f"no import batch {pk}"}, status=status.HTTP_404_NOT_FOUND)
        return Response(batch_report(batch))


class QualityReport(APIView):
    permission_classes = [IsDataSteward]

    def get(self, request, source: str):
        try:
            days = int(request.query_params.get("days", 90))
        except ValueError:
            return Response({"days": ["a whole number of days"]}, status=status.HTTP_400_BAD_REQUEST)
        return Response(quality_report(source, days=max(1, min(days, 3650))))
