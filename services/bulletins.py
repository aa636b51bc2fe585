"""The monthly bulletin: ``bco bulletin --month 2025-03 [--lang es] [--district NAME]``
writes an HTML file and its PDF (WeasyPrint) into ``BCO_BULLETIN_DIR``, served at
``/bulletins/``. The standard refresh writes the last complete month's bulletin, in
every language, when it is missing (:func:`write_missing`).

Everything in it is public: it reads only ``public_*`` projections (the latest
counts-per-area run over districts, the latest Gi* hot spots, the public cell counts),
plus two aggregate data-quality figures from the records themselves (share of the
month's records by geocode precision, rows rejected at import), so it can be handed
to anyone.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import geopandas as gpd
import shapely
from django.conf import settings
from django.db import connection
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.formats import date_format
from django.utils.text import get_text_list, slugify
from django.utils.translation import gettext as _, ngettext

from . import bulletin_figures, compstat
from .views import demo_note

FILE_NAME = re.compile(r"bulletin-(\d{4}-\d{2})-([a-z]{2})(?:-([a-z0-9-]+))?\.(html|pdf)")
TREND_MONTHS = 24


def _fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def _months_before(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 - n
    return date(index // 12, index % 12 + 1, 1)


def parse_month(text: str) -> date:
    """``YYYY-MM`` -> its first day; ValueError naming ``--month`` otherwise."""
    try:
        if len(text) != 7:
            raise ValueError
        return date.fromisoformat(f"{text}-01")
    except ValueError:
        raise ValueError(f"--month {text!r}: expected a month as YYYY-MM, e.g. 2025-03") from None


def file_stem(month: date, lang: str, district: str | None = None) -> str:
    return f"bulletin-{month:%Y-%m}-{lang}" + (f"-{slugify(district)}" if district else "")


@dataclass(frozen=True)
class AreaMonth:
    name: str
    count: int | None
    previous: int | None
    change: int | None
    pct_change: float | None
    last_year: int | None
    rate: float | None
    population_year: int | None


def _area_rows(run_id: int, month: date) -> tuple[list[AreaMonth], gpd.GeoDataFrame]:
    rows = _fetch(
        "SELECT name, incident_count, previous_count, change, pct_change, rate_per_100k, population_year, "
        "ST_AsBinary(geom), (SELECT l.incident_count FROM public_area_counts_runs l WHERE l.run_id = a.run_id "
        "  AND l.code = a.code AND l.category = 'all' AND l.period = 'month' AND l.period_start = %s) "
        "FROM public_area_counts_runs a WHERE run_id = %s AND category = 'all' AND period = 'month' "
        "AND period_start = %s ORDER BY name", [_months_before(month, 12), run_id, month])
    areas = [AreaMonth(r[0], r[1], r[2], r[3], r[4], r[8], r[5], r[6]) for r in rows]
    frame = gpd.GeoDataFrame({"name": [a.name for a in areas], "rate": [a.rate for a in areas]},
                             geometry=shapely.from_wkb([bytes(r[7]) for r in rows]), crs=4326)
    return areas, frame


def population_years(areas: list[AreaMonth]) -> str:
    """Every population year the rates use, with the districts on it, in the active language:
    "2022" when all share one; else "2010 (5 districts) and 2022 (Stann Creek)" (names when a
    year has one or two, their number when more)."""
    by_year: dict[int, list[str]] = {}
    for area in areas:
        if area.population_year is not None:
            by_year.setdefault(area.population_year, []).append(area.name)
    if len(by_year) <= 1:
        return "".join(str(year) for year in by_year)
    parts = []
    for year, names in sorted(by_year.items()):
        who = (get_text_list(names, _("and")) if len(names) <= 2
               else ngettext("%(n)s district", "%(n)s districts", len(names)) % {"n": len(names)})
        parts.append(f"{year} ({who})")
    return get_text_list(parts, _("and"))


def _hotspots() -> gpd.GeoDataFrame:
    rows = _fetch("SELECT confidence_bin, ST_AsBinary(geom) FROM public_hotspots WHERE confidence_bin > 0", [])
    return gpd.GeoDataFrame({"confidence_bin": [r[0] for r in rows]},
                            geometry=shapely.from_wkb([bytes(r[1]) for r in rows]), crs=4326)


def _trend(month: date, district: str | None) -> tuple[list[date], list[int | None]]:
    """Monthly counts up to ``month`` from the same counts-per-area run as the table (a month is
    a gap where the public rule blanked it, or, for the country, blanked any district)."""
    table = compstat.table("public", "districts")
    rows = [r for r in table.rows if district is None or r.name == district]
    by_month: dict[date, list[int | None]] = {}
    for row in rows:
        for start, n in row.months:
            by_month.setdefault(start, []).append(n)
    months = sorted(m for m in by_month if m <= month)[-TREND_MONTHS:]
    return months, [compstat.total(by_month[m]) for m in months]


def _caveats(month: date, district: str | None) -> dict:
    """Aggregate data quality: the month's non-sensitive records by geocode precision, and rejected rows."""
    precision = _fetch(
        "SELECT i.geocode_precision, count(*) FROM geo_bco_incident i "
        "JOIN geo_bco_offencetype o ON o.id = i.offence_id LEFT JOIN boundaries_boundary d ON d.id = i.district_id "
        "WHERE NOT o.sensitive AND (i.occurred_at AT TIME ZONE 'America/Belize') >= %s "
        "AND (i.occurred_at AT TIME ZONE 'America/Belize') < %s AND (%s::text IS NULL OR d.name = %s) "
        "GROUP BY 1 ORDER BY 2 DESC",
        [month, _months_before(month, -1), district, district])
    records = sum(n for _, n in precision)
    (read, rejected), = _fetch("SELECT coalesce(sum(rows_total), 0), coalesce(sum(rejected), 0) "
                               "FROM geo_bco_importbatch WHERE status = 'completed'", [])
    reasons = _fetch("SELECT reason->>'code', count(*) FROM geo_bco_rejectedrow, "
                     "jsonb_array_elements(reasons) reason GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 5", [])
    return {"records": records, "precision": [(p, n, 100.0 * n / records) for p, n in precision],
            "rows_read": read, "rows_rejected": rejected, "reasons": reasons}


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode()


