from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from pygeoapi.config import validate_config
from pygeoapi.util import yaml_dump


class Command(BaseCommand):
    help = "Validate the generated pygeoapi configuration and write it as YAML (for pygeoapi's own tools)."

    def add_arguments(self, parser):
        parser.add_argument("--out", default=str(settings.VAR_DIR / "pygeoapi-config.yml"))

    def handle(self, *args, out, **opts):
        try:
            validate_config(settings.PYGEOAPI_CONFIG)
        except Exception as exc:
            raise CommandError(f"pygeoapi configuration is invalid: {exc}") from exc
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        yaml_dump(settings.PYGEOAPI_CONFIG, out)
        self.stdout.write(f"valid; written to {out} (contains database credentials: keep it private)")
