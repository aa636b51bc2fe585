import argparse

from django.core.management import call_command
from django.core.management.base import BaseCommand

from services.jobs.runs import recover_interrupted_runs


class Command(BaseCommand):
    help = "Recover runs a killed worker left behind, then process the analysis queue (procrastinate worker)."

    def add_arguments(self, parser):
        parser.add_argument("--concurrency", type=int, default=1)
        parser.add_argument("--wait", action=argparse.BooleanOptionalAction, default=True,
                            help="keep waiting for jobs (--no-wait: stop when the queue is empty)")

    def handle(self, *args, concurrency, wait, **options):
        for message in recover_interrupted_runs():
            self.stderr.write(message)
        call_command("procrastinate", "worker", "--queues", "analysis", "--concurrency", str(concurrency),
                     *([] if wait else ["--one-shot"]))
