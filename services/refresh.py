"""The standard refresh: the runs every import brings up to date.

Configured by ``BCO_REFRESH_METHODS`` (default ``kde,hotspots,emerging,area-counts``),
each over all non-sensitive offences and, with ``BCO_REFRESH_PER_CATEGORY`` (default
on), once per offence category, with ``BCO_REFRESH_PARAMETERS`` per method. After an import the public incidents are refreshed
at once and the analyses are queued; a burst of imports queues one refresh
(procrastinate's queueing lock). ``bco refresh`` runs the same set by hand. Its last
step writes the last complete month's bulletin if missing (``BCO_BULLETIN_AFTER_REFRESH``).
"""

from __future__ import annotations

import logging

from django.conf import settings

from geo_bco.models import AnalysisRun, OffenceType

from .jobs import create_run, execute_run
from .jobs.result import TooFewIncidents
from . import public_cache
from .params import ParameterError
from .projections import refresh_incidents

logger = logging.getLogger(__name__)


def standard_set(methods: list[str] | None = None) -> list[tuple[str, dict]]:
    """(method, input filter) of every run in the standard refresh, or of the same runs
    of other ``methods`` (the monthly forecast per category, say)."""
    filters: list[dict] = [{}]
    if settings.BCO_REFRESH_PER_CATEGORY:
        categories = OffenceType.objects.filter(sensitive=False).values_list("category", flat=True)
        filters += [{"categories": [c]} for c in sorted(set(categories))]
    return [(method, flt) for method in (methods or settings.BCO_REFRESH_METHODS) for flt in filters]


def refresh(*, queue: bool = False, methods: list[str] | None = None, say=logger.info) -> list[AnalysisRun]:
    """Create (and run now, or queue) every run of the standard set (of ``methods``). A
    selection too small for a method is reported and skipped, never an error for the
    whole refresh."""
    runs = []
    for method, flt in standard_set(methods):
        try:
            run = create_run(method, parameters=settings.BCO_REFRESH_PARAMETERS.get(method, {}), input_filter=flt)
        except ParameterError as exc:
            say(f"{method} {flt or 'all offences'}: skipped ({exc})")
            continue
        if queue:
            from .tasks import enqueue

            run.job_id = enqueue(run.pk)
            run.save(update_fields=["job_id"])
        else:
            try:
                run = execute_run(run.pk)
            except (TooFewIncidents, ValueError):
                run.refresh_from_db()
        say(f"{run.label}: run {run.pk} {run.status}" + (f" ({run.error})" if run.error else ""))
        runs.append(run)
    if settings.BCO_BULLETIN_AFTER_REFRESH and not queue:
        from .bulletins import write_missing

        write_missing(say)
    if settings.BCO_PRERENDER_MAX_ZOOM >= 0 and not queue:  # queued runs each retire the tiles again
        from .tiles.prerender import prerender

        prerender(settings.BCO_PRERENDER_MAX_ZOOM, say)
    return runs


def after_import(sender, batch_id: int, **kwargs) -> None:
    """Signal receiver: public incidents now, analyses through the queue (coalesced)."""
    refresh_incidents()
    public_cache.invalidate()
    if settings.BCO_REFRESH_AFTER_IMPORT:
        from .tasks import enqueue_refresh

        enqueue_refresh()
