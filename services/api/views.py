"""Public REST API (GeoJSON). Reads only the public views: see services/models.py."""

from rest_framework import generics
from rest_framework_gis.filters import InBBoxFilter
from rest_framework_gis.pagination import GeoJsonPagination

from ..models import PublicDistrict, PublicIncident, PublicKdeContour
from . import serializers


class FeaturePages(GeoJsonPagination):
    """FeatureCollection pages: ``?page=N&page_size=M`` (default 1000, at most 10000)."""

    page_size = 1000
    max_page_size = 10000


class DistrictList(generics.ListAPIView):
    queryset = PublicDistrict.objects.order_by("name")
    serializer_class = serializers.DistrictSerializer
    pagination_class = None


class IncidentList(generics.ListAPIView):
    """Public incidents; ``?in_bbox=minlon,minlat,maxlon,maxlat`` narrows to an area."""

    queryset = PublicIncident.objects.order_by("id")
    serializer_class = serializers.IncidentSerializer
    pagination_class = FeaturePages
    filter_backends = [InBBoxFilter]
    bbox_filter_field = "geom"
    bbox_filter_include_overlapping = True


class KdeContourList(generics.ListAPIView):
    """Bands of the latest successful kernel density run, hottest last (drawn on top)."""

    queryset = PublicKdeContour.objects.order_by("-band")
    serializer_class = serializers.KdeContourSerializer
    pagination_class = None
