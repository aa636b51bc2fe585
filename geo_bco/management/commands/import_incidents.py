from django.core.management.base import BaseCommand, CommandError

from geo_bco.ingest import ReadError, import_file


class Command(BaseCommand):
    help = "Import a CSV of incidents (source_id, offence, occurred_at, latitude/longitude or easting/northing)."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--source", default="rms", help="source system the ids belong to (default: rms)")
        parser.add_argument("--force", action="store_true", help="process the file even if identical bytes were imported")
        parser.add_argument("--show-rejected", type=int, default=10, metavar="N", help="print the first N rejected rows")

    def handle(self, *args, path, source, force, show_rejected, **opts):
        try:
            result = import_file(path, source_system=source, force=force)
        except (ReadError, RuntimeError) as exc:
            raise CommandError(str(exc)) from exc
        for message in result.messages:
            self.stderr.write(message)
        self.stdout.write(f"{path}: batch {result.batch_id}: {result.tally()}")
        if result.rejected and show_rejected and not result.already_imported:
            from geo_bco.models import RejectedRow

            for row in RejectedRow.objects.filter(batch_id=result.batch_id)[:show_rejected]:
                why = "; ".join(f"{r['field']}: {r['message']}" for r in row.reasons)
                self.stdout.write(f"  row {row.row_number}: {why}")
            if result.rejected > show_rejected:
                self.stdout.write(f"  ... {result.rejected - show_rejected} more (admin: Rejected rows, batch {result.batch_id})")
