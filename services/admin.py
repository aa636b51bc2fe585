"""Admin pages for every derived layer kind, generated from the registry."""

from django.contrib.gis import admin

from .layers import REGISTRY


def _layer_admin(kind):
    shown = ["run", *[c.removesuffix("_id") for c in kind.columns if c != "id"][:6]]
    return type(f"{kind.model.__name__}Admin", (admin.GISModelAdmin,), {
        "list_display": shown, "list_filter": ["run"], "list_select_related": ["run"],
    })


for kind in REGISTRY.values():
    admin.site.register(kind.model, _layer_admin(kind))
