"""Keyset pages: the ``next`` link of an items page says ``after=<last id>``.

With ``offset=N`` PostgreSQL reads and discards N rows, so reading a collection to
its end costs O(N^2); ``WHERE id > last_id ORDER BY id LIMIT n`` walks the primary
key and every page costs the same. The view (``services.ogc.views``) knows the
request's URL and the provider knows the last id, so the view puts a ``KeysetPage``
in a context variable for the duration of the request and the provider reads it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from urllib.parse import urlencode

#: The query parameter that carries the keyset position.
AFTER = "after"


@dataclass(frozen=True)
class KeysetPage:
    """The request being served: its items URL, its other parameters, its position."""

    items_url: str
    params: tuple[tuple[str, str], ...]
    after: str | None

    def next_link(self, last_id) -> dict:
        query = urlencode([*self.params, (AFTER, str(last_id))])
        return {"rel": "next", "type": "application/geo+json", "title": "Items (next)",
                "href": f"{self.items_url}?{query}"}


_PAGE: ContextVar[KeysetPage | None] = ContextVar("ogc_keyset_page", default=None)


def keyset_page() -> KeysetPage | None:
    """The page being served, or ``None`` outside an items request of ours."""
    return _PAGE.get()


@contextlib.contextmanager
def serving(page: KeysetPage) -> Iterator[None]:
    token = _PAGE.set(page)
    try:
        yield
    finally:
        _PAGE.reset(token)
