#!/usr/bin/python3
"""Load OGC API - Features collections in a headless QGIS and report what it sees, as JSON.

Run with Debian's ``/usr/bin/python3`` (``python3-qgis`` is built for it; the
project's virtualenv cannot import ``qgis``). ``test_ogc_qgis.py`` drives it in a
subprocess; the server's own answers, read over plain HTTP, are the oracle there.

    /usr/bin/python3 qgis_probe.py URL SPEC_JSON

``URL`` is the service URL exactly as a user types it into QGIS's "New OGC API -
Features connection" (with or without a trailing slash: QGIS follows no redirect).
``SPEC_JSON`` is a list of ``{"collection": id, "bbox": [minx, miny, maxx, maxy],
"auth": [username, password]}`` (``auth`` optional: a Basic authentication
configuration is then made in QGIS's authentication manager and the layer uses it).
For each, the output holds:

``valid``      QGIS accepted the layer;
``ids``        the ``id`` of every feature QGIS read (the whole collection);
``crs``        the layer's CRS (authid);
``bbox_ids``   the ids QGIS returns for the box with "only request features
               overlapping the view extent" on (``restrictToRequestBBOX=1``);
``bbox_asked`` how many of QGIS's requests for that carried ``bbox=``;
``urls``       every URL QGIS requested.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
import tempfile


def layer(url: str, collection: str, *, restrict_bbox: bool = False, authcfg: str = ""):
    from qgis.core import QgsDataSourceUri, QgsVectorLayer

    uri = QgsDataSourceUri()
    uri.setParam("url", url)
    uri.setParam("typename", collection)
    if restrict_bbox:
        uri.setParam("restrictToRequestBBOX", "1")
    if authcfg:
        uri.setAuthConfigId(authcfg)
    return QgsVectorLayer(uri.uri(False), collection, "OAPIF")


def basic_authcfg(username: str, password: str) -> str:
    """A Basic authentication configuration in the (temporary) profile's auth database, as
    a user makes one in Settings > Options > Authentication; returns its id."""
    from qgis.core import QgsApplication, QgsAuthMethodConfig

    manager = QgsApplication.authManager()
    manager.setMasterPassword("geo-bco-test-master", True)
    config = QgsAuthMethodConfig("Basic")
    config.setName("geo-bco analyst")
    config.setConfig("username", username)
    config.setConfig("password", password)
    if not manager.storeAuthenticationConfig(config)[0]:
        raise RuntimeError("QGIS refused to store the authentication configuration")
    return config.id()


def feature_ids(features) -> list:
    return [f.attribute("id") for f in features]


def probe(app, urls: list[str], url: str, spec: dict) -> dict:
    from qgis.core import QgsFeatureRequest, QgsRectangle

    cid = spec["collection"]
    authcfg = basic_authcfg(*spec["auth"]) if spec.get("auth") else ""
    whole = layer(url, cid, authcfg=authcfg)
    result = {"collection": cid, "valid": whole.isValid(), "crs": whole.crs().authid(), "authcfg": authcfg}
    if not whole.isValid():
        return result
    result["ids"] = feature_ids(whole.getFeatures())
    app.processEvents()
    result["urls"] = urls[:]
    del urls[:]
    box = spec.get("bbox")
    if box:
        restricted = layer(url, cid, restrict_bbox=True, authcfg=authcfg)
        request = QgsFeatureRequest().setFilterRect(QgsRectangle(*box)).setFlags(QgsFeatureRequest.ExactIntersect)
        result["bbox_ids"] = feature_ids(restricted.getFeatures(request))
        app.processEvents()
        result["bbox_asked"] = sum("bbox=" in u for u in urls)
        result["urls"] += urls
    return result


@contextlib.contextmanager
def headless_qgis():
    """A QGIS application with a fresh, temporary profile (no saved settings of a user change
    the results), yielding it and the list every URL QGIS requests is appended to."""
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    runtime = os.environ.setdefault("XDG_RUNTIME_DIR", tempfile.mkdtemp(prefix="qgis-xdg-"))
    profile = tempfile.mkdtemp(prefix="qgis-profile-")
    from qgis.core import QgsApplication, QgsNetworkAccessManager, QgsNetworkRequestParameters

    app = QgsApplication([], False, profile)
    app.initQgis()
    urls: list[str] = []
    QgsNetworkAccessManager.instance().requestAboutToBeCreated[QgsNetworkRequestParameters].connect(
        lambda params: urls.append(params.request().url().toString()))
    try:
        yield app, urls
    finally:
        app.exitQgis()
        shutil.rmtree(profile, ignore_errors=True)
        if runtime.startswith(tempfile.gettempdir() + "/qgis-xdg-"):
            shutil.rmtree(runtime, ignore_errors=True)


def main(url: str, specs: list[dict]) -> list[dict]:
    with headless_qgis() as (app, urls):
        return [probe(app, urls, url, spec) for spec in specs]


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], json.loads(sys.argv[2]))))
