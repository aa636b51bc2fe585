from django.contrib.gis import admin

from .models import AnalysisRun, ApiKey, AuditRecord, ImportBatch, Incident, OffenceType, Place, RejectedRow


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


@admin.register(AuditRecord)
class AuditRecordAdmin(admin.ModelAdmin):
    """Read-only: the model has only the view permission and the database refuses changes (migration 0007)."""

    list_display = ("at", "username", "auth_method", "collection", "feature_count", "client_address", "path")
    list_filter = ("collection", "auth_method")
    search_fields = ("username", "collection", "path")
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Keys are issued with `bco api-key create` (the key is shown once); here they are listed and revoked."""

    list_display = ("lookup", "user", "label", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("user", "lookup", "digest", "created_at", "last_used_at")
    fields = ("user", "label", "lookup", "digest", "created_at", "last_used_at", "revoked_at")

    def has_add_permission(self, request) -> bool:
        return False
