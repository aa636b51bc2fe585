"""Analyst-only REST endpoints: the ``analyst_*`` projections (services/projections.py),
exact and complete, to users with the analyst role; every answer is audited."""

from __future__ import annotations

import datetime as dt
import json

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from ..access import record_exact_read, require_role
from .features import BadParameter, bbox, feature_page


def _day(request: HttpRequest, name: str) -> dt.date | None:
    raw = request.GET.get(name)
    if raw is None:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise BadParameter(name, f"a date such as 2025-03-01 (got {raw[:40]!r})") from None


def incidents(request: HttpRequest) -> HttpResponse:
    """Exact incidents with their time, sensitive offences included, newest first, as GeoJSON pages:
    ``?in_bbox=minlon,minlat,maxlon,maxlat&offence=burglary&since=2025-01-01&until=2025-06-30&page=1&page_size=1000``
    (Belize dates, both ends included). Anonymous: 401; without the analyst role: 403."""
    if (refusal := require_role(request, "analyst")) is not None:
        return refusal
    try:
        since, until, box = _day(request, "since"), _day(request, "until"), bbox(request)
    except BadParameter as exc:
        return exc.response()
    clauses, params, filters = [], [], {}
    if offence := request.GET.get("offence"):
        clauses.append("offence = %s")
        params.append(offence)
        filters["offence"] = offence
    for name, day, test in (("since", since, ">="), ("until", until, "<=")):
        if day is not None:
            clauses.append(f"(occurred_at AT TIME ZONE %s)::date {test} %s")
            params += [settings.TIME_ZONE, day]
            filters[name] = day.isoformat()
    response = feature_page(request, "analyst_incidents", where=" AND ".join(clauses), params=tuple(params),
                            order="occurred_at DESC, id DESC")
    if response.status_code == 200:
        count = len(json.loads(response.content)["features"])
        record_exact_read(request, collection="incidents", feature_count=count, filters=filters,
                          bbox=list(box) if box else None)
    return response
