from django.core.management.base import BaseCommand, CommandError

from geo_bco.gazetteer import load_belize_gazetteer, load_gazetteer_csv


class Command(BaseCommand):
    help = (
        "Load the place-name gazetteer: --belize for the shipped GeoNames places and the six districts, "
        "or a CSV of your own places (name, latitude, longitude, kind, district_iso or district, "
        "optional population and alternatenames)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="CSV of places to add or correct")
        parser.add_argument("--belize", action="store_true", help="load the shipped GeoNames places and the districts")
        parser.add_argument("--source", default="", help="who made the CSV and when (stored with every place)")

    def handle(self, *args, path, belize, source, **opts):
        if belize == bool(path):
            raise CommandError("give either --belize or a CSV path (with --source)")
        try:
            results = load_belize_gazetteer() if belize else [load_gazetteer_csv(path, source=source)]
        except (ValueError, RuntimeError) as exc:
            raise CommandError(str(exc)) from exc
        for result in results:
            self.stdout.write(result.tally())
        if belize:
            self.stdout.write("Place names: GeoNames (geonames.org), CC BY 4.0.")
