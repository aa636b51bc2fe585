from .access import ApiKey, AuditRecord
from .analysis import AnalysisRun
from .gazetteer import Place
from .imports import ImportBatch, RejectedRow
from .incidents import GeocodePrecision, Incident, OffenceType
from .layers import (AreaCount, ClusterPolygon, EmergingCell, ForecastCell, HotSpotCell, KdeContour, LayerRow,
                     NearRepeatLabel)

__all__ = [
    "AnalysisRun",
    "ApiKey",
    "AuditRecord",
    "AreaCount",
    "ClusterPolygon",
    "EmergingCell",
    "ForecastCell",
    "GeocodePrecision",
    "HotSpotCell",
    "ImportBatch",
    "Incident",
    "KdeContour",
    "LayerRow",
    "NearRepeatLabel",
    "OffenceType",
    "Place",
    "RejectedRow",
]
