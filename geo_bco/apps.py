from django.apps import AppConfig


class GeoBcoConfig(AppConfig):
    name = "geo_bco"
    verbose_name = "Incidents"
    default_auto_field = "django.db.models.BigAutoField"
