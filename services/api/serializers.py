from rest_framework_gis.serializers import GeoFeatureModelSerializer

from ..models import PublicDistrict, PublicIncident, PublicKdeContour


class DistrictSerializer(GeoFeatureModelSerializer):
    class Meta:
        model = PublicDistrict
        geo_field = "geom"
        fields = ["id", "code", "name", "area_km2", "population", "population_year", "population_kind", "population_source"]


class IncidentSerializer(GeoFeatureModelSerializer):
    class Meta:
        model = PublicIncident
        geo_field = "geom"
        fields = ["id", "offence", "offence_label", "category", "occurred_on", "geocode_precision", "district"]


class KdeContourSerializer(GeoFeatureModelSerializer):
    class Meta:
        model = PublicKdeContour
        geo_field = "geom"
        fields = ["id", "run_id", "band", "top_share", "density_threshold_per_km2", "area_km2", "incident_share",
                  "run_finished_at"]
