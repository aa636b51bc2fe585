"""The CompStat dashboard at ``/dashboard/``: per boundary and offence category, the
last 28 days against the 28 before, the year to date against the same days last year,
the % change, the rate per 100,000, a 24-month sparkline and the top hot spot cells.

Anonymous visitors see the public variant (small counts blanked, services/projections.py);
a signed-in commander or analyst sees exact counts, and the read is audited.
``?format=json`` returns the same figures for scripts and the map's popups.
"""

from __future__ import annotations

import dataclasses

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from geo_bco.roles import has_role

from . import compstat
from .access import authenticate, record_exact_read
from .api.features import BadParameter
from .params import ParameterError
from .views import demo_note

SPARK_WIDTH, SPARK_HEIGHT = 120, 28


def audience_of(request: HttpRequest) -> str:
    user = authenticate(request)
    return "analyst" if user is not None and has_role(user, "commander") else "public"


def sparkline(values: list[int | None], width: int = SPARK_WIDTH, height: int = SPARK_HEIGHT) -> str:
    """An SVG path through the values (oldest first); a blanked value breaks the line."""
    known = [v for v in values if v is not None]
    if not known:
        return ""
    top, step = max(max(known), 1), width / max(len(values) - 1, 1)
    path, pen_down = [], False
    for i, v in enumerate(values):
        if v is None:
            pen_down = False
            continue
        path.append(f"{'L' if pen_down else 'M'}{i * step:.1f},{height - 2 - (height - 4) * v / top:.1f}")
        pen_down = True
    return " ".join(path)


def _choice(request: HttpRequest, name: str, choices, default):
    value = request.GET.get(name) or default
    if value not in choices:
        raise BadParameter(name, f"{value[:60]!r} is not one of {', '.join(choices)}")
    return value


def dashboard(request: HttpRequest) -> HttpResponse:
    audience = audience_of(request)
    runs = compstat.latest_runs(audience)
    table, hotspots = None, compstat.top_hotspots(audience)
    try:
        if runs:
            boundary_set = _choice(request, "boundary_set", runs, "districts" if "districts" in runs else next(iter(runs)))
            table = compstat.table(audience, boundary_set, request.GET.get("category") or "all")
    except BadParameter as exc:
        return exc.response()
    except ParameterError as exc:
        return BadParameter(exc.name, str(exc)).response()
    if audience == "analyst" and table is not None:
        record_exact_read(request, collection="area-counts", feature_count=len(table.rows),
                          filters={"boundary_set": boundary_set, "category": table.category, "run_id": table.run_id})
    if request.GET.get("format") == "json":
        return JsonResponse({"table": dataclasses.asdict(table) if table else None, "hotspots": hotspots})
    rows = [] if table is None else [
        {"area": r, "spark": sparkline([n for _, n in r.months]), "months": r.months} for r in table.rows]
    totals = None if table is None else {
        "d28": compstat.total([r.last_28_days.count for r in table.rows]),
        "d28_previous": compstat.total([r.last_28_days.previous for r in table.rows]),
        "ytd": compstat.total([r.year_to_date.count for r in table.rows]),
        "ytd_previous": compstat.total([r.year_to_date.previous for r in table.rows]),
    }
    return render(request, "services/dashboard.html", {
        "audience": audience, "table": table, "rows": rows, "totals": totals, "hotspots": hotspots,
        "boundary_sets": list(compstat.boundary_set_labels(runs).items()), "demo_note": demo_note(),
        "categories": [] if table is None else [(c, compstat.category_label(c)) for c in table.categories],
        "category_label": "" if table is None else compstat.category_label(table.category),
        "min_count_less": settings.BCO_PUBLIC_MIN_COUNT - 1,
        "spark_width": SPARK_WIDTH, "spark_height": SPARK_HEIGHT})
