"""The one pygeoapi view geo-bco replaces: the OpenAPI document, built on first use.

pygeoapi normally reads a pre-generated OpenAPI file at import time. Generating it
introspects every collection in the database, which a settings module must not do,
so it is built lazily from the live configuration and cached per process.
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from pygeoapi.api import API, APIRequest
from pygeoapi.api import openapi_ as pygeoapi_openapi
from pygeoapi.openapi import get_oas


@functools.cache
def openapi_document() -> dict:
    return get_oas(settings.PYGEOAPI_CONFIG)


def openapi(request: HttpRequest) -> HttpResponse:
    api = API(settings.PYGEOAPI_CONFIG, openapi_document())
    api_request = APIRequest.from_django(request, api.locales)
    headers, status, content = pygeoapi_openapi(api, api_request)
    response = HttpResponse(content, status=status)
    for key, value in headers.items():
        response[key] = value
    return response
