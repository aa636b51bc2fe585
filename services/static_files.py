"""Static files: WhiteNoise, also serving pygeoapi's own where its HTML pages link them.

pygeoapi's templates link their stylesheet, logo and icons at ``<server url>/static/``
(``/ogcapi/static/css/default.css``), the path pygeoapi's own apps serve them from.
geo-bco routes the OGC API itself (``services/ogc/urls.py``), so without this those
links answered 404 and every HTML page of the API came without its style and logo.
"""

from __future__ import annotations

from pathlib import Path

import pygeoapi
from whitenoise.middleware import WhiteNoiseMiddleware

PYGEOAPI_STATIC = Path(pygeoapi.__file__).parent / "static"
#: where each OGC API is mounted (services/urls.py), + "static/"
OGC_STATIC_PREFIXES = ("/ogcapi/static/", "/analyst/ogcapi/static/")


class StaticFiles(WhiteNoiseMiddleware):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for prefix in OGC_STATIC_PREFIXES:
            self.add_files(str(PYGEOAPI_STATIC), prefix=prefix)
