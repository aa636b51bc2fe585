"""The data quality report the observatory sends back to each agency.

Three questions an agency can act on: how precisely are our records located, why
were rows rejected (so the export can be fixed at the source), and how many records
are corrected late (changed by a later import, and how long after).
"""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.db.models import Count, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import ImportBatch, Incident


def quality_report(source_system: str, *, days: int = 90) -> dict:
    """Report for one source over the batches of the last ``days`` days."""
    since = timezone.now() - timedelta(days=days)
    incidents = Incident.objects.filter(source_system=source_system)
    total = incidents.count()
    with connection.cursor() as cur:
        cur.execute(
            "SELECT geocode_precision, geocode_method, count(*) FROM geo_bco_incident WHERE source_system = %s "
            "GROUP BY 1, 2 ORDER BY 3 DESC", [source_system])
        precision = [{"precision": p, "method": m, "incidents": n, "share": n / total if total else 0.0}
                     for p, m, n in cur.fetchall()]
        cur.execute(
            "SELECT r->>'code', r->>'field', count(*) FROM geo_bco_rejectedrow rr "
            "JOIN geo_bco_importbatch b ON b.id = rr.batch_id, jsonb_array_elements(rr.reasons) r "
            "WHERE b.source_system = %s AND b.started_at >= %s GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 10",
            [source_system, since])
        reasons = [{"code": c, "field": f, "rows": n} for c, f, n in cur.fetchall()]
        cur.execute(
            "SELECT count(*), percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM updated_at - created_at)) "
            "FROM geo_bco_incident WHERE source_system = %s AND updated_at - created_at > interval '1 second'",
            [source_system])
        corrected, median_lag_s = cur.fetchone()
    batches = ImportBatch.objects.filter(source_system=source_system, started_at__gte=since).aggregate(
        count=Count("id"), rows=Coalesce(Sum("rows_total"), 0), rejected=Coalesce(Sum("rejected"), 0))
    rows, rejected = batches["rows"], batches["rejected"]
    return {
        "source_system": source_system,
        "window_days": days,
        "incidents": total,
        "batches": batches["count"],
        "rows_received": rows,
        "rows_rejected": rejected,
        "rejected_share": rejected / rows if rows else 0.0,
        "geocoding": precision,
        "top_rejection_reasons": reasons,
        "late_corrections": {"incidents": corrected,
                             "median_days_after_first_import": (median_lag_s or 0) / 86400 if corrected else None},
    }


def format_report(report: dict) -> str:
    lines = [
        f"Data quality: {report['source_system']} (last {report['window_days']} days)",
        f"  {report['incidents']:,} incidents; {report['rows_received']:,} rows received in {report['batches']} "
        f"batches, {report['rows_rejected']:,} rejected ({report['rejected_share']:.1%})",
        "  located by:",
    ]
    lines += [f"    {g['precision']:<9} {g['method']:<16} {g['incidents']:>8,}  {g['share']:.1%}" for g in report["geocoding"]]
    lines.append("  top rejection reasons:")
    lines += [f"    {r['rows']:>8,}  {r['field']}: {r['code']}" for r in report["top_rejection_reasons"]] or ["    none"]
    late = report["late_corrections"]
    lag = f", median {late['median_days_after_first_import']:.1f} days after first import" if late["incidents"] else ""
    lines.append(f"  late corrections: {late['incidents']:,} incidents changed by a later import{lag}")
    return "\n".join(lines)
