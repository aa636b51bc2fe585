from django.contrib.gis import admin

from .models import AnalysisRun, ImportBatch, Incident, OffenceType, Place, RejectedRow


@admin.register(OffenceType)
class OffenceTypeAdmin(admin.ModelAdmin):
    list_display = ("code", "label", "category", "sensitive")


@admin.register(Incident)
class IncidentAdmin(admin.GISModelAdmin):
    list_display = ("source_system", "source_id", "offence", "occurred_at", "geocode_precision", "district")
    list_filter = ("offence", "geocode_precision", "district")


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ("id", "file_name", "status", "rows_total", "inserted", "updated", "unchanged", "rejected")


@admin.register(RejectedRow)
class RejectedRowAdmin(admin.ModelAdmin):
    list_display = ("batch", "row_number", "reasons")


@admin.register(AnalysisRun)
class AnalysisRunAdmin(admin.ModelAdmin):
    list_display = ("id", "method", "label", "status", "input_count", "created_at", "finished_at")
    list_filter = ("method", "status")
    readonly_fields = ("parameters", "resolved_parameters", "input_filter", "log", "summary", "error")



@admin.register(Place)
class PlaceAdmin(admin.GISModelAdmin):
    list_display = ("name", "kind", "district", "population", "precision")
    list_filter = ("kind", "district")
    search_fields = ("name", "normalised_name")
