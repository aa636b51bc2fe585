"""The OGC API's Django views: pygeoapi's API functions behind a thin, strict front.

geo-bco routes the endpoints it serves itself (``services/ogc/urls.py``) instead
of including ``pygeoapi.django_.urls``, because that module redirects ``/ogcapi``
(QGIS does not follow the redirect), answers ``HEAD``/``TRACE`` with a 500 and calls
``tilematrixsets`` with the wrong arguments. Here:

* ``/ogcapi`` and ``/ogcapi/`` are both the landing page; links never redirect;
* ``GET`` and ``HEAD`` are served, ``OPTIONS`` is answered, anything else is a 405;
* each request sees extents measured from the data (``services.ogc.extents``);
* items requests carry their keyset position to the provider (``services.ogc.paging``);
* a plain items page, once rendered, is answered from memory until the data change;
* responses are gzip-compressed when the client accepts it;
* the OpenAPI document is built on first use (it introspects every table, which a
  settings module must not do) and cached per process.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from http import HTTPStatus

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.gzip import gzip_page
from pygeoapi.api import API, APIRequest
from pygeoapi.api import conformance as pygeoapi_conformance
from pygeoapi.api import describe_collections, get_collection_schema, landing_page as pygeoapi_landing_page
from pygeoapi.api import openapi_ as pygeoapi_openapi
from pygeoapi.api import itemtypes, processes as processes_api, tiles
from pygeoapi.crs import transform_bbox as pygeoapi_transform_bbox
from pygeoapi.models.provider.base import TileMatrixSetEnum
from pygeoapi.openapi import get_oas

from .. import public_cache
from .documents import Document
from .extents import extents
from .paging import AFTER, KeysetPage, serving
from .plain_pages import plain_page
from .vendored import localise

SERVED_METHODS = ("GET", "HEAD", "OPTIONS")


def _transform_bbox(bbox: list, from_crs, to_crs, always_xy: bool = False) -> list:
    """pygeoapi's ``transform_bbox``, skipped when the bbox is in the storage CRS already.

    pygeoapi calls it for every bbox request, also from CRS84 to CRS84, and each call asks
    pyproj to identify both CRSs (~25 ms: half of a bbox page's time at 1M incidents).
    """
    if str(from_crs) == str(to_crs):
        return list(bbox)
    return pygeoapi_transform_bbox(bbox, from_crs, to_crs, always_xy)


itemtypes.transform_bbox = _transform_bbox


@functools.cache
def _openapi_document(audience: str, url: str) -> dict:
    """pygeoapi's document without the ``post`` operations (transactions and CQL2-JSON
    searches, which this read-only API does not serve: it answers them with a 405)."""
    document = get_oas(configuration(audience))
    for operations in document["paths"].values():
        operations.pop("post", None)
    return document


def configuration(audience: str = "public") -> dict:
    """The configuration in force: the public API's, or the analysts' (``/analyst/ogcapi``)."""
    return settings.PYGEOAPI_CONFIG if audience == "public" else settings.BCO_ANALYST_OGC_CONFIG


def openapi_document(audience: str = "public") -> dict:
    """The OpenAPI document of the configuration in force (built once per URL)."""
    return _openapi_document(audience, configuration(audience)["server"]["url"])


def _measured(config: dict) -> dict:
    return extents({cid: resource["providers"][0] for cid, resource in config["resources"].items()})


def _with_extents(config: dict, measured: dict, temporal: bool) -> dict:
    """The configuration with each collection's extents measured from its data.

    Items requests pass ``temporal=False``: pygeoapi answers a ``datetime`` outside
    the declared temporal extent with a 400, where the right answer is no features.
    """
    resources = {}
    for cid, resource in config["resources"].items():
        block = {**resource["extents"], **measured[cid]}
        if not temporal:
            block.pop("temporal", None)
        resources[cid] = {**resource, "extents": block}
    return {**config, "resources": resources}


#: (audience, temporal, generation of the data) -> (the configuration it was built from, pygeoapi's API object)
_APIS: dict[tuple, tuple[dict, API]] = {}


def api_for(audience: str, temporal: bool) -> API:
    """pygeoapi's API object for the configuration in force and the data's current extents.

    Built again only when the data change (an import or a run: a new generation of the
    public cache): building one deep-copies the whole configuration, a quarter of a small
    items page's time. One object serves every request, as in pygeoapi's own Flask and
    Django apps.
    """
    config = configuration(audience)
    key = (audience, temporal, public_cache.generation())
    held = _APIS.get(key)
    if held is None or held[0] is not config:
        if len(_APIS) > 16:  # earlier generations
            _APIS.clear()
        measured = _measured(config)
        held = _APIS[key] = (config, API(_with_extents(config, measured, temporal), openapi_document(audience)))
    return held[1]


def _respond(request: HttpRequest, result: tuple[dict, int, str | bytes | Document]) -> HttpResponse:
    headers, status, content = result
    if isinstance(content, Document):
        response = content.response(request, status)
    else:
        if isinstance(content, str) and headers.get("Content-Type", "").startswith("text/html"):
            content = localise(content)
        response = HttpResponse(content, status=status)
    for key, value in headers.items():
        response[key] = value
    if request.method == "HEAD":
        response["Content-Length"] = str(len(response.content))
        response.content = b""
    return response


def _page_key(audience: str, request: HttpRequest, url_args: dict) -> str:
    """What an items page depends on besides the data: the API, the collection, the query
    and the headers pygeoapi reads the format and the language from."""
    asked = (audience, sorted(url_args.items()), sorted(request.GET.lists()),
             request.META.get("HTTP_ACCEPT"), request.META.get("HTTP_ACCEPT_LANGUAGE"))
    return "ogc-page:" + hashlib.sha1(repr(asked).encode()).hexdigest()


def _refuse(request: HttpRequest, api: API, api_request: APIRequest) -> HttpResponse:
    """405 with an OGC exception body (and 204 for OPTIONS): the method is not served."""
    if request.method == "OPTIONS":
        response = HttpResponse(status=HTTPStatus.NO_CONTENT)
    else:
        headers = api_request.get_response_headers(**api.api_headers)
        result = api.get_exception(HTTPStatus.METHOD_NOT_ALLOWED, headers, api_request.format,
                                   "MethodNotAllowed", f"{request.method} is not served here; use GET or HEAD")
        response = _respond(request, result)
    response["Allow"] = "GET, HEAD, OPTIONS"
    return response


def ogc_view(api_function: Callable, *, temporal: bool = True, check_format: bool = True,
             audience: str = "public", pages: bool = False) -> Callable:
    """A Django view calling ``api_function(api, api_request, *url_args)``.

    With ``pages``, an answer whose content is a :class:`Document` (a plain items page)
    is kept in the process's memory until the data change, and the same request is
    answered from there: every QGIS client that loads a layer asks for the same first
    page and follows the same ``next`` links.
    """

    @csrf_exempt
    @gzip_page
    def view(request: HttpRequest, **url_args: str) -> HttpResponse:
        key = _page_key(audience, request, url_args) if pages and request.method in ("GET", "HEAD") else None
        if key is not None and (page := public_cache.recall(key)) is not None:
            return _respond(request, page)
        api = api_for(audience, temporal)
        api_request = APIRequest.from_django(request, api.locales)
        if request.method not in ("GET", "HEAD"):
            return _refuse(request, api, api_request)
        if check_format and not api_request.is_valid():
            return _respond(request, api.get_format_exception(api_request))
        result = api_function(api, api_request, *url_args.values())
        if key is not None and isinstance(result[2], Document):
            public_cache.remember(key, result)
        return _respond(request, result)

    view.__name__ = view.__qualname__ = api_function.__name__
    return view


def _items(api: API, api_request: APIRequest, collection_id: str):
    """Items, with the request's keyset position and URL handed to the provider."""
    params = tuple((k, v) for k, v in api_request.params.items() if k not in ("offset", AFTER))
    page = KeysetPage(f"{api.get_collections_url()}/{collection_id}/items", params, api_request.params.get(AFTER))
    plain = plain_page(api, api_request, collection_id, page)
    if plain is not None:
        return plain
    with serving(page):
        return itemtypes.get_collection_items(api, api_request, collection_id)


