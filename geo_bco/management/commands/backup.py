from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from geo_bco.backup import BackupError, backup


class Command(BaseCommand):
    help = ("Back up the database (pg_dump, custom format) and the service's files (BCO_VAR_DIR) into one tar "
            "file, with the row count of every table. It holds the secret key and police records: keep it safe.")

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="the backup file to write, e.g. backups/geo-bco-2026-12-01.tar")

    def handle(self, *args, path, **options):
        try:
            manifest = backup(path)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        tables = manifest["tables"]
        self.stdout.write(f"{path}: {len(tables)} tables, {sum(tables.values()):,} rows, and the files of the var folder")
