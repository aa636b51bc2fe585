from django.core.management.base import BaseCommand, CommandError

from boundaries.loading import load_belize_reference, load_boundaries, load_population


class Command(BaseCommand):
    help = "Load a boundary set from any OGR-readable file, or (--belize) the shipped Belize reference data."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="GeoJSON, GPKG, shapefile, ... (anything GDAL reads)")
        parser.add_argument("--belize", action="store_true", help="load the shipped country outline, districts and population")
        parser.add_argument("--slug", help="boundary set id, e.g. 'constituencies'")
        parser.add_argument("--name", help="boundary set title")
        parser.add_argument("--code-field", help="attribute holding each polygon's code")
        parser.add_argument("--name-field", help="attribute holding each polygon's name")
        parser.add_argument("--source", default="", help="publisher, product and version")
        parser.add_argument("--licence", default="")
        parser.add_argument("--layer", help="layer name inside a multi-layer file")
        parser.add_argument("--population", help="CSV of district_iso,population,year,kind,source to attach")

    def handle(self, *args, **opts):
        try:
            if opts["belize"]:
                for r in load_belize_reference():
                    self.stdout.write(f"{r.boundary_set}: {r.created} created, {r.updated} updated")
                return
            needed = ["path", "slug", "code_field", "name_field"]
            missing = [f"--{n.replace('_', '-')}" if n != "path" else "PATH" for n in needed if not opts[n]]
            if missing:
                raise CommandError(f"missing {', '.join(missing)} (or use --belize)")
            r = load_boundaries(
                opts["path"], slug=opts["slug"], name=opts["name"] or opts["slug"],
                code_field=opts["code_field"], name_field=opts["name_field"],
                source=opts["source"], licence=opts["licence"], layer=opts["layer"],
            )
            self.stdout.write(f"{r.boundary_set}: {r.created} created, {r.updated} updated")
            if opts["population"]:
                n = load_population(opts["population"], boundary_set=opts["slug"])
                self.stdout.write(f"population: {n} rows")
        except (ValueError, OSError) as exc:
            raise CommandError(str(exc)) from exc
