from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate


class ServicesConfig(AppConfig):
    name = "services"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.conf import settings
        from pygeoapi.util import get_api_rules

        from geo_bco.signals import incidents_imported

        from .ogc import formats, html_config
        from .ogc.config import build_analyst_config, build_pygeoapi_config

        from . import refresh, tasks  # noqa: F401  registers the procrastinate tasks
        from .projections import apply_projections, drop_projections

        # The projections sit on top of the tables: out of the way while migrations
        # change them, then re-created from the registry, so they always match the code.
        pre_migrate.connect(drop_projections, sender=self, dispatch_uid="services-drop-projections")
        post_migrate.connect(apply_projections, sender=self, dispatch_uid="services-apply-projections")
        incidents_imported.connect(refresh.after_import, dispatch_uid="services-refresh-after-import")
        # The OGC collections come from the layer registry, which needs the models: the
        # settings leave PYGEOAPI_CONFIG empty and it is built here, once, from them
        # (and the analysts' API beside it).
        settings.PYGEOAPI_CONFIG = build_pygeoapi_config(public_url=settings.PUBLIC_URL, debug=settings.DEBUG)
        settings.API_RULES = get_api_rules(settings.PYGEOAPI_CONFIG)
        settings.BCO_ANALYST_OGC_CONFIG = build_analyst_config(public_url=settings.PUBLIC_URL, debug=settings.DEBUG)
        formats.register()  # f=csv with coordinates
        html_config.install()  # each API's HTML pages with its own configuration
