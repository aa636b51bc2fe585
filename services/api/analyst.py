"""Analyst-only REST endpoints: exact data, every offence, each read audited (services/access.py)."""

from __future__ import annotations

from datetime import date

from django.contrib.gis.geos import Polygon
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from geo_bco.models import Incident

from ..access import record_exact_read, require_role

MAX_FEATURES = 10_000


class ExactIncidentSerializer(GeoFeatureModelSerializer):
    offence = serializers.SlugRelatedField(slug_field="code", read_only=True)
    sensitive = serializers.BooleanField(source="offence.sensitive", read_only=True)
    district = serializers.CharField(source="district.name", default=None, read_only=True)

    class Meta:
        model = Incident
        geo_field = "location"
        fields = ["id", "source_system", "source_id", "offence", "sensitive", "occurred_at",
                  "geocode_precision", "place_name", "district"]


class ExactIncidentFilter(serializers.Serializer):
    bbox = serializers.CharField(required=False, help_text="minlon,minlat,maxlon,maxlat (WGS84)")
    offence = serializers.SlugField(required=False)
    since = serializers.DateField(required=False)
    until = serializers.DateField(required=False)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=MAX_FEATURES, default=1000)

    def validate_bbox(self, value: str) -> list[float]:
        try:
            box = [float(v) for v in value.split(",")]
        except ValueError:
            raise serializers.ValidationError("four numbers: minlon,minlat,maxlon,maxlat") from None
        if len(box) != 4 or not (box[0] < box[2] and box[1] < box[3]):
            raise serializers.ValidationError("four numbers: minlon,minlat,maxlon,maxlat, min below max")
        return box


class ExactIncidentList(APIView):
    """Exact incidents with their time, sensitive offences included, as GeoJSON: the analyst role only.

    ``?bbox=minlon,minlat,maxlon,maxlat&offence=burglary&since=2025-01-01&until=2025-06-30&limit=1000``
    (newest first, at most 10,000). Every answer is recorded in the audit trail.
    """

    def get(self, request):
        if (refusal := require_role(request, "analyst")) is not None:
            return refusal
        form = ExactIncidentFilter(data=request.query_params)
        form.is_valid(raise_exception=True)
        given = form.validated_data
        rows = Incident.objects.select_related("offence", "district").order_by("-occurred_at", "-id")
        if "bbox" in given:
            rows = rows.filter(location__intersects=Polygon.from_bbox(given["bbox"]))
        if "offence" in given:
            rows = rows.filter(offence__code=given["offence"])
        if "since" in given:
            rows = rows.filter(occurred_at__date__gte=given["since"])
        if "until" in given:
            rows = rows.filter(occurred_at__date__lte=given["until"])
        rows = list(rows[:given["limit"]])
        filters = {k: v.isoformat() if isinstance(v, date) else v for k, v in given.items() if k != "bbox"}
        record_exact_read(request, collection="incidents", feature_count=len(rows),
                          filters=filters, bbox=given.get("bbox"))
        return Response(ExactIncidentSerializer(rows, many=True).data, status=status.HTTP_200_OK)
