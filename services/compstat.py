"""CompStat figures: the ``area-counts`` layer read for one audience.

The dashboard, the bulletin and the map's popups show the same numbers, so all of them
read them here. The public reads ``public_area_counts_runs`` (small counts blanked by
the public rule, services/projections.py); signed-in commanders and analysts read
``analyst_area_counts_runs`` (exact counts). For each boundary set the latest run over
all offences is used; its ``category`` column holds every (non-sensitive) category.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext, gettext_lazy as _, gettext_noop

from .layers import REGISTRY
from .params import ParameterError
from .projections import BROAD_INPUT, relation
from .reading import read_connection

AUDIENCES = ("public", "analyst")
#: offence categories (geo_bco's taxonomy) as people read them
CATEGORY_LABELS = {"all": _("All offences"), "violent": _("Violent crime"), "sexual": _("Sexual offences"),
                   "property": _("Property crime"), "drugs": _("Drug offences"), "weapons": _("Weapons offences")}


def category_label(category: str) -> str:
    return str(CATEGORY_LABELS.get(category, category))


#: the names boundaries/loading.py gives the sets it loads, as catalogue msgids (a set
#: loaded later under another name shows that name as loaded)
BOUNDARY_SET_NAMES = (gettext_noop("Districts of Belize"), gettext_noop("Belize (national outline)"))


def boundary_set_labels(slugs) -> dict[str, str]:
    """Each boundary set's label in the active language: its own name, through the
    catalogue, or its slug when it has no name (or is not loaded)."""
    slugs = list(slugs)
    with read_connection().cursor() as cur:
        cur.execute("SELECT slug, name FROM public_boundary_sets WHERE slug = ANY(%s)", [slugs])
        names = dict(cur.fetchall())
    return {slug: gettext(names[slug]) if names.get(slug) else slug for slug in slugs}


#: the run filter of a run over all offences and the whole country, on a projection's text column
_BROAD = BROAD_INPUT.replace("r.input_filter", "run_filter::jsonb")


@dataclass(frozen=True)
class Change:
    """One period against the period before it. Counts are None where the public rule blanked them."""

    count: int | None
    previous: int | None
    change: int | None
    pct_change: float | None  #: None when the previous count is 0 (or blanked)
    start: date
    end: date


@dataclass
class AreaRow:
    code: str
    name: str
    population: int | None
    population_year: int | None
    last_28_days: Change | None = None
    year_to_date: Change | None = None
    rate_per_100k: float | None = None  #: year to date
    months: list[tuple[date, int | None]] = field(default_factory=list)  #: oldest first


@dataclass(frozen=True)
class Table:
    audience: str
    boundary_set: str
    category: str
    run_id: int
    as_of: date
    rows: list[AreaRow]
    categories: list[str]


def _check_audience(audience: str) -> None:
    if audience not in AUDIENCES:
        raise ValueError(f"audience {audience!r}: choose one of {', '.join(AUDIENCES)}")


def _fetch(sql: str, params: tuple | list = ()) -> list[tuple]:
    with read_connection().cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def latest_runs(audience: str) -> dict[str, int]:
    """The latest run over all offences of each boundary set: {boundary set: run id}."""
    _check_audience(audience)
    view = relation(audience, REGISTRY["area-counts"], runs=True)
    rows = _fetch(f"SELECT DISTINCT ON (boundary_set) boundary_set, run_id FROM {view} WHERE {_BROAD} "
                  "ORDER BY boundary_set, run_finished_at DESC, run_id DESC")
    return dict(rows)


def table(audience: str, boundary_set: str, category: str = "all") -> Table | None:
    """The CompStat table of a boundary set and category, or None when no run has counted it yet.
    Raises ParameterError naming ``category`` when the run has no such category."""
    run_id = latest_runs(audience).get(boundary_set)
    if run_id is None:
        return None
    view = relation(audience, REGISTRY["area-counts"], runs=True)
    categories = [c for (c,) in _fetch(f"SELECT DISTINCT category FROM {view} WHERE run_id = %s ORDER BY 1",
                                       [run_id])]
    if category not in categories:
        raise ParameterError("category", f"{category[:60]!r} is not one of {', '.join(categories)}")
    rows = _fetch(
        "SELECT code, name, population, population_year, period, period_start, period_end, incident_count, "
        f"previous_count, change, pct_change, rate_per_100k, run_parameters FROM {view} "
        "WHERE run_id = %s AND category = %s ORDER BY code, period_start",
        [run_id, category])
    areas: dict[str, AreaRow] = {}
    for code, name, pop, year, period, start, end, n, prev, change, pct, rate, _ in rows:
        area = areas.setdefault(code, AreaRow(code, name, pop, year))
        if period == "month":
            area.months.append((start, n))
            continue
        figures = Change(n, prev, change, pct, start, end)
        if period == "28d":
            area.last_28_days = figures
        else:
            area.year_to_date, area.rate_per_100k = figures, rate
    as_of = date.fromisoformat(json.loads(rows[0][-1])["as_of"])
    return Table(audience, boundary_set, category, run_id, as_of, list(areas.values()),
                 ["all", *(c for c in categories if c != "all")])


def total(values: list[int | None]) -> int | None:
    """The sum, or None if any value is blanked (a total would let anyone subtract the blanked one back)."""
    return None if any(v is None for v in values) else sum(values)


def top_hotspots(audience: str, limit: int = 10) -> list[dict]:
    """The hottest Gi* cells of the latest run over all offences, with the nearest gazetteer place."""
    _check_audience(audience)
    view = relation(audience, REGISTRY["hotspots"], runs=False)
    rows = _fetch(
        "SELECT h.cell, h.name, h.incident_count, h.z_score, h.confidence_bin, "
        "ST_Y(ST_PointOnSurface(h.geom)), ST_X(ST_PointOnSurface(h.geom)), p.name "
        f"FROM {view} h LEFT JOIN LATERAL (SELECT name FROM public_places "
        "  ORDER BY geom <-> ST_PointOnSurface(h.geom) LIMIT 1) p ON true "
        "WHERE h.confidence_bin > 0 ORDER BY h.z_score DESC, h.cell LIMIT %s", [limit])
    keys = ("cell", "name", "incident_count", "z_score", "confidence_bin", "lat", "lon", "near")
    return [dict(zip(keys, r)) for r in rows]
