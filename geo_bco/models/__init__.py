from .access import ApiKey, AuditRecord
from .analysis import AnalysisRun, KdeContour
from .gazetteer import Place
from .imports import ImportBatch, RejectedRow
from .incidents import GeocodePrecision, Incident, OffenceType

__all__ = [
    "AnalysisRun",
    "ApiKey",
    "AuditRecord",
    "GeocodePrecision",
    "ImportBatch",
    "Incident",
    "KdeContour",
    "OffenceType",
    "Place",
    "RejectedRow",
]
