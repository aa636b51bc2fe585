"""A response body kept together with its gzip form.

A page answered from memory (``services.ogc.plain_pages``) is compressed once, when
it is rendered, rather than on every request: gzip is most of the cost of serving a
1000-feature page that is already known.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.middleware.gzip import GZipMiddleware, re_accepts_gzip
from django.utils.cache import patch_vary_headers
from django.utils.text import compress_string


@dataclass(frozen=True)
class Document:
    body: bytes
    gzipped: bytes

    @classmethod
    def of(cls, body: bytes) -> Document:
        # the same random padding as Django's GZipMiddleware (a BREACH mitigation)
        return cls(body, compress_string(body, max_random_bytes=GZipMiddleware.max_random_bytes))

    def response(self, request: HttpRequest, status: int) -> HttpResponse:
        """The body in the form the client accepts (``Vary: Accept-Encoding`` either way)."""
        if re_accepts_gzip.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
            response = HttpResponse(self.gzipped, status=status)
            response["Content-Encoding"] = "gzip"
        else:
            response = HttpResponse(self.body, status=status)
        patch_vary_headers(response, ("Accept-Encoding",))
        return response
