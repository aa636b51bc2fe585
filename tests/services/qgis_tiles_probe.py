#!/usr/bin/python3
"""Draw an XYZ vector tile layer in a headless QGIS and report what it drew, as JSON.

Run with Debian's ``/usr/bin/python3`` (see ``qgis_probe.py``); ``test_tiles_analyst.py``
drives it in a subprocess. The layer is made as a user makes one in Layer > Add Layer >
Add Vector Tile Layer (a generic XYZ connection), optionally with a Basic authentication
configuration from QGIS's own authentication manager.

    /usr/bin/python3 qgis_tiles_probe.py TEMPLATE EXTENT_3857 [USERNAME PASSWORD]

``TEMPLATE`` is the tiles URL with ``{z}/{x}/{y}``; ``EXTENT_3857`` the drawn area as
``[minx, miny, maxx, maxy]`` in Web Mercator. The output holds ``valid`` (QGIS accepted the
layer) and ``pixels`` (about how many pixels of the 512 x 512 image the layer drew on; the
server's audit trail tells which tiles QGIS read: its tile loader's requests do not pass
the signal ``qgis_probe`` listens to).
"""

from __future__ import annotations

import json
import sys
from urllib.parse import quote

from qgis_probe import basic_authcfg, headless_qgis

SIZE = 512


def draw(template: str, extent: list[float], authcfg: str) -> dict:
    from qgis.core import (QgsCoordinateReferenceSystem, QgsMapRendererSequentialJob, QgsMapSettings,
                           QgsRectangle, QgsVectorTileBasicRenderer, QgsVectorTileLayer)
    from qgis.PyQt.QtCore import QSize
    from qgis.PyQt.QtGui import QColor

    uri = f"type=xyz&url={quote(template, safe=':/{}')}&zmin=0&zmax=16" + (f"&authcfg={authcfg}" if authcfg else "")
    layer = QgsVectorTileLayer(uri, "analyst incidents")
    result = {"valid": layer.isValid(), "pixels": 0}
    if not layer.isValid():
        return result
    renderer = QgsVectorTileBasicRenderer()  # the style QGIS gives a new XYZ vector tile layer
    renderer.setStyles(QgsVectorTileBasicRenderer.simpleStyleWithRandomColors())
    layer.setRenderer(renderer)
    settings = QgsMapSettings()
    settings.setLayers([layer])
    settings.setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:3857"))
    settings.setExtent(QgsRectangle(*extent))
    settings.setOutputSize(QSize(SIZE, SIZE))
    settings.setBackgroundColor(QColor(255, 255, 255))
    job = QgsMapRendererSequentialJob(settings)
    job.start()
    job.waitForFinished()
    image = job.renderedImage()
    white = QColor(255, 255, 255).rgb()
    result["pixels"] = sum(image.pixel(x, y) != white for x in range(0, SIZE, 2) for y in range(0, SIZE, 2)) * 4
    return result


def main(template: str, extent: list[float], credentials: list[str]) -> dict:
    with headless_qgis():
        return draw(template, extent, basic_authcfg(*credentials) if credentials else "")


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], json.loads(sys.argv[2]), sys.argv[3:5])))
