"""``bco audit export --since DATE [--until DATE] > audit.csv``: the exact-data reads, as CSV."""

from __future__ import annotations

import csv
import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from geo_bco.models import AuditRecord

COLUMNS = ["at", "username", "auth_method", "client_address", "method", "path", "query_string",
           "collection", "filters", "bbox", "feature_count"]


def day_start(text: str, option: str) -> dt.datetime:
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{option} {text!r}: expected a date such as 2025-03-01") from None
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


class Command(BaseCommand):
    help = "Export the audit trail of exact-data reads (oldest first) as CSV on stdout."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        export = actions.add_parser("export")
        export.add_argument("--since", help="first day included (YYYY-MM-DD, Belize time)")
        export.add_argument("--until", help="last day included")

    def handle(self, *args, since, until, **opts):
        rows = AuditRecord.objects.order_by("at", "id")
        if since:
            rows = rows.filter(at__gte=day_start(since, "--since"))
        if until:
            rows = rows.filter(at__lt=day_start(until, "--until") + dt.timedelta(days=1))
        out = csv.writer(self.stdout, lineterminator="\n")
        out.writerow(COLUMNS)
        for row in rows.iterator():
            values = {c: getattr(row, c) for c in COLUMNS}
            values["at"] = row.at.isoformat()
            values["filters"] = json.dumps(row.filters, sort_keys=True)
            values["bbox"] = json.dumps(row.bbox) if row.bbox is not None else ""
            out.writerow([values[c] for c in COLUMNS])
