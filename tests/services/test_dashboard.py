"""The CompStat dashboard: its numbers equal a count of the incidents themselves over the
same filter; the public sees small counts blanked, a signed-in commander sees them exact."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.db import connection

from geo_bco.models import AuditRecord
from geo_bco.roles import ROLES
from services.dashboard import sparkline
from services.jobs import create_run, execute_run
from services.projections import refresh_incidents

pytestmark = pytest.mark.postgis

AREA_PRECISIONS = ("exact", "address", "locality", "district")  # the area-counts kind's default


@pytest.fixture
def counted(reference_data, demo_incidents):
    demo_incidents(rows=500)
    refresh_incidents()
    execute_run(create_run("hotspots", parameters={"cell_size": 3000}).pk)
    return execute_run(create_run("area-counts").pk)


def sql_counts(start: date, end: date, category: str = "all") -> dict[str, int]:
    """Incidents per district code counted straight from geo_bco_incident (non-sensitive, Belize days)."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT d.code, count(*) FROM geo_bco_incident i JOIN geo_bco_offencetype o ON o.id = i.offence_id "
            "JOIN boundaries_boundary d ON d.id = i.district_id "
            "WHERE NOT o.sensitive AND i.geocode_precision = ANY(%s) AND (%s = 'all' OR o.category = %s) "
            "AND (i.occurred_at AT TIME ZONE 'America/Belize')::date BETWEEN %s AND %s GROUP BY 1",
            [list(AREA_PRECISIONS), category, category, start, end])
        return dict(cur.fetchall())


def commander(client, django_user_model):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user("chief", password="pw-for-tests-only")
    user.groups.add(Group.objects.get(name=ROLES["commander"].group))
    client.force_login(user)
    return user


@pytest.mark.parametrize("category", ["all", "property"], ids=["all offences", "property"])
def test_public_figures_equal_a_sql_count_with_small_counts_blanked(client, counted, category):
    table = client.get("/dashboard/", {"format": "json", "category": category}).json()["table"]
    k = settings.BCO_PUBLIC_MIN_COUNT
    for key in ("last_28_days", "year_to_date"):
        first = table["rows"][0][key]
        now = sql_counts(date.fromisoformat(first["start"]), date.fromisoformat(first["end"]), category)
        for row in table["rows"]:
            n = now.get(row["code"], 0)
            if row[key]["count"] is None:
                assert 0 < n < k or row[key]["previous"] is None, (row["code"], n)
            else:
                assert row[key]["count"] == n, (key, row["code"])
                assert not 0 < n < k
    months = table["rows"][0]["months"]
    assert len(months) == 24 and months == sorted(months)


def test_commander_sees_exact_small_counts_and_is_audited(client, django_user_model, counted):
    commander(client, django_user_model)
    page = client.get("/dashboard/", {"category": "property"}).content.decode()
    table = client.get("/dashboard/", {"format": "json", "category": "property"}).json()["table"]
    period = table["rows"][0]["last_28_days"]
    expected = sql_counts(date.fromisoformat(period["start"]), date.fromisoformat(period["end"]), "property")
    shown = dict(re.findall(r'<tr data-code="([^"]+)">.*?<td data-key="d28">(\d+)</td>', page, re.S))
    assert shown and {c: int(n) for c, n in shown.items()} == {c: expected.get(c, 0) for c in shown}
    assert any(0 < int(n) < settings.BCO_PUBLIC_MIN_COUNT for n in shown.values())  # a count the public never sees
    assert AuditRecord.objects.filter(username="chief", collection="area-counts").count() == 2


def shift_year(day: date) -> date:
    return day.replace(year=day.year - 1, day=28 if (day.month, day.day) == (2, 29) else day.day)


