"""Open data at ``/data/``: a monthly archive of the public incidents (CSV, GeoJSON,
GeoPackage), with a data dictionary and the licence, as police.uk publishes its own.

Every file is cut from ``public_incidents`` only, so it holds exactly what the public
rule lets anyone see: counts per offence category, month and 250 m (or 1 km) grid
cell, never under the public minimum, never a single record or a sensitive offence.
"""

from __future__ import annotations

import csv
import io
import tempfile
from datetime import date
from pathlib import Path

import geopandas as gpd
import shapely
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from .reading import read_connection
from .views import demo_note

LICENCE = {"name": "CC BY 4.0", "url": "https://creativecommons.org/licenses/by/4.0/"}
FORMATS = {"csv": "text/csv", "geojson": "application/geo+json", "gpkg": "application/geopackage+sqlite3"}

#: (column, type, meaning): the data dictionary, and the columns of every archive, in order
DICTIONARY = (
    ("id", "integer", _("A stable public identifier of the cell and period; it reveals nothing of any police record.")),
    ("category", "text", _("Offence category: violent, property, drugs, weapons.")),
    ("period_start", "date", _("First day of the period counted (Belize time).")),
    ("period", "text", _("Length of the period: month (or quarter, year where the observatory publishes so).")),
    ("cell_size_m", "integer", _("Side of the grid cell in metres: 250, or 1000 where the 250 m cells held too few.")),
    ("incident_count", "integer", _("Incidents of the category in the cell and period; never fewer than the public minimum.")),
    ("district", "text", _("District most of the cell's incidents lie in.")),
    ("longitude", "number", _("Longitude (WGS84) of the centre of the grid cell, not of any incident.")),
    ("latitude", "number", _("Latitude (WGS84) of the same cell centre.")),
)
_SELECT = ("SELECT id, category, period_start, period, cell_size_m, incident_count, district, "
           "round(ST_X(geom)::numeric, 6)::float, round(ST_Y(geom)::numeric, 6)::float FROM public_incidents "
           "WHERE period_start >= %s AND period_start < %s ORDER BY period_start, category, id")


def months() -> list[tuple[date, int]]:
    """(first day, incidents) of every month that has public incidents, newest first."""
    with read_connection().cursor() as cur:
        cur.execute("SELECT date_trunc('month', period_start)::date, sum(incident_count) FROM public_incidents "
                    "GROUP BY 1 ORDER BY 1 DESC")
        return cur.fetchall()


def _month_rows(first: date) -> list[tuple]:
    after = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    with read_connection().cursor() as cur:
        cur.execute(_SELECT, [first, after])
        return cur.fetchall()


def _frame(rows: list[tuple]) -> gpd.GeoDataFrame:
    columns = [c for c, _, _ in DICTIONARY]
    frame = gpd.GeoDataFrame(rows, columns=columns)
    xy = frame[["longitude", "latitude"]].to_numpy(dtype=float)
    return frame.set_geometry(shapely.points(xy), crs=4326)


def render_archive(rows: list[tuple], fmt: str) -> bytes:
    """A month's public incidents (rows in the dictionary's columns) in ``fmt`` (csv, geojson or gpkg)."""
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([c for c, _, _ in DICTIONARY])
        writer.writerows(rows)
        return out.getvalue().encode()
    frame = _frame(rows)
    if fmt == "geojson":
        return frame.assign(period_start=frame["period_start"].astype(str)).to_json(drop_id=True).encode()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "incidents.gpkg"
        frame.to_file(path, layer="incidents", driver="GPKG", engine="pyogrio")
        return path.read_bytes()


def archive(request: HttpRequest, month: str, fmt: str) -> HttpResponse:
    """``/data/2025-03/incidents.csv`` (or ``.geojson``, ``.gpkg``).

    A month the archive does not hold (no public incidents: before the first import, in the
    future) is a 404, as the index lists only the months it holds, not an empty file.
    """
    try:
        first = date.fromisoformat(f"{month}-01") if len(month) == 7 else None
    except ValueError:
        first = None
    if first is None or fmt not in FORMATS:
        raise Http404(f"no archive {month[:20]}/incidents.{fmt[:10]}: months are YYYY-MM, formats {', '.join(FORMATS)}")
    rows = _month_rows(first)
    if not rows:
        raise Http404(f"no public incidents for {first:%Y-%m}: /data/ lists the months the archive holds")
    response = HttpResponse(render_archive(rows, fmt), content_type=FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="belize-incidents-{first:%Y-%m}.{fmt}"'
    return response


def index(request: HttpRequest) -> HttpResponse:
    return render(request, "services/opendata.html", {
        "months": months(), "formats": list(FORMATS), "dictionary": DICTIONARY, "licence": LICENCE,
        "demo_note": demo_note()})
