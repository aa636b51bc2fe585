from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext as _

from .reading import read_connection


def demo_note() -> str:
    """The banner every page shows while the data are the synthetic demonstration set."""
    with read_connection().cursor() as cur:  # a public projection, like everything an anonymous page reads
        cur.execute("SELECT EXISTS (SELECT 1 FROM public_sources WHERE source_system = 'demo')")
        demo = cur.fetchone()[0]
    return _("Demonstration data: synthetic incidents, not real crimes.") if demo else ""


def web_map(request):
    from .compstat import CATEGORY_LABELS

    return render(request, "services/map.html", {
        "demo_note": demo_note(), "min_count": settings.BCO_PUBLIC_MIN_COUNT, "category_labels": {k: str(v) for k, v in CATEGORY_LABELS.items()}})
