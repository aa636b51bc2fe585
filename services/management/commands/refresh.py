import argparse

from django.core.management.base import BaseCommand

from services.layers import REGISTRY
from services.projections import refresh_incidents
from services.refresh import refresh, standard_set


class Command(BaseCommand):
    help = ("Run the standard refresh now (the runs queued after every import): "
            "BCO_REFRESH_METHODS over all offences and per category.")

    def add_arguments(self, parser):
        parser.add_argument("--queue", action="store_true", help="queue each run for `bco worker` instead")
        parser.add_argument("--list", action="store_true", help="only list the runs of the standard set")
        parser.add_argument("--methods", type=self._methods, default=None, metavar="KIND[,KIND...]",
                            help="the same runs (all offences and per category) of these layer kinds instead of "
                                 "BCO_REFRESH_METHODS, e.g. forecast after a month's imports; 'all' for every kind "
                                 f"(the demo); kinds: {', '.join(REGISTRY)}")

    @staticmethod
    def _methods(value: str) -> list[str]:
        if value.strip() == "all":
            return list(REGISTRY)
        methods = [m.strip() for m in value.split(",") if m.strip()]
        unknown = [m for m in methods if m not in REGISTRY]
        if unknown or not methods:
            raise argparse.ArgumentTypeError(f"unknown layer kind {', '.join(unknown) or value!r}; "
                               f"one or more of {', '.join(REGISTRY)} separated by commas")
        return methods

    def handle(self, *args, queue, list, methods, **options):
        if list:
            for method, flt in standard_set(methods):
                self.stdout.write(f"{method} {flt or 'all offences'}")
            return
        refresh_incidents()
        runs = refresh(queue=queue, methods=methods, say=self.stdout.write)
        done = sum(r.status == "succeeded" for r in runs)
        self.stdout.write(f"{len(runs)} runs {'queued' if queue else f'done, {done} succeeded'}")