def _tilematrixsets(api: API, api_request: APIRequest, tilematrixset_id: str | None = None):
    if tilematrixset_id is None:
        return tiles.tilematrixsets(api, api_request)
    if tilematrixset_id not in {e.value.tileMatrixSet for e in TileMatrixSetEnum}:
        return _not_found(api, api_request, f"TileMatrixSets/{tilematrixset_id}")
    return tiles.tilematrixset(api, api_request, tilematrixset_id)


def _not_found(api: API, api_request: APIRequest, path: str = ""):
    headers = api_request.get_response_headers(**api.api_headers)
    return api.get_exception(HTTPStatus.NOT_FOUND, headers, api_request.format, "NotFound",
                             f"/ogcapi/{path}: no such resource")


class OgcViews:
    """Every view of one OGC API: the public one, or the analysts' (``audience="analyst"``),
    which :mod:`services.ogc.analyst` puts behind sign-in and the audit trail."""

    def __init__(self, audience: str):
        def make(function: Callable, **options) -> Callable:
            return ogc_view(function, audience=audience, **options)

        self.landing_page = make(pygeoapi_landing_page)
        self.openapi = make(pygeoapi_openapi)
        self.conformance = make(pygeoapi_conformance)
        self.collections = make(describe_collections)
        self.collection_schema = make(get_collection_schema)
        self.collection_queryables = make(itemtypes.get_collection_queryables)
        self.collection_items = make(_items, temporal=False, check_format=False, pages=True)
        self.collection_item = make(itemtypes.get_collection_item)
        self.tilematrixsets = make(_tilematrixsets)
        self.processes = make(processes_api.describe_processes)  # none are offered; the landing page links here
        self.not_found = make(_not_found)


PUBLIC = OgcViews("public")
landing_page = PUBLIC.landing_page  # /ogcapi without a slash (services/urls.py)
