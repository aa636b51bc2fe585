from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from geo_bco.backup import BackupError, restore


class Command(BaseCommand):
    help = ("Restore a `bco backup` file into DATABASE_URL's database (which must be empty, unless --replace) and "
            "BCO_VAR_DIR, then check every table's row count against the backup's.")

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--replace", action="store_true", help="drop and replace what the database holds")

    def handle(self, *args, path, replace, **options):
        try:
            manifest = restore(path, replace=replace)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{path}: restored the backup of {manifest['created']}: {len(manifest['tables'])} tables, "
                          "every row count equal to the backup's")
