from django.apps import AppConfig


class ServicesConfig(AppConfig):
    name = "services"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import tasks  # noqa: F401  registers the procrastinate tasks
        from .ogc import formats

        formats.register()