def context(month: date, district: str | None = None) -> dict:
    """Everything the bulletin shows, in the active language. ValueError names what is missing."""
    run_id = compstat.latest_runs("public").get("districts")
    if run_id is None:
        raise ValueError("no counts-per-area run over districts yet: run `bco refresh` after an import")
    areas, frame = _area_rows(run_id, month)
    if not areas:
        raise ValueError(f"--month {month:%Y-%m}: the latest counts-per-area run (run {run_id}) does not cover it")
    points = None
    if district is not None:
        names = {a.name.lower(): a.name for a in areas}
        if district.lower() not in names:
            raise ValueError(f"--district {district!r}: choose one of {', '.join(sorted(names.values()))}")
        district = names[district.lower()]
        frame = frame[frame["name"] == district]
        rows = _fetch("SELECT incident_count, ST_AsBinary(geom) FROM public_incidents WHERE district = %s "
                      "AND date_trunc('month', period_start) = %s", [district, month])
        points = gpd.GeoDataFrame({"incident_count": [r[0] for r in rows]},
                                  geometry=shapely.from_wkb([bytes(r[1]) for r in rows]), crs=4326)
    hotspots = _hotspots()
    if district is not None:
        hotspots = hotspots[hotspots.intersects(frame.union_all())]
    place = district or _("Belize")
    month_name = date_format(month, "F Y")
    figure_map = bulletin_figures.rate_map(
        frame, hotspots, points=points, title=_("Incidents per 100,000 residents, %(month)s") % {"month": month_name},
        legend_title=_("Rate per 100,000"), hotspot_label=_("Gi* hot spot cells"), no_data_label=_("Not shown (small count)"))
    months, counts = _trend(month, district)
    trend = bulletin_figures.trend_chart(months, counts, highlight=month, ylabel=_("Incidents"),
                                         title=_("Incidents per month, %(place)s") % {"place": place})
    shown = [a for a in areas if district is None or a.name == district]
    return {
        "month": month, "month_name": month_name, "place": place, "district": district, "areas": shown,
        "total": compstat.total([a.count for a in shown]), "previous_total": compstat.total([a.previous for a in shown]),
        "map": _data_uri(figure_map), "trend": _data_uri(trend), "caveats": _caveats(month, district),
        "population_years": population_years(shown),
        "run_id": run_id, "min_count": settings.BCO_PUBLIC_MIN_COUNT - 1, "demo_note": demo_note(),
    }


