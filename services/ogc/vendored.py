"""pygeoapi's HTML pages, with the libraries they link served by geo-bco itself.

pygeoapi's templates load Bootstrap, Leaflet and its plugins and Swagger UI from public
CDNs (unpkg, cdnjs). A browser with no way out to them (an offline deployment, a police
network that allows only the observatory) drew every page unstyled with a blank map, and
each page view told those CDNs who was reading which collection. The same libraries come
from npm (package.json; Leaflet 1.9, whose API keeps the 1.3 the templates name) and are
served as static files (``settings.STATICFILES_DIRS``); :func:`localise` points a page at them. A link not in :data:`LOCAL` (a template of a
resource geo-bco does not publish) is left as pygeoapi wrote it.

Two links are dropped instead: every collection page loads ``leaflet-imageoverlay-ogcapi``,
a plugin for OGC API - Maps collections (geo-bco publishes none) that is not on npm, so
unpkg cannot serve it either; and every page names html5shiv for Internet Explorer 8 and
older, in a conditional comment no browser since reads.
"""

from __future__ import annotations

import re

from django.templatetags.static import static

#: CDN folder -> the static folder holding the same files
LOCAL = {
    "https://unpkg.com/bootstrap@5.1.3/dist/": "vendor/bootstrap/",
    "https://unpkg.com/leaflet@1.3.1/dist/": "vendor/leaflet/",
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet/1.3.1/": "vendor/leaflet/",
    "https://unpkg.com/leaflet.markercluster/dist/": "vendor/leaflet.markercluster/",
    "https://unpkg.com/leaflet-draw@1.0.4/dist/": "vendor/leaflet-draw/",
    "https://unpkg.com/swagger-ui-dist/": "vendor/swagger-ui-dist/",
}
_DROPPED = re.compile(r'<script src="https://unpkg\.com/leaflet-imageoverlay-ogcapi@[^"]*"></script>'
                      r"|<!--\[if lt IE 9\]>.*?<!\[endif\]-->", re.DOTALL)
_LINK = re.compile("(" + "|".join(re.escape(folder) for folder in LOCAL) + r")([\w./-]+)")


def localise(html: str) -> str:
    """``html`` with every CDN link of :data:`LOCAL` replaced by its static file's URL."""
    return _LINK.sub(lambda m: static(LOCAL[m[1]] + m[2]), _DROPPED.sub("", html))
