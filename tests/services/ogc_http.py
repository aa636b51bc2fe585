"""Plain HTTP against the live OGC API: the oracle the client tests compare with."""

from __future__ import annotations

import requests


def get(url: str, **params) -> dict:
    """GET ``url`` as JSON, asserting a 200."""
    response = requests.get(url, params={"f": "json", **params}, timeout=30)
    assert response.status_code == 200, f"{url}: {response.status_code} {response.text[:300]}"
    return response.json()
