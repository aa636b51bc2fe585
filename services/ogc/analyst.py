"""The analysts' OGC API at ``/analyst/ogcapi``: exact incidents (time, every offence)
and every run of every layer kind in full, near-repeat roles included.

Every request must carry an analyst's credentials: HTTP Basic or an ``X-API-Key``
header (what QGIS's authentication manager sends: method "Basic", or "API Header"),
or a signed-in session. Anonymous requests get 401 with ``WWW-Authenticate``, other
roles 403 (services/access.py). Every response that holds features is appended to
the audit trail with who, when, the collection, the filter, the bbox and the count.
Items come as GeoJSON or CSV only, so that count is always known.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from ..access import record_exact_read, require_role
from .views import OgcViews

ANALYST = OgcViews("analyst")
#: formats whose features can be counted for the audit trail
COUNTED_FORMATS = ("json", "csv")
#: query parameters that page or format a read rather than narrow it
NOT_FILTERS = {"f", "limit", "offset", "after", "bbox", "lang"}


def _body(response: HttpResponse) -> bytes:
    content = response.content
    return gzip.decompress(content) if response.get("Content-Encoding") == "gzip" else content


def feature_count(response: HttpResponse) -> int:
    """Features in an items or item response (GeoJSON or CSV)."""
    if response["Content-Type"].startswith("text/csv"):
        return max(0, sum(1 for _ in csv.reader(io.StringIO(_body(response).decode("utf-8")))) - 1)
    body = json.loads(_body(response))
    return 1 if body.get("type") == "Feature" else int(body.get("numberReturned", len(body.get("features", []))))


def _bbox(request: HttpRequest) -> list[float] | None:
    try:
        values = [float(v) for v in request.GET.get("bbox", "").split(",")]
    except ValueError:
        return None
    return values if len(values) in (4, 6) else None


def guarded(view: Callable, *, audited: bool = False) -> Callable:
    """``view`` for analysts only; with ``audited``, each answer holding features is recorded."""

    def wrapper(request: HttpRequest, **url_args: str) -> HttpResponse:
        if (refusal := require_role(request, "analyst")) is not None:
            return refusal
        if audited and request.GET.get("f") not in COUNTED_FORMATS:
            request.GET = request.GET.copy()
            request.GET["f"] = "json"
        response = view(request, **url_args)
        if audited and request.method == "GET" and response.status_code == 200:
            record_exact_read(
                request, collection=url_args["collection_id"], feature_count=feature_count(response),
                filters={k: v for k, v in request.GET.items() if k not in NOT_FILTERS}
                | ({"id": url_args["item_id"]} if "item_id" in url_args else {}),
                bbox=_bbox(request))
        return response

    wrapper.__name__ = wrapper.__qualname__ = f"analyst_{view.__name__}"
    return wrapper


for name in ("landing_page", "openapi", "conformance", "collections", "collection_schema", "collection_queryables",
             "tilematrixsets", "processes", "not_found"):
    setattr(ANALYST, name, guarded(getattr(ANALYST, name)))
ANALYST.collection_items = guarded(ANALYST.collection_items, audited=True)
ANALYST.collection_item = guarded(ANALYST.collection_item, audited=True)
