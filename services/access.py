"""Who is asking: the one authentication and role check every web endpoint uses.

GIS clients cannot keep a session, so besides the browser's session a request may
carry HTTP Basic credentials or an API key in the ``X-API-Key`` header; both are what
QGIS's authentication manager sends (method "Basic", or "API Header"). Exact reads are
recorded with ``record_exact_read``. An answer that needed a role or holds exact data is
stored by no cache (:class:`PrivateAnswers`).

    user = authenticate(request)                      # User or None (anonymous)
    if (refusal := require_role(request, "analyst")):  # 401 / 403 response, or None
        return refusal
    ...
    record_exact_read(request, collection="incidents", feature_count=len(rows), bbox=bbox)
"""

from __future__ import annotations

import base64
import binascii

from django.conf import settings
from django.contrib import auth
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import add_never_cache_headers

from geo_bco.models import ApiKey, AuditRecord
from geo_bco.roles import get_role, has_role

API_KEY_HEADER = "X-API-Key"
REALM = "geo-bco"
_CACHE = "_bco_access"
_PRIVATE = "_bco_private"


def basic_credentials(request: HttpRequest) -> tuple[str, str] | None:
    """(username, password) from an ``Authorization: Basic`` header, or None."""
    scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic" or not encoded:
        return None
    try:
        username, sep, password = base64.b64decode(encoded.strip(), validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return (username, password) if sep else None


def credentials_user(request: HttpRequest) -> tuple[object, str] | None:
    """The active user named by Basic credentials or an API key, with the method ("basic", "api-key")."""
    if (pair := basic_credentials(request)) is not None:
        user = auth.authenticate(request, username=pair[0], password=pair[1])
        return (user, "basic") if user is not None and user.is_active else None
    if key := request.headers.get(API_KEY_HEADER, "").strip():
        row = ApiKey.objects.verify(key)
        return (row.user, "api-key") if row is not None else None
    return None


def identify(request: HttpRequest) -> tuple[object | None, str]:
    """(user, how: "session", "basic" or "api-key"), or (None, "") when anonymous; worked out once per request."""
    if not hasattr(request, _CACHE):
        session_user = getattr(request, "user", None)
        if session_user is not None and session_user.is_authenticated:
            found = (session_user, "session")
        else:
            found = credentials_user(request) or (None, "")
            if found[0] is not None:
                request.user = found[0]  # stateless: no session is created
        setattr(request, _CACHE, found)
    return getattr(request, _CACHE)


def authenticate(request: HttpRequest):
    """The signed-in user (session, HTTP Basic or API key), or None for an anonymous request."""
    return identify(request)[0]


def require_role(request: HttpRequest, role: str) -> HttpResponse | None:
    """None when the request's user has ``role``; else 401 (anonymous, with ``WWW-Authenticate``) or 403."""
    get_role(role)  # a misspelt role is a programming error, not a 403
    setattr(request, _PRIVATE, True)
    user = authenticate(request)
    if user is None:
        response = JsonResponse({"code": "NotAuthenticated",
                                 "description": f"sign in (HTTP Basic or an {API_KEY_HEADER} header) as a user "
                                                f"with the {role} role"}, status=401)
        response["WWW-Authenticate"] = f'Basic realm="{REALM}"'
        return response
    if not has_role(user, role):
        return JsonResponse({"code": "Forbidden", "description": f"this needs the {role} role"}, status=403)
    return None


def client_address(request: HttpRequest) -> str | None:
    """The client's IP address: the socket's peer, or, behind ``TRUSTED_PROXY_COUNT`` proxies,
    the address they recorded in ``X-Forwarded-For`` (entries further left are the client's say-so)."""
    hops = settings.TRUSTED_PROXY_COUNT
    if hops > 0:
        forwarded = [a.strip() for a in request.headers.get("X-Forwarded-For", "").split(",") if a.strip()]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR") or None


def record_exact_read(request: HttpRequest, *, collection: str, feature_count: int,
                      filters: dict | None = None, bbox: list[float] | tuple[float, ...] | None = None) -> AuditRecord:
    """Append one audit row for a response holding exact data; call it before returning the response.

    ``filters`` is what narrowed the read (offence, dates, run id, ...), ``bbox`` the WGS84
    box [minx, miny, maxx, maxy] if one was given. Raises ValueError for an anonymous
    request: exact data must never reach one.
    """
    user, method = identify(request)
    setattr(request, _PRIVATE, True)
    if user is None:
        raise ValueError("record_exact_read: the request is anonymous; exact data must not be served to it")
    return AuditRecord.objects.create(
        user=user, username=user.get_username(), auth_method=method, client_address=client_address(request),
        method=request.method, path=request.path[:2000], query_string=request.META.get("QUERY_STRING", ""),
        collection=collection, filters=filters or {}, bbox=list(bbox) if bbox is not None else None,
        feature_count=feature_count)


class PrivateAnswers:
    """Middleware: an answer behind a role (``require_role``) or holding exact data
    (``record_exact_read``) is stored by no cache, the client's own included.

    QGIS keeps one disk cache for every profile of a system user: with the analysts'
    collection pages cacheable, a QGIS later opened without credentials loaded the analysts'
    layer from it. ``no-store`` also makes every read reach the server, and so the audit trail.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(request, _PRIVATE, False):
            add_never_cache_headers(response)
        return response
