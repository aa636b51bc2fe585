"""Error answers that tell the client what went wrong and nothing about the server.

Django's own handlers do this too once DEBUG is off; these add JSON for the machine
paths (``/api/``, ``/ogcapi/``, ``/tiles/``, read by QGIS and scripts) and one plain page
for people. The traceback of a 500 goes to the operator's log (the ``django.request``
logger), never into the response.

When the database does not answer (PostgreSQL restarting, the network to it down, the
pool out of connections for longer than ``BCO_DB_POOL_TIMEOUT``), the answer is
``503 Service Unavailable`` with ``Retry-After``: the client may try again, and the
pooled connections are checked before reuse, so the site recovers by itself.
"""

from __future__ import annotations

import sys
from http import HTTPStatus

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader

MACHINE_PATHS = ("/api/", "/ogcapi/", "/tiles/")
ADVICE = {
    400: "The request could not be understood.",
    403: "You do not have permission to see this.",
    404: "There is nothing at this address.",
    500: "Something went wrong on our side; it has been logged.",
    503: "The database is not answering for a moment; try again shortly.",
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


def database_unavailable(exc: BaseException | None) -> bool:
    """True for the errors of a database that cannot be reached or was lost mid-request
    (psycopg's and psycopg_pool's, as Django wraps them), as opposed to a bug."""
    return isinstance(exc, (OperationalError, InterfaceError))


def server_error(request):
    # Django calls this handler inside its ``except`` block: the exception is at hand.
    if database_unavailable(sys.exc_info()[1]):
        response = error_response(request, 503)
        response["Retry-After"] = str(settings.BCO_RETRY_AFTER_S)
        return response
    return error_response(request, 500)
