"""What the OGC API serves: one small frozen record per collection.

The layer-kind registry (``services/layers.py``) gives two per public kind
(:func:`layer_collections`); the rest are declared in :data:`BASE_COLLECTIONS`.
Nothing else in ``services/ogc`` names a table.

Titles, descriptions and keywords are lazy texts from the Django catalogue (English
source, Spanish in ``services/locale``): ``services.ogc.config`` turns each into
pygeoapi's language struct (``{"en-US": ..., "es": ...}``), so the API's words have
one source with the pages'.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_lazy as _, gettext_noop


def _composed(template: str, **parts: str) -> str:
    """``template`` (a catalogue msgid with ``%(name)s`` slots) filled with ``parts``, each
    translated too, in the language active when the text is read: a kind's title and
    description come from the layer registry as msgids of their own."""
    return gettext(template) % {name: gettext(part) for name, part in parts.items()}


composed = lazy(_composed, str)


@dataclass(frozen=True)
class Collection:
    """One OGC API - Features collection over a public table or (materialized) view.

    ``time_field`` is the column ``datetime=`` filters on (a ``date`` or
    ``timestamptz``); ``None`` for collections without a time, where ``datetime=``
    is refused with a 400.
    """

    id: str
    table: str
    title: str
    description: str
    keywords: tuple[str, ...]
    time_field: str | None = None
    id_field: str = "id"
    geometry: str = "geom"


#: What is not a layer kind: boundaries, public incidents, sensitive offences in aggregate.
BASE_COLLECTIONS: tuple[Collection, ...] = (
    Collection(
        "districts", "public_districts", _("Districts of Belize"),
        _("The six districts (Natural Earth 10m admin-1) with their latest population figure, its year and source."),
        (_("boundaries"), _("districts"), _("population")),
    ),
    Collection(
        "boundaries", "public_boundaries", _("Boundaries (every set)"),
        _("Every loaded boundary set (filter with boundary_set=districts, constituencies, ...) with the latest "
          "population figure, its year and source."),
        (_("boundaries"), _("population")),
    ),
    Collection(
        "incidents", "public_incidents", _("Incidents (public)"),
        _("Incidents as the public may see them: per offence category and month, the count in each 250 m cell "
          "(1 km where a 250 m cell holds fewer than 3), at the cell centre; counts under 3 and sensitive offences "
          "are never shown."),
        (_("crime"), _("incidents")), time_field="period_start",
    ),
    Collection(
        "sensitive-offences", "public_sensitive_counts", _("Sensitive offences per district and month"),
        _("Sexual offences, domestic violence and kidnapping, only as counts per district and month; counts under 3 "
          "are blank."),
        (_("crime"), _("sensitive offences"), _("districts")), time_field="period_start",
    ),
)

#: the words around a layer kind's own title and description (python-format msgids)
LATEST_TITLE = gettext_noop("%(title)s (latest run)")
EVERY_TITLE = gettext_noop("%(title)s (every run)")


def layer_collections() -> tuple[Collection, ...]:
    """``<kind>`` (latest run) and ``<kind>-runs`` (every run) for each public layer kind."""
    from ..layers import REGISTRY
    from ..projections import relation

    out = []
    for kind in REGISTRY.values():
        if not kind.public:
            continue
        words = (_("crime"), *kind.keywords)
        out.append(Collection(
            kind.name, relation("public", kind, runs=False), composed(LATEST_TITLE, title=kind.title),
            composed(gettext_noop("%(description)s Latest run over all offences; each feature names its run "
                                  "(run_id, run_label, run_parameters)."), description=kind.description),
            words, time_field=kind.time_field))
        out.append(Collection(
            f"{kind.name}-runs", relation("public", kind, runs=True), composed(EVERY_TITLE, title=kind.title),
            composed(gettext_noop("%(description)s Every run; filter with run_id=N."), description=kind.description),
            (*words, _("history")), time_field=kind.time_field))
    return tuple(out)


def public_collections() -> tuple[Collection, ...]:
    """Every collection of the public OGC API (needs the apps loaded: the registry names models)."""
    return BASE_COLLECTIONS + layer_collections()


def analyst_collections() -> tuple[Collection, ...]:
    """The analysts' OGC API: boundaries, exact incidents (time, every offence) and, for
    every layer kind, near-repeat roles included, its latest run and every run in full."""
    from ..layers import REGISTRY
    from ..projections import relation

    out = [*(c for c in BASE_COLLECTIONS if c.id in ("districts", "boundaries")), Collection(
        "incidents", "analyst_incidents", _("Incidents (exact, analysts only)"),
        _("Every incident at its geocoded point with its time, sensitive offences included, with its source, "
          "geocoding method, precision and score."), (_("crime"), _("incidents"), _("exact")),
        time_field="occurred_at")]
    for kind in REGISTRY.values():
        words = (_("crime"), *kind.keywords)
        out.append(Collection(
            kind.name, relation("analyst", kind, runs=False), composed(LATEST_TITLE, title=kind.title),
            composed(gettext_noop("%(description)s Latest run over all offences, every column."),
                     description=kind.description), words, time_field=kind.time_field))
        out.append(Collection(
            f"{kind.name}-runs", relation("analyst", kind, runs=True), composed(EVERY_TITLE, title=kind.title),
            composed(gettext_noop("%(description)s Every run, sensitive input included; filter with run_id=N."),
                     description=kind.description), (*words, _("history")), time_field=kind.time_field))
    return tuple(out)
