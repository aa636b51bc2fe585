from django.core.management.base import BaseCommand, CommandError

from services.bulletins import build, parse_month


class Command(BaseCommand):
    help = "Write a month's bulletin (HTML and PDF) from the public layers, into BCO_BULLETIN_DIR (served at /bulletins/)."

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="the month, as YYYY-MM")
        parser.add_argument("--lang", default="en", help="language: en or es (default en)")
        parser.add_argument("--district", help="a district's own bulletin (default: the whole country)")
        parser.add_argument("--out", help="folder to write to (default BCO_BULLETIN_DIR)")

    def handle(self, *args, month, lang, district, out, **options):
        try:
            paths = build(parse_month(month), lang=lang, district=district, out_dir=out)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        for path in paths:
            self.stdout.write(str(path))
