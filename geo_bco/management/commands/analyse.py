from datetime import date

from django.core.management.base import BaseCommand, CommandError

from services.jobs import create_run, execute_run
from services.jobs.selection import normalise_filter


class Command(BaseCommand):
    help = "Run an analysis now, or queue it for a worker (--queue). Methods: kde."

    def add_arguments(self, parser):
        parser.add_argument("method", choices=["kde"])
        parser.add_argument("--offence", action="append", help="offence code; repeat for several (default: all)")
        parser.add_argument("--since", type=date.fromisoformat, help="first day, YYYY-MM-DD")
        parser.add_argument("--until", type=date.fromisoformat, help="last day (inclusive), YYYY-MM-DD")
        parser.add_argument("--bandwidth", type=float, help="metres (default: Esri's spatial Silverman rule)")
        parser.add_argument("--cell-size", type=float, help="metres (default: shorter extent side / 250)")
        parser.add_argument("--kernel", choices=["quartic", "gaussian"], default="quartic")
        parser.add_argument("--queue", action="store_true", help="queue for `bco worker` instead of running now")

    def handle(self, *args, method, offence, since, until, bandwidth, cell_size, kernel, queue, **opts):
        if since and until and since > until:
            raise CommandError(f"--since {since} is after --until {until}")
        params = {"bandwidth": bandwidth or "auto", "cell_size": cell_size, "kernel": kernel}
        run = create_run(method, parameters=params, input_filter=normalise_filter(offences=offence, since=since, until=until))
        if queue:
            from services.tasks import enqueue

            run.job_id = enqueue(run.pk)
            run.save(update_fields=["job_id"])
            self.stdout.write(f"{method} run {run.pk} queued as job {run.job_id}")
            return
        try:
            run = execute_run(run.pk)
        except Exception as exc:
            raise CommandError(f"{method} run {run.pk} failed: {exc}") from exc
        self.stdout.write(f"{method} run {run.pk} succeeded: {run.input_count} incidents")
        for line in run.log:
            self.stdout.write(f"  {line}")
