from django.contrib.gis import admin

from .models import Boundary, BoundarySet, Population


class PopulationInline(admin.TabularInline):
    model = Population
    extra = 0


@admin.register(Boundary)
class BoundaryAdmin(admin.GISModelAdmin):
    list_display = ("name", "code", "boundary_set", "area_km2")
    list_filter = ("boundary_set",)
    inlines = [PopulationInline]


admin.site.register(BoundarySet)
