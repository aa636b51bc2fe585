"""The served OpenAPI document with its remote ``$ref``s replaced by local stubs.

pygeoapi's document points at schemas.opengis.net and GitHub for shared parameters,
responses and schemas; this machine (like a CI runner without internet) cannot fetch
them. Each remote reference is replaced by a local definition: parameters with
their real name, place and a string or array schema (so schemathesis still
generates values for them), responses and schemas permissive (the suite checks
status codes and bodies itself).
"""

from __future__ import annotations

import requests

STRING = {"type": "string"}

#: remote reference -> its local stand-in (fragments of ogcapi-features-1.yaml and friends)
PARAMETERS = {
    "parameters/datetime": {"name": "datetime", "in": "query", "required": False, "schema": STRING},
    "parameters/featureId": {"name": "featureId", "in": "path", "required": True, "schema": STRING},
    "parameters/sortby.yaml": {
        "name": "sortby", "in": "query", "required": False, "style": "form", "explode": False,
        "schema": {"type": "array", "items": STRING},
    },
}


def stub(ref: str):
    for suffix, parameter in PARAMETERS.items():
        if ref.endswith(suffix):
            return dict(parameter)
    if "/responses/" in ref:
        return {"description": ref.rsplit("/", 1)[-1]}
    return {}  # a schema: anything goes


def resolve_remote(node):
    """A copy of ``node`` with every remote ``$ref`` replaced by its stub."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(("http://", "https://")):
            return stub(ref)
        return {key: resolve_remote(value) for key, value in node.items()}
    if isinstance(node, list):
        return [resolve_remote(value) for value in node]
    return node


def served_openapi(ogc: str) -> dict:
    """The live server's OpenAPI document, remote references stubbed."""
    response = requests.get(f"{ogc}/openapi", params={"f": "json"}, timeout=60)
    response.raise_for_status()
    return resolve_remote(response.json())
