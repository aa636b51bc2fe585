"""``bco analyse <method>``: one sub-command per registered layer kind, its flags
derived from the kind's parameters dataclass and the shared incident filter."""

from django.core.management.base import BaseCommand, CommandError

from services.jobs import create_run, execute_run
from services.jobs.result import TooFewIncidents
from services.jobs.selection import IncidentFilter
from services.layers import REGISTRY
from services.params import ParameterError, add_arguments, from_arguments, to_json


class Command(BaseCommand):
    help = "Run an analysis now, or queue it for `bco worker` (--queue). Methods: " + ", ".join(REGISTRY)

    def add_arguments(self, parser):
        methods = parser.add_subparsers(dest="analysis", required=True, metavar="METHOD",
                                        parser_class=type(parser))
        for kind in REGISTRY.values():
            sub = methods.add_parser(kind.name, help=kind.title, description=kind.description,
                                     called_from_command_line=getattr(parser, "called_from_command_line", None))
            add_arguments(sub.add_argument_group(f"{kind.name} parameters"), kind.params)
            add_arguments(sub.add_argument_group("incident filter"), IncidentFilter)
            sub.add_argument("--queue", action="store_true", help="queue for `bco worker` instead of running now")

    def handle(self, *args, analysis, queue=False, **options):
        method = analysis
        kind = REGISTRY[method]
        try:
            given = to_json(from_arguments(kind.params, options))
            chosen = {k: v for k, v in given.items() if options.get(k) is not None}
            flt = {k: v for k, v in to_json(from_arguments(IncidentFilter, options)).items()
                   if options.get(k) is not None}
            run = create_run(method, parameters=chosen, input_filter=flt)
        except ParameterError as exc:
            raise CommandError(f"{method}: {exc}") from None
        if queue:
            from services.tasks import enqueue

            run.job_id = enqueue(run.pk)
            run.save(update_fields=["job_id"])
            self.stdout.write(f"{method} run {run.pk} queued as job {run.job_id}")
            return
        try:
            run = execute_run(run.pk)
        except (TooFewIncidents, ValueError) as exc:
            raise CommandError(f"{method} run {run.pk} failed: {exc}") from None
        except Exception as exc:
            raise CommandError(f"{method} run {run.pk} failed: {type(exc).__name__}: {exc}") from exc
        self.stdout.write(f"{method} run {run.pk} succeeded: {run.input_count} incidents ({run.label})")
        for line in run.log:
            self.stdout.write(f"  {line}")
