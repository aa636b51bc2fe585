"""DRF authentication through services/access.py: the REST API accepts exactly what the rest of the site does."""

from __future__ import annotations

from rest_framework import authentication, exceptions

from ..access import API_KEY_HEADER, REALM, basic_credentials, identify


class BasicOrApiKeyAuthentication(authentication.BaseAuthentication):
    """HTTP Basic or an ``X-API-Key`` header. Wrong credentials are a 401 (DRF's rule), never anonymous;
    an anonymous request to a protected view gets 401 with ``WWW-Authenticate: Basic``."""

    def authenticate(self, request):
        raw = request._request
        if basic_credentials(raw) is None and not raw.headers.get(API_KEY_HEADER, "").strip():
            return None  # no credentials: let the session authenticator try
        user, method = identify(raw)
        if user is None:
            raise exceptions.AuthenticationFailed("invalid username/password or API key")
        return user, method

    def authenticate_header(self, request) -> str:
        return f'Basic realm="{REALM}"'
