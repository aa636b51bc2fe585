"""pygeoapi's HTML pages, each with its own API's configuration.

pygeoapi renders every HTML page with ``l10n.translate_struct(config, locale, True)``
(``pygeoapi.util.render_j2_template``), which caches the translated configuration per
*locale only*, for the whole process (``pygeoapi.l10n._cfg_cache``). That fits one API
per process. geo-bco serves two (the public ``/ogcapi`` and the analysts'
``/analyst/ogcapi``) and builds a new configuration whenever the measured extents change
(``services.ogc.views.api_for``): with that cache, the configuration that rendered first
in a language served every later HTML page in it, so after one analyst's page the public
pages showed the analysts' collection titles and static URLs, and after an import the
old extents. :func:`install` keys the translated copy by configuration as well.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from pygeoapi import l10n

_TRANSLATE = l10n.translate_struct
_LOCK = threading.Lock()
#: (id(config), locale) -> (config, its translated copy); the config is held so its id stays its own
_TRANSLATED: OrderedDict[tuple[int, str], tuple[dict, dict]] = OrderedDict()
KEEP = 16  #: configurations x languages kept (older extents' configurations fall out)


def translate_struct(struct, locale_=None, is_config: bool = False):
    """``l10n.translate_struct``, with a translated configuration cached per configuration and locale."""
    if not (is_config and struct and locale_):
        return _TRANSLATE(struct, locale_, is_config)
    key = (id(struct), str(locale_))
    with _LOCK:
        held = _TRANSLATED.get(key)
        if held is None or held[0] is not struct:
            l10n._cfg_cache.pop(locale_, None)  # pygeoapi's own per-locale entry: never another config's
            held = _TRANSLATED[key] = (struct, _TRANSLATE(struct, locale_, True))
            l10n._cfg_cache.pop(locale_, None)
            while len(_TRANSLATED) > KEEP:
                _TRANSLATED.popitem(last=False)
        _TRANSLATED.move_to_end(key)
        return held[1]


def install() -> None:
    """Route pygeoapi's HTML rendering through :func:`translate_struct` (from ``services.apps``)."""
    l10n.translate_struct = translate_struct
