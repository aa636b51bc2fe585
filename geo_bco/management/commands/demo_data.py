from django.conf import settings
from django.core.management.base import BaseCommand

from geo_bco.demo import write_csv


class Command(BaseCommand):
    help = "Write a SYNTHETIC demo incident CSV around real Belize towns (seeded)."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=20000, help="about ten thousand a year, as in Belize")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--out", default=str(settings.VAR_DIR / "demo_incidents.csv"))

    def handle(self, *args, rows, seed, out, **opts):
        path = write_csv(out, rows=rows, seed=seed)
        self.stdout.write(f"wrote {rows} synthetic incidents (+ deliberate bad rows) to {path}")
