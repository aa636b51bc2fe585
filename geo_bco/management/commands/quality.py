import json

from django.core.management.base import BaseCommand

from geo_bco.quality import format_report, quality_report


class Command(BaseCommand):
    help = "Data quality report for one source: geocoding precision, rejection reasons, late corrections."

    def add_arguments(self, parser):
        parser.add_argument("--source", required=True)
        parser.add_argument("--days", type=int, default=90)
        parser.add_argument("--json", action="store_true", dest="as_json", help="machine-readable output")

    def handle(self, *args, source, days, as_json, **opts):
        report = quality_report(source, days=days)
        self.stdout.write(json.dumps(report, indent=2) if as_json else format_report(report))
