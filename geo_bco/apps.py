from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


def _sync_role_groups(sender, **kwargs) -> None:
    # post_migrate is sent once per app, after that app's permissions are created: wait
    # for the last app, so that every permission a role may name exists.
    if sender is list(apps.get_app_configs())[-1]:
        from .roles import sync_groups

        sync_groups()


class GeoBcoConfig(AppConfig):
    name = "geo_bco"
    verbose_name = "Incidents"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        post_migrate.connect(_sync_role_groups, dispatch_uid="geo_bco.sync_role_groups")