def build(month: date, *, lang: str = "en", district: str | None = None, out_dir: Path | None = None) -> tuple[Path, Path]:
    """Write the bulletin's HTML and PDF; returns their paths."""
    from weasyprint import HTML

    if lang not in dict(settings.LANGUAGES):
        raise ValueError(f"--lang {lang!r}: choose one of {', '.join(dict(settings.LANGUAGES))}")
    out_dir = Path(out_dir or settings.BCO_BULLETIN_DIR)
    out_dir.mkdir(parents=True, exist_ok=True)
    with translation.override(lang):
        html = render_to_string("services/bulletin.html", {**context(month, district), "LANGUAGE_CODE": lang})
    stem = out_dir / file_stem(month, lang, district)
    html_path, pdf_path = stem.with_suffix(".html"), stem.with_suffix(".pdf")
    html_path.write_text(html, encoding="utf-8")
    HTML(string=html).write_pdf(pdf_path)
    return html_path, pdf_path


def last_complete_month() -> date | None:
    """The last calendar month wholly inside the latest public counts-per-area run."""
    run_id = compstat.latest_runs("public").get("districts")
    if run_id is None:
        return None
    (as_of,), = _fetch("SELECT max(period_end) FROM public_area_counts_runs WHERE run_id = %s AND period = 'month'",
                       [run_id])
    month = as_of.replace(day=1)
    return month if (as_of + timedelta(days=1)).day == 1 else _months_before(month, 1)


def write_missing(say=print) -> list[Path]:
    """The refresh's last step: the last complete month's bulletin in every language, if missing."""
    month, written = last_complete_month(), []
    if month is None:
        return written
    for lang, _name in settings.LANGUAGES:
        if (Path(settings.BCO_BULLETIN_DIR) / f"{file_stem(month, lang)}.pdf").exists():
            continue
        try:
            written += build(month, lang=lang)
        except ValueError as exc:
            say(f"bulletin {month:%Y-%m} ({lang}): skipped ({exc})")
            return written
        say(f"bulletin {month:%Y-%m} ({lang}): {written[-1]}")
    return written


def published() -> list[dict]:
    """The bulletins on disk, newest month first: month, language, district, and which files exist."""
    folder = Path(settings.BCO_BULLETIN_DIR)
    found: dict[tuple, dict] = {}
    for path in sorted(folder.glob("bulletin-*")) if folder.is_dir() else []:
        if (match := FILE_NAME.fullmatch(path.name)) is None:
            continue
        month, lang, district, ext = match.groups()
        entry = found.setdefault((month, lang, district or ""), {
            "month": date.fromisoformat(f"{month}-01"), "lang": lang, "district": district or "", "files": {}})
        entry["files"][ext] = path.name
    return sorted(found.values(), key=lambda e: (e["month"], e["district"], e["lang"]), reverse=True)


def index(request: HttpRequest) -> HttpResponse:
    return render(request, "services/bulletins.html", {"bulletins": published(), "demo_note": demo_note()})


def file(request: HttpRequest, name: str) -> FileResponse:
    """One bulletin file; only names the bulletin writer makes are served."""
    path = Path(settings.BCO_BULLETIN_DIR) / name
    if FILE_NAME.fullmatch(name) is None or not path.is_file():
        raise Http404(f"no bulletin {name[:80]!r}")
    return FileResponse(path.open("rb"), content_type="application/pdf" if name.endswith(".pdf") else "text/html")
