from django.core.management.base import BaseCommand, CommandError

from geo_bco.ingest import ReadError, import_file
from geo_bco.ingest.profiles import DEFAULT, ProfileError, load_profile


class Command(BaseCommand):
    help = (
        "Import a police export (CSV, XLSX, GeoJSON, GeoPackage, shapefile). Without --profile the file uses "
        "our column names: source_id, offence, occurred_at, latitude/longitude or easting/northing or place."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--profile", help="mapping profile: a shipped name (bpd-rms) or a .toml path")
        parser.add_argument("--source", help="source system the ids belong to (default: the profile's, else 'rms')")
        parser.add_argument("--sheet", help="worksheet of an .xlsx (default: the first)")
        parser.add_argument("--layer", help="layer of a GeoPackage or other multi-layer file")
        parser.add_argument("--force", action="store_true", help="process the file even if identical bytes were imported")
        parser.add_argument("--show-rejected", type=int, default=10, metavar="N", help="print the first N rejected rows")

    def handle(self, *args, path, profile, source, sheet, layer, force, show_rejected, **opts):
        try:
            chosen = load_profile(profile) if profile else DEFAULT
            result = import_file(path, source_system=source, profile=chosen, force=force, sheet=sheet, layer=layer,
                                 progress=lambda line: self.stderr.write(f"  {line}"))
        except (ReadError, ProfileError, RuntimeError) as exc:
            raise CommandError(str(exc)) from exc
        if result.error:
            raise CommandError(result.error)
        for message in result.messages:
            self.stderr.write(message)
        self.stdout.write(f"{path}: batch {result.batch_id}: {result.tally()}")
        if result.rejected and show_rejected and not result.already_imported:
            from geo_bco.models import RejectedRow

            for row in RejectedRow.objects.filter(batch_id=result.batch_id)[:show_rejected]:
                why = "; ".join(f"{r['field']}: {r['message']}" for r in row.reasons)
                self.stdout.write(f"  row {row.row_number}: {why}")
            if result.rejected > show_rejected:
                self.stdout.write(f"  ... {result.rejected - show_rejected} more: GET /api/imports/{result.batch_id}/ or the admin")
