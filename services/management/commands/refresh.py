from django.core.management.base import BaseCommand

from services.projections import refresh_incidents
from services.refresh import refresh, standard_set


class Command(BaseCommand):
    help = ("Run the standard refresh now (the runs queued after every import): "
            "BCO_REFRESH_METHODS over all offences and per category.")

    def add_arguments(self, parser):
        parser.add_argument("--queue", action="store_true", help="queue each run for `bco worker` instead")
        parser.add_argument("--list", action="store_true", help="only list the runs of the standard set")

    def handle(self, *args, queue, list, **options):
        if list:
            for method, flt in standard_set():
                self.stdout.write(f"{method} {flt or 'all offences'}")
            return
        refresh_incidents()
        runs = refresh(queue=queue, say=self.stdout.write)
        done = sum(r.status == "succeeded" for r in runs)
        self.stdout.write(f"{len(runs)} runs {'queued' if queue else f'done, {done} succeeded'}")
