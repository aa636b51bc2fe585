"""What the OGC API serves: one small frozen record per collection.

The layer-kind registry (``services/layers.py``) gives two per public kind
(:func:`layer_collections`); the rest are declared in :data:`BASE_COLLECTIONS`.
Nothing else in ``services/ogc`` names a table.
"""

from __future__ import annotations

from dataclasses import dataclass


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
        "districts", "public_districts", "Districts of Belize",
        "The six districts (Natural Earth 10m admin-1) with their latest population figure, its year and source.",
        ("boundaries", "districts", "population"),
    ),
    Collection(
        "boundaries", "public_boundaries", "Boundaries (every set)",
        "Every loaded boundary set (filter with boundary_set=districts, constituencies, ...) with the latest "
        "population figure, its year and source.",
        ("boundaries", "population"),
    ),
    Collection(
        "incidents", "public_incidents", "Incidents (public)",
        "Incidents as the public may see them: per offence category and month, the count in each 250 m cell "
        "(1 km where a 250 m cell holds fewer than 3), at the cell centre; counts under 3 and sensitive offences "
        "are never shown.",
        ("crime", "incidents"), time_field="period_start",
    ),
    Collection(
        "sensitive-offences", "public_sensitive_counts", "Sensitive offences per district and month",
        "Sexual offences, domestic violence and kidnapping, only as counts per district and month; counts under 3 "
        "are blank.",
        ("crime", "sensitive offences", "districts"), time_field="period_start",
    ),
)


def layer_collections() -> tuple[Collection, ...]:
    """``<kind>`` (latest run) and ``<kind>-runs`` (every run) for each public layer kind."""
    from ..layers import REGISTRY
    from ..projections import relation

    out = []
    for kind in REGISTRY.values():
        if not kind.public:
            continue
        words = ("crime", *kind.keywords)
        out.append(Collection(
            kind.name, relation("public", kind, runs=False), f"{kind.title} (latest run)",
            f"{kind.description} Latest run over all offences; each feature names its run "
            "(run_id, run_label, run_parameters).", words, time_field=kind.time_field))
        out.append(Collection(
            f"{kind.name}-runs", relation("public", kind, runs=True), f"{kind.title} (every run)",
            f"{kind.description} Every run; filter with run_id=N.", (*words, "history"), time_field=kind.time_field))
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
        "incidents", "analyst_incidents", "Incidents (exact, analysts only)",
        "Every incident at its geocoded point with its time, sensitive offences included, with its source, "
        "geocoding method, precision and score.", ("crime", "incidents", "exact"), time_field="occurred_at")]
    for kind in REGISTRY.values():
        words = ("crime", *kind.keywords)
        out.append(Collection(kind.name, relation("analyst", kind, runs=False), f"{kind.title} (latest run)",
                              f"{kind.description} Latest run over all offences, every column.", words,
                              time_field=kind.time_field))
        out.append(Collection(f"{kind.name}-runs", relation("analyst", kind, runs=True), f"{kind.title} (every run)",
                              f"{kind.description} Every run, sensitive input included; filter with run_id=N.",
                              (*words, "history"), time_field=kind.time_field))
    return tuple(out)
