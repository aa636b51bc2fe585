from django.core.management.base import BaseCommand

from services.tiles.prerender import prerender


class Command(BaseCommand):
    help = ("Render every tile over Belize up to --max-zoom into the tile cache (the standard refresh "
            "does this when it ends: BCO_PRERENDER_MAX_ZOOM).")

    def add_arguments(self, parser):
        parser.add_argument("--max-zoom", type=int, default=8, choices=range(0, 15), metavar="0-14",
                            help="the highest zoom to render (default 8: the district views)")

    def handle(self, *args, max_zoom, **options):
        prerender(max_zoom, self.stdout.write)
