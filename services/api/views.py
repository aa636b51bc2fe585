"""Public REST API (GeoJSON). Reads only the public views: see services/models.py."""

import math

from rest_framework import generics
from rest_framework.exceptions import ParseError
from rest_framework_gis.filters import InBBoxFilter
from rest_framework_gis.pagination import GeoJsonPagination

from ..models import PublicDistrict, PublicIncident, PublicKdeContour
from . import serializers


class FeaturePages(GeoJsonPagination):
    """FeatureCollection pages: ``?page=N&page_size=M`` (default 1000, at most 10000)."""

    page_size = 1000
    max_page_size = 10000


class FiniteInBBoxFilter(InBBoxFilter):
    """``in_bbox`` with four finite numbers, else a 400 naming the parameter (NaN reached PostGIS)."""

    def get_filter_bbox(self, request):
        text = request.query_params.get(self.bbox_param) or ""
        try:
            numbers = [float(n) for n in text.split(",")] if text else []
        except ValueError:
            numbers = []  # not numbers at all: the parent class reports it
        if not all(math.isfinite(v) for v in numbers):
            raise ParseError(f"{self.bbox_param}: every coordinate must be a finite number")
        return super().get_filter_bbox(request)


class DistrictList(generics.ListAPIView):
    queryset = PublicDistrict.objects.order_by("name")
    serializer_class = serializers.DistrictSerializer
    pagination_class = None


class IncidentList(generics.ListAPIView):
    """Public incidents; ``?in_bbox=minlon,minlat,maxlon,maxlat`` narrows to an area."""

    queryset = PublicIncident.objects.order_by("id")
    serializer_class = serializers.IncidentSerializer
    pagination_class = FeaturePages
    filter_backends = [FiniteInBBoxFilter]
    bbox_filter_field = "geom"
    bbox_filter_include_overlapping = True


class KdeContourList(generics.ListAPIView):
    """Bands of the latest successful kernel density run, hottest last (drawn on top)."""

    queryset = PublicKdeContour.objects.order_by("-band")
    serializer_class = serializers.KdeContourSerializer
    pagination_class = None