def test_previous_periods_change_rate_and_months_follow_their_definitions(client, django_user_model, counted):
    """Exact counts (signed in) of every category: the previous 28 days are the 28 before, the
    year to date's previous figure is the same days last year, % change is null exactly when
    the earlier count is 0, the rate is per 100,000 residents of the population year shown,
    and the 24 sparkline months are each a SQL count."""
    commander(client, django_user_model)
    categories = client.get("/dashboard/", {"format": "json"}).json()["table"]["categories"]
    zero_before = 0
    for category in categories:
        table = client.get("/dashboard/", {"format": "json", "category": category}).json()["table"]
        first = table["rows"][0]
        start, end = (date.fromisoformat(first["last_28_days"][k]) for k in ("start", "end"))
        assert (end - start).days == 27 and end == date.fromisoformat(table["as_of"])
        ytd_start, ytd_end = (date.fromisoformat(first["year_to_date"][k]) for k in ("start", "end"))
        assert (ytd_start, ytd_end) == (end.replace(month=1, day=1), end)
        expected = {
            "last_28_days": (sql_counts(start, end, category),
                             sql_counts(start - timedelta(days=28), start - timedelta(days=1), category)),
            "year_to_date": (sql_counts(ytd_start, ytd_end, category),
                             sql_counts(shift_year(ytd_start), shift_year(ytd_end), category)),
        }
        for row in table["rows"]:
            for key, (now, before) in expected.items():
                figures = row[key]
                n, p = now.get(row["code"], 0), before.get(row["code"], 0)
                assert (figures["count"], figures["previous"], figures["change"]) == (n, p, n - p), (category, key, row)
                if p == 0:
                    assert figures["pct_change"] is None
                    zero_before += 1
                else:
                    assert figures["pct_change"] == pytest.approx(100 * (n - p) / p)
            n = expected["year_to_date"][0].get(row["code"], 0)
            assert row["population_year"] and row["rate_per_100k"] == pytest.approx(1e5 * n / row["population"])
            months = [(date.fromisoformat(m), count) for m, count in row["months"]]
            assert len(months) == 24 and months[-1][0] == end.replace(day=1)
            for first_day, count in months:
                last_day = min((first_day + timedelta(days=32)).replace(day=1) - timedelta(days=1), end)
                assert count == sql_counts(first_day, last_day, category).get(row["code"], 0), (row["code"], first_day)
    assert zero_before > 0  # the null % change was exercised


def test_top_hot_spot_cells_are_the_latest_runs_hottest(client, counted):
    """The dashboard's hot spot cells: the significant Gi* hot spots of the latest public run,
    hottest first, at most ten, and the page lists each."""
    with connection.cursor() as cur:
        cur.execute("SELECT cell, z_score FROM public_hotspots WHERE confidence_bin > 0 ORDER BY z_score DESC, cell")
        hottest = cur.fetchall()
    assert hottest
    shown = client.get("/dashboard/", {"format": "json"}).json()["hotspots"]
    assert [(h["cell"], h["z_score"]) for h in shown] == [(c, pytest.approx(z)) for c, z in hottest[:10]]
    page = client.get("/dashboard/").content.decode()
    rows = re.search(r'<table class="compstat" id="hotspots">.*?<tbody>(.*?)</tbody>', page, re.S).group(1)
    assert rows.count("<tr>") == len(shown)


def test_dashboard_page_shows_rates_hotspots_and_prints(client, counted):
    page = client.get("/dashboard/").content.decode()
    assert 'id="compstat"' in page and 'id="hotspots"' in page and "<path d=\"M" in page
    from django.contrib.staticfiles import finders

    assert "@media print" in open(finders.find("services/page.css")).read()


def test_boundary_sets_are_offered_by_their_translated_names(client, counted):
    execute_run(create_run("area-counts", parameters={"boundary_set": "country"}).pk)
    options = {lang: dict(re.findall(r'<option value="(districts|country)"[^>]*>([^<]*)</option>',
                                     client.get("/dashboard/", HTTP_ACCEPT_LANGUAGE=lang).content.decode()))
               for lang in ("en", "es")}
    assert options["en"] == {"districts": "Districts of Belize", "country": "Belize (national outline)"}
    assert options["es"] == {"districts": "Distritos de Belice", "country": "Belice (contorno nacional)"}


def test_bad_filters_answer_400_naming_the_parameter(client, counted):
    for name, value in (("boundary_set", "nowhere"), ("category", "arson")):
        response = client.get("/dashboard/", {name: value})
        assert response.status_code == 400 and name in response.json()


def test_sparkline_breaks_at_blanked_months():
    path = sparkline([0, 4, None, 2], width=30, height=10)
    assert path.count("M") == 2 and path.startswith("M0.0,8.0") and "L10.0,2.0" in path
