"""Public REST API (GeoJSON and JSON). Every view here reads only ``public_*``
projections (services/projections.py): that is what a test proves for each route."""

from __future__ import annotations

import csv
import io
import json

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.translation import get_language, gettext as _

from ..compstat import boundary_set_labels
from ..layers import REGISTRY, LayerKind, column_labels
from ..projections import relation
from ..public_cache import cached
from ..reading import attribute_columns, read_connection
from .features import BadParameter, feature_page, whole_number


def districts(request: HttpRequest) -> HttpResponse:
    return feature_page(request, "public_districts", order="name", paged=False)


def boundaries(request: HttpRequest, boundary_set: str) -> HttpResponse:
    return feature_page(request, "public_boundaries", where="boundary_set = %s", params=(boundary_set,),
                        order="name", paged=False)


def places(request: HttpRequest) -> HttpResponse:
    """The gazetteer's places (districts, towns, villages): the map's labels and place search."""
    return feature_page(request, "public_places", order="kind, name", paged=False)


def incidents(request: HttpRequest) -> HttpResponse:
    """Public incident counts per cell, category and month (see services/projections.py);
    ``?in_bbox=minlon,minlat,maxlon,maxlat`` narrows to an area."""
    return feature_page(request, "public_incidents")


def sensitive_offences(request: HttpRequest) -> HttpResponse:
    """Sensitive offences as the public may see them: counts per district and month, blank under k."""
    return feature_page(request, "public_sensitive_counts", order="code, period_start")


def _public_kind(name: str) -> LayerKind:
    kind = REGISTRY.get(name)
    if kind is None or not kind.public:
        raise Http404(f"no public layer {name!r}")
    return kind


def layer(request: HttpRequest, name: str) -> HttpResponse:
    """The latest run's features, or ``?run_id=N`` for any public run of this kind."""
    kind = _public_kind(name)
    if "run_id" in request.GET:
        try:
            run_id = whole_number(request, "run_id", 0)
        except BadParameter as exc:
            return exc.response()
        return feature_page(request, relation("public", kind, runs=True), where="run_id = %s", params=(run_id,),
                            order=kind.order)
    return feature_page(request, relation("public", kind, runs=False), order=kind.order)


def _rows(sql: str, params: tuple = ()) -> list[dict]:
    with read_connection().cursor() as cur:
        cur.execute(f"SELECT coalesce(json_agg(to_jsonb(t) - 'geom'), '[]'::json)::text FROM ({sql}) t", params)
        return json.loads(cur.fetchone()[0])


def _run_info(rows: list[dict]) -> dict | None:
    if not rows:
        return None
    r = rows[0]
    return {"id": r["run_id"], "label": r["run_label"], "finished_at": r["run_finished_at"],
            "parameters": json.loads(r["run_parameters"]), "filter": json.loads(r["run_filter"]),
            "input_count": r["run_input_count"]}


def manifest(request: HttpRequest) -> JsonResponse:
    """What the web map draws: every public layer kind with its legend (classes read
    from the latest run's own data), the run that drew it, and where its data is.

    Every map view asks for it and it reads every public layer, but it changes only
    when an import or a run commits: cached with the public data, per language."""
    return JsonResponse(cached(f"layers-manifest:{get_language()}", _manifest))


def _manifest() -> dict:
    layers = []
    for kind in REGISTRY.values():
        if not kind.public:
            continue
        name = relation("public", kind, runs=False)
        # attributes only: turning every polygon into JSON to drop it cost most of the manifest's time
        columns = ", ".join(f'"{column}"' for column, _ in attribute_columns(name))
        rows = _rows(f"SELECT {columns} FROM {name}")
        legend = kind.legend(rows)
        layers.append({
            "name": kind.name, "title": _(kind.title), "description": _(kind.description),
            "geometry_type": kind.geometry_type, "map_type": kind.map_type, "features": len(rows),
            "filter": kind.map_filter,
            "legend": {"property": legend.property, "kind": legend.kind, "note": legend.note,
                       "classes": [vars(c) for c in legend.classes]},
            "columns": column_labels(kind),
            "run": _run_info(rows),
            "data": reverse("api:layer", args=[kind.name]),
            "ogc": {"latest": f"/ogcapi/collections/{kind.name}", "runs": f"/ogcapi/collections/{kind.name}-runs"},
        })
    sets = [s["boundary_set"] for s in _rows("SELECT DISTINCT boundary_set FROM public_boundaries ORDER BY boundary_set")]
    labels = boundary_set_labels(sets)
    return {
        "layers": layers,
        "boundaries": [{"slug": s, "label": labels[s], "data": reverse("api:boundaries", args=[s])} for s in sets],
        "incidents": reverse("api:incidents"),
    }


def runs(request: HttpRequest) -> JsonResponse:
    """Every public run: id, method, label, parameters, filter, input count, finish time."""
    method = request.GET.get("method")
    where, params = ("WHERE method = %s", (method,)) if method else ("", ())
    return JsonResponse({"runs": _rows(f"SELECT * FROM public_runs {where} ORDER BY id DESC LIMIT 1000", params)})


def _run(run_id: int) -> dict:
    rows = _rows("SELECT * FROM public_runs WHERE id = %s", (run_id,))
    if not rows:
        raise Http404(f"no public run {run_id}")
    return rows[0]


def run_detail(request: HttpRequest, run_id: int) -> JsonResponse:
    return JsonResponse(_run(run_id))


def knox_csv(request: HttpRequest, run_id: int) -> HttpResponse:
    """A near-repeat run's Knox table as CSV: one row per distance band and time band."""
    knox = (_run(run_id).get("summary") or {}).get("knox")
    if knox is None:
        raise Http404(f"run {run_id} has no Knox table (not a near-repeat run)")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["distance_band", "time_band", "observed", "expected", "knox_ratio", "p_value"])
    for i, space in enumerate(knox["spatial_bands"]):
        for j, time in enumerate(knox["temporal_bands"]):
            writer.writerow([space, time, knox["observed"][i][j], knox["expected"][i][j],
                             knox["knox_ratio"][i][j], knox["p_values"][i][j]])
    response = HttpResponse(out.getvalue(), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="knox-run-{run_id}.csv"'
    return response
