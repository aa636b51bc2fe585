"""Counts and rates per area: incidents per boundary, offence category and period
(each of the last months, the last 28 days, the year to date), with the previous
period, the change and the rate per 100,000 with the population's year and source.

The commander's CompStat table and the planners' choropleth read this layer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd
import shapely
from django.conf import settings
from django.db import connection

from geo_bco.models import AnalysisRun, AreaCount, OffenceType

from ..params import ParameterError, param
from .result import JobResult, TooFewIncidents
from .selection import IncidentFilter, filter_sql
from .writing import copy_layer


@dataclass(frozen=True)
class AreaCountParams:
    boundary_set: str = param("districts", "boundary set to count in")
    months: int = param(24, "calendar months of history, ending with the month of as_of", minimum=1, maximum=240)
    as_of: date | None = param(None, "last day counted", default_text="the day of the latest selected incident")


def _daily_counts(set_slug: str, flt: IncidentFilter) -> pd.DataFrame:
    """Incidents per boundary, category and Belize day: one grouped query. Districts
    use the district the import assigned (with its nearest-district fallback for
    points just off the generalised coast); other sets a spatial join."""
    where, params = filter_sql(flt)
    join = ("b.id = i.district_id" if set_slug == "districts" else "ST_Intersects(b.geom, i.location)")
    with connection.cursor() as cur:
        cur.execute(
            "SELECT b.id, o.category, (i.occurred_at AT TIME ZONE 'America/Belize')::date, count(*) "
            "FROM geo_bco_incident i JOIN geo_bco_offencetype o ON o.id = i.offence_id "
            f"JOIN boundaries_boundary b ON {join} "
            "JOIN boundaries_boundaryset s ON s.id = b.boundary_set_id "
            f"WHERE s.slug = %s AND {where} GROUP BY 1, 2, 3",
            [set_slug, *params],
        )
        return pd.DataFrame(cur.fetchall(), columns=["boundary", "category", "day", "n"])


def _boundaries(set_slug: str) -> pd.DataFrame:
    """Each boundary with its latest population (census preferred within a year) and geometry."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT b.id, b.code, b.name, p.population, p.year, p.source, ST_AsBinary(b.geom) "
            "FROM boundaries_boundary b JOIN boundaries_boundaryset s ON s.id = b.boundary_set_id "
            "LEFT JOIN LATERAL (SELECT population, year, source FROM boundaries_population "
            "  WHERE boundary_id = b.id ORDER BY year DESC, (kind = 'census') DESC LIMIT 1) p ON true "
            "WHERE s.slug = %s ORDER BY b.code",
            [set_slug],
        )
        rows = cur.fetchall()
    if not rows:
        raise ParameterError("boundary_set", f"no boundary set {set_slug!r} is loaded (bco load-boundaries)")
    frame = pd.DataFrame(rows, columns=["boundary", "code", "name", "population", "population_year",
                                        "population_source", "wkb"])
    frame["geometry"] = shapely.from_wkb([bytes(w) for w in frame.pop("wkb")])
    return frame


def periods(as_of: date, months: int) -> list[tuple[str, date, date, date, date]]:
    """(period, start, end, previous start, previous end), all days inclusive."""
    out = []
    month = as_of.replace(day=1)
    for _ in range(months):
        end = (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        prev_end = month - timedelta(days=1)
        out.append(("month", month, min(end, as_of), prev_end.replace(day=1), prev_end))
        month = prev_end.replace(day=1)
    out.append(("28d", as_of - timedelta(days=27), as_of, as_of - timedelta(days=55), as_of - timedelta(days=28)))
    year_ago = as_of.replace(year=as_of.year - 1, day=28 if (as_of.month, as_of.day) == (2, 29) else as_of.day)
    out.append(("ytd", as_of.replace(month=1, day=1), as_of, year_ago.replace(month=1, day=1), year_ago))
    return out


def run(run: AnalysisRun, params: AreaCountParams, flt: IncidentFilter) -> JobResult:
    areas = _boundaries(params.boundary_set)
    daily = _daily_counts(params.boundary_set, flt)
    if daily.empty:
        raise TooFewIncidents("area counts need at least 1 incident inside the boundary set; the filter selected 0")
    as_of = params.as_of or max(daily["day"])
    categories = ["all", *sorted(set(OffenceType.objects.filter(
        **({"code__in": flt.offences} if flt.offences else {}),
        **({"category__in": flt.categories} if flt.categories else {}),
        **({} if flt.sensitive else {"sensitive": False})).values_list("category", flat=True)))]
    days = pd.to_datetime(daily["day"]).to_numpy()
    k = settings.BCO_PUBLIC_MIN_COUNT
    records = []
    for period, start, end, prev_start, prev_end in periods(as_of, params.months):
        now = (days >= np.datetime64(start)) & (days <= np.datetime64(end))
        before = (days >= np.datetime64(prev_start)) & (days <= np.datetime64(prev_end))
        for category in categories:
            in_cat = np.ones(len(daily), bool) if category == "all" else (daily["category"] == category).to_numpy()
            current = daily[now & in_cat].groupby("boundary")["n"].sum()
            previous = daily[before & in_cat].groupby("boundary")["n"].sum()
            for area in areas.itertuples(index=False):
                n, p = int(current.get(area.boundary, 0)), int(previous.get(area.boundary, 0))
                pop = None if pd.isna(area.population) else int(area.population)
                records.append({
                    "boundary_id": area.boundary, "boundary_set": params.boundary_set, "code": area.code,
                    "name": area.name, "category": category, "period": period, "period_start": start,
                    "period_end": end, "incident_count": n, "previous_start": prev_start, "previous_end": prev_end,
                    "previous_count": p, "change": n - p, "pct_change": 100.0 * (n - p) / p if p else None,
                    "population": pop, "population_year": None if pop is None else int(area.population_year),
                    "population_source": area.population_source or "",
                    "rate_per_100k": 1e5 * n / pop if pop else None, "small_count": 0 < n < k or 0 < p < k,
                    "geometry": area.geometry,
                })
    frame = pd.DataFrame.from_records(records)
    geometry = frame.pop("geometry").to_numpy()
    rows = copy_layer(AreaCount, run, {c: frame[c].to_numpy(dtype=object) for c in frame.columns}, geometry, crs=4326)
    total = int(daily["n"].sum())
    log = [f"{total} incidents inside {len(areas)} boundaries of {params.boundary_set!r}",
           f"periods: {params.months} months to {as_of:%B %Y}, the 28 days to {as_of}, the year to date; "
           f"{len(categories) - 1} offence categories and all offences",
           f"rates per 100,000 use each boundary's latest population (year and source on every row); "
           f"counts below {k} are flagged small"]
    resolved = {"boundary_set": params.boundary_set, "months": params.months, "as_of": as_of.isoformat()}
    return JobResult(total, resolved, log, rows)
