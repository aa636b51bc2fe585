"""Error answers that tell the client what went wrong and nothing about the server.

Django's own handlers do this too once DEBUG is off; these add JSON for the machine
paths (``/api/``, ``/ogcapi/``, ``/tiles/``, read by QGIS and scripts) and one plain page
for people. The traceback of a 500 goes to the operator's log (the ``django.request``
logger), never into the response.
"""

from __future__ import annotations

from http import HTTPStatus

from django.http import HttpResponse, JsonResponse
from django.template import loader

MACHINE_PATHS = ("/api/", "/ogcapi/", "/tiles/")
ADVICE = {
    400: "The request could not be understood.",
    403: "You do not have permission to see this.",
    404: "There is nothing at this address.",
    500: "Something went wrong on our side; it has been logged.",
}


def error_response(request, status: int) -> HttpResponse:
    title = HTTPStatus(status).phrase
    if request.path.startswith(MACHINE_PATHS):
        return JsonResponse({"code": title.replace(" ", ""), "description": ADVICE[status]}, status=status)
    body = loader.get_template("geo_bco/error.html").render({"status": status, "title": title, "advice": ADVICE[status]})
    return HttpResponse(body, status=status)


def bad_request(request, exception=None):
    return error_response(request, 400)


def permission_denied(request, exception=None):
    return error_response(request, 403)


def page_not_found(request, exception=None):
    return error_response(request, 404)


def server_error(request):
    return error_response(request, 500)
