"""Open data at ``/data/``: a monthly archive of the public incidents (CSV, GeoJSON,
GeoPackage), with a data dictionary and the licence, as police.uk publishes its own.

Every file is cut from ``public_incidents`` only, so it holds exactly what the public
rule lets anyone see (250 m cell centres, dates without times, no sensitive offence).
"""

from __future__ import annotations

import csv
import io
import tempfile
from datetime import date
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from .views import demo_note

LICENCE = {"name": "CC BY 4.0", "url": "https://creativecommons.org/licenses/by/4.0/"}
FORMATS = {"csv": "text/csv", "geojson": "application/geo+json", "gpkg": "application/geopackage+sqlite3"}

#: (column, type, meaning): the data dictionary, and the columns of every archive, in order
DICTIONARY = (
    ("id", "integer", _("A stable public identifier of the record; it reveals nothing of the police system's own id.")),
    ("offence", "text", _("Offence code (e.g. burglary, robbery).")),
    ("offence_label", "text", _("Offence as people read it.")),
    ("category", "text", _("Offence category: violent, property, drugs, weapons.")),
    ("occurred_on", "date", _("Day it happened (Belize time); the time of day is never published.")),
    ("geocode_precision", "text", _("How precisely the police record placed it: exact, address, locality, district.")),
    ("district", "text", _("District the incident lies in.")),
    ("longitude", "number", _("Longitude (WGS84) of the centre of the 250 m grid cell holding the incident, not its exact place.")),
    ("latitude", "number", _("Latitude (WGS84) of the same cell centre.")),
)
_SELECT = ("SELECT id, offence, offence_label, category, occurred_on, geocode_precision, district, "
           "round(ST_X(geom)::numeric, 6)::float, round(ST_Y(geom)::numeric, 6)::float FROM public_incidents "
           "WHERE occurred_on >= %s AND occurred_on < %s ORDER BY occurred_on, id")


def months() -> list[tuple[date, int]]:
    """(first day, records) of every month that has public incidents, newest first."""
    with connection.cursor() as cur:
        cur.execute("SELECT date_trunc('month', occurred_on)::date, count(*) FROM public_incidents "
                    "GROUP BY 1 ORDER BY 1 DESC")
        return cur.fetchall()


def _month_rows(first: date) -> list[tuple]:
    after = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    with connection.cursor() as cur:
        cur.execute(_SELECT, [first, after])
        return cur.fetchall()


def _frame(rows: list[tuple]) -> gpd.GeoDataFrame:
    columns = [c for c, _, _ in DICTIONARY]
    frame = gpd.GeoDataFrame(rows, columns=columns)
    return frame.set_geometry(shapely.points(frame["longitude"], frame["latitude"]), crs=4326)


def render_archive(first: date, fmt: str) -> bytes:
    """The month's public incidents in ``fmt`` (csv, geojson or gpkg)."""
    rows = _month_rows(first)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([c for c, _, _ in DICTIONARY])
        writer.writerows(rows)
        return out.getvalue().encode()
    frame = _frame(rows)
    if fmt == "geojson":
        return frame.assign(occurred_on=frame["occurred_on"].astype(str)).to_json(drop_id=True).encode()
    frame["occurred_on"] = pd.to_datetime(frame["occurred_on"]).dt.date
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "incidents.gpkg"
        frame.to_file(path, layer="incidents", driver="GPKG", engine="pyogrio")
        return path.read_bytes()


def archive(request: HttpRequest, month: str, fmt: str) -> HttpResponse:
    """``/data/2025-03/incidents.csv`` (or ``.geojson``, ``.gpkg``)."""
    try:
        first = date.fromisoformat(f"{month}-01") if len(month) == 7 else None
    except ValueError:
        first = None
    if first is None or fmt not in FORMATS:
        raise Http404(f"no archive {month[:20]}/incidents.{fmt[:10]}: months are YYYY-MM, formats {', '.join(FORMATS)}")
    response = HttpResponse(render_archive(first, fmt), content_type=FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="belize-incidents-{first:%Y-%m}.{fmt}"'
    return response


def index(request: HttpRequest) -> HttpResponse:
    return render(request, "services/opendata.html", {
        "months": months(), "formats": list(FORMATS), "dictionary": DICTIONARY, "licence": LICENCE,
        "demo_note": demo_note()})
