"""Runs over HTTP: the public list of runs, and a form for analysts to queue one.

The form is the method's parameters dataclass (``GET /api/methods/`` serves its JSON
Schema), validated by the same code as the CLI, so bad parameters are refused with
the parameter named before anything is queued.
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import permissions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from ..jobs import create_run
from ..jobs.selection import IncidentFilter
from ..layers import REGISTRY
from ..params import ParameterError, json_schema
from . import views


class CanRunAnalyses(permissions.BasePermission):
    message = "queuing an analysis needs the analyst role (permission geo_bco.add_analysisrun)"

    def has_permission(self, request, view) -> bool:
        return request.method in permissions.SAFE_METHODS or request.user.has_perm("geo_bco.add_analysisrun")


class RunList(APIView):
    """GET: public runs (``?method=kde``). POST ``{"method", "parameters", "filter"}``: queue a run."""

    permission_classes = [CanRunAnalyses]

    def get(self, request):
        return views.runs(request)

    def post(self, request):
        body = request.data if isinstance(request.data, dict) else {}
        try:
            run = create_run(str(body.get("method", "")), parameters=body.get("parameters") or {},
                             input_filter=body.get("filter") or {})
        except ParameterError as exc:
            return Response({exc.name: [str(exc)]}, status=status.HTTP_400_BAD_REQUEST)
        from ..tasks import enqueue

        run.job_id = enqueue(run.pk)
        run.save(update_fields=["job_id"])
        return Response({"id": run.pk, "method": run.method, "label": run.label, "status": run.status,
                         "job_id": run.job_id}, status=status.HTTP_202_ACCEPTED)


def methods(request: HttpRequest) -> JsonResponse:
    """Every method with the JSON Schema of its parameters, and the shared filter's."""
    return JsonResponse({
        "methods": {k.name: {"title": _(k.title), "description": _(k.description), "parameters": json_schema(k.params)}
                    for k in REGISTRY.values()},
        "filter": json_schema(IncidentFilter),
    })
